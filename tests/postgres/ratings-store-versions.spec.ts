import { openPostgresRatingsStore, type PostgresRatingsStore } from '@reelrank/feedback';
import { Client } from 'pg';
import { freshDatabase } from './postgres-test-db';

/**
 * The PostgreSQL store answers userVersion from memory once its listener is up, and every process
 * drops a user's cached version when any process writes for that user (NOTIFY at commit).
 */
describe('PostgreSQL store: users versions kept in memory, dropped by notifications', () => {
  let db: { url: string; drop(): Promise<void> };
  const stores: PostgresRatingsStore[] = [];
  const open = () => {
    const store = openPostgresRatingsStore(db.url);
    stores.push(store);
    return store;
  };
  const until = async (what: string, check: () => Promise<boolean> | boolean, ms = 3_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  /** The store's first userVersion starts its listener; this waits until it is up. */
  const listening = async (store: PostgresRatingsStore) => {
    await store.userVersion(0);
    await until('the listener is up', () => store.userVersionStats().listening);
  };

  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await db.drop();
  });

  it('when a version was read once, then it is answered from memory until that user writes', async () => {
    const a = open();
    await listening(a);
    const [stored] = await a.put([{ userId: 7, movieId: 1, rating: 4 }]);
    // A read that races the write's own notification is (rightly) not kept: read until one is.
    await until('the version is kept', async () => {
      const { reads } = a.userVersionStats();
      return (await a.userVersion(7)) === stored.id && a.userVersionStats().reads === reads;
    });
    const first = await a.userVersion(7);
    const before = a.userVersionStats();
    expect(await a.userVersion(7)).toBe(first);
    expect(await a.userVersion(7)).toBe(first);
    const after = a.userVersionStats();
    expect(after.reads).toBe(before.reads);
    expect(after.hits).toBe(before.hits + 2);
  });

  it("when another process writes for a user, then this one's next answers follow within a second", async () => {
    const [a, b] = [open(), open()];
    await listening(a);
    expect(await a.userVersion(7)).toBe(0);
    const [stored] = await b.put([{ userId: 7, movieId: 3, rating: 5 }]);
    await until("A sees B's rating", async () => (await a.userVersion(7)) === stored.id, 1_000);
    await b.forget(7, 3);
    await until("A sees B's delete", async () => (await a.userVersion(7)) === 0, 1_000);
    await b.put([{ userId: 8, movieId: 3, rating: 5 }]);
    await b.forgetUser(8);
    await until("A sees B's forgetUser", async () => (await a.userVersion(8)) === 0, 1_000);
  });

  it('when this process writes, then its own next answer has the new version at once', async () => {
    const a = open();
    await listening(a);
    expect(await a.userVersion(9)).toBe(0);
    const [stored] = await a.put([{ userId: 9, movieId: 2, rating: 3 }]);
    expect(await a.userVersion(9)).toBe(stored.id);
  });

  it('when a batch names too many users for one notification, then every cached version is dropped', async () => {
    const [a, b] = [open(), open()];
    await listening(a);
    expect(await a.userVersion(5)).toBe(0);
    const batch = Array.from({ length: 1_000 }, (_, i) => ({ userId: 1_000_000 + i, movieId: 1, rating: 4 }));
    batch.push({ userId: 5, movieId: 1, rating: 2 });
    const stored = await b.put(batch);
    await until('A sees user 5', async () => (await a.userVersion(5)) === stored[stored.length - 1].id, 1_000);
  });

  it('when the listener connection is killed, then answers come from the server until a new listener is up', async () => {
    const [a, b] = [open(), open()];
    await listening(a);
    expect(await a.userVersion(4)).toBe(0);
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
    } finally {
      await admin.end();
    }
    await until('the listener is down', () => !a.userVersionStats().listening);
    const [stored] = await b.put([{ userId: 4, movieId: 1, rating: 4 }]);
    expect(await a.userVersion(4)).toBe(stored.id); // no listener: asked the server
    await until('a new listener is up', () => a.userVersionStats().listening, 5_000);
    await b.put([{ userId: 4, movieId: 2, rating: 4 }]);
    await until('A follows again', async () => (await a.userVersion(4)) === (await b.userVersion(4)), 1_000);
  });
});
