import { openPostgresRatingsStore, openRatingsStore, POSTGRES_MIGRATIONS_FOLDER, POSTGRES_MIGRATIONS_TABLE } from '@reelrank/feedback';
import { ratingsStoreContract } from '@reelrank/feedback/testing';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { Client } from 'pg';
import { clusterUrl, freshDatabase } from './postgres-test-db';

ratingsStoreContract('PostgreSQL', async () => {
  const db = await freshDatabase();
  return { open: (options) => openPostgresRatingsStore(db.url, options), dispose: () => db.drop() };
});

describe('PostgreSQL ratings store', () => {
  it('openRatingsStore with a DATABASE_URL stores on that server, its location without the password', async () => {
    const url = new URL(clusterUrl());
    url.password = 'not-needed-with-trust';
    const selected = openRatingsStore({ storage: { databaseUrl: url.toString() }, paths: { ratingsDbPath: '/unused.db' } });
    try {
      expect(selected.kind).toBe('postgres');
      expect(selected.location).not.toMatch(/not-needed/);
      expect(selected.location).toContain(`${url.host}/`);
      await selected.store.put([{ userId: 1, movieId: 1, rating: 4 }]);
      expect((await selected.store.forUser(1)).map((r) => r.rating)).toEqual([4]);
    } finally {
      await selected.store.close();
    }
  });

  it('replicas starting together migrate once and share one sequence', async () => {
    const db = await freshDatabase();
    const stores = Array.from({ length: 4 }, () => openPostgresRatingsStore(db.url));
    try {
      const versions = await Promise.all(stores.map((s) => s.version()));
      expect(versions).toEqual(stores.map(() => ({ count: 0, newestId: 0 })));
      const client = new Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query(`SELECT hash FROM ${POSTGRES_MIGRATIONS_TABLE}`);
      await client.end();
      expect(rows).toHaveLength(readMigrationFiles({ migrationsFolder: POSTGRES_MIGRATIONS_FOLDER }).length);
      await Promise.all(stores.map((s, i) => s.put([{ userId: i + 1, movieId: 1, rating: 2 }])));
      expect(await stores[0].version()).toEqual({ count: 4, newestId: 4 });
    } finally {
      for (const s of stores) await s.close();
      await db.drop();
    }
  });

  it('group-commits: 50 writes submitted at once take one or two transactions, not 50', async () => {
    const db = await freshDatabase();
    const s = openPostgresRatingsStore(db.url);
    const probe = new Client({ connectionString: db.url });
    await probe.connect();
    // Each call is a transaction of its own that takes a transaction id; so does each write transaction.
    const xid = async () => Number((await probe.query('SELECT pg_current_xact_id()::text AS x')).rows[0].x);
    try {
      await s.version(); // the migration
      const before = await xid();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.put([{ userId: i + 1, movieId: 7, rating: 3 }])));
      const writeTransactions = (await xid()) - before - 1;
      expect(writeTransactions).toBeGreaterThanOrEqual(1);
      expect(writeTransactions).toBeLessThanOrEqual(2);
      expect(results.map((r) => r[0].id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    } finally {
      await probe.end();
      await s.close();
      await db.drop();
    }
  });

  it('refuses a database migrated by newer code (hand-written log)', async () => {
    const db = await freshDatabase();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      'CREATE TABLE reelrank_feedback_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    await client.query("INSERT INTO reelrank_feedback_migrations (version, name) VALUES (99, 'future')");
    await client.end();
    const s = openPostgresRatingsStore(db.url);
    try {
      await expect(s.version()).rejects.toThrow(/schema is at version 99; this code knows up to 1/);
    } finally {
      await s.close();
      await db.drop();
    }
  });

  it('while the server cannot be reached, operations fail with the reason and the store recovers once it can', async () => {
    const db = await freshDatabase();
    const unreachable = new URL(db.url);
    unreachable.port = '1'; // nothing listens there
    const down = openPostgresRatingsStore(unreachable.toString(), { connectTimeoutMs: 2_000 });
    await expect(down.put([{ userId: 1, movieId: 1, rating: 3 }])).rejects.toThrow(/ECONNREFUSED/);
    await expect(down.version()).rejects.toThrow(/ECONNREFUSED/);
    await down.close();
    const up = openPostgresRatingsStore(db.url);
    await up.put([{ userId: 1, movieId: 1, rating: 3 }]);
    expect(await up.version()).toEqual({ count: 1, newestId: 1 });
    await up.close();
    await db.drop();
  });
});
