import { openPostgresSignalsStore, openSignalsStore } from '@reelrank/feedback';
import { signalsStoreContract } from '@reelrank/feedback/testing';
import { freshDatabase } from './postgres-test-db';

signalsStoreContract('PostgreSQL', async () => {
  const db = await freshDatabase();
  return { open: (options) => openPostgresSignalsStore(db.url, options), dispose: () => db.drop() };
});

describe('PostgreSQL signals store', () => {
  it("openSignalsStore with a DATABASE_URL stores there; another replica's cached version drops on the write's notification", async () => {
    const db = await freshDatabase();
    const a = openSignalsStore({ storage: { databaseUrl: db.url }, paths: { ratingsDbPath: '/unused.db' } });
    const b = openPostgresSignalsStore(db.url);
    try {
      expect(await b.userVersion(4)).toBe(0); // read, and cached once b listens
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await b.userVersion(4)).toBe(0);
      const stored = await a.put({ userId: 4, movieId: 1, kind: 'not_interested' });
      let seen = 0;
      for (let i = 0; i < 50 && seen !== stored.id; i++) {
        seen = await b.userVersion(4);
        if (seen !== stored.id) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toBe(stored.id);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
