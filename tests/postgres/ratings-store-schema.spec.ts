import { openPostgresRatingsStore, POSTGRES_MIGRATIONS_FOLDER, POSTGRES_MIGRATIONS_TABLE } from '@reelrank/feedback';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { Client } from 'pg';
import { freshDatabase } from './postgres-test-db';

/**
 * On a real server: posted_ratings under drizzle's migrations. A database made by the
 * hand-written migration that came before (its exact SQL below) is adopted with every row, id and the
 * sequence where they were, and ends up with the very schema a fresh database gets.
 */
const HAND_WRITTEN = `
  CREATE TABLE IF NOT EXISTS reelrank_feedback_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
  CREATE SEQUENCE posted_ratings_id_seq AS bigint;
  CREATE TABLE posted_ratings (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL,
    movie_id bigint NOT NULL,
    rating double precision NOT NULL CHECK (rating >= 0.5 AND rating <= 5 AND rating * 2 = trunc(rating * 2)),
    timestamp bigint NOT NULL,
    UNIQUE (user_id, movie_id)
  );
  CREATE INDEX posted_ratings_user_newest ON posted_ratings (user_id, id);
  INSERT INTO reelrank_feedback_migrations (version, name) VALUES (1, 'posted_ratings');
`;

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Everything of posted_ratings and its sequence that PostgreSQL can tell apart, by name. */
const describeSchema = (url: string) =>
  withClient(url, async (c) => ({
    columns: (
      await c.query(
        "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name = 'posted_ratings' ORDER BY ordinal_position",
      )
    ).rows,
    constraints: (
      await c.query(
        "SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'posted_ratings'::regclass ORDER BY conname",
      )
    ).rows,
    indexes: (await c.query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'posted_ratings' ORDER BY indexname")).rows,
    sequence: (
      await c.query(
        "SELECT data_type::text, start_value, min_value, max_value, increment_by, cycle, cache_size FROM pg_sequences WHERE sequencename = 'posted_ratings_id_seq'",
      )
    ).rows,
  }));

describe('posted_ratings under drizzle migrations', () => {
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  const database = async () => {
    const db = await freshDatabase();
    dbs.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it('when a database made by the hand-written migration is opened, then every rating, id and the sequence survive, and its schema is a fresh one', async () => {
    const old = await database();
    await withClient(old.url, async (c) => {
      await c.query(HAND_WRITTEN);
      const put =
        "INSERT INTO posted_ratings VALUES (nextval('posted_ratings_id_seq'), $1, $2, $3, $4) ON CONFLICT (user_id, movie_id) DO UPDATE SET id = excluded.id, rating = excluded.rating, timestamp = excluded.timestamp";
      await c.query(put, [1, 10, 4, 100]);
      await c.query(put, [1, 11, 3, 101]);
      await c.query(put, [2, 10, 5, 102]);
      await c.query(put, [1, 10, 2.5, 103]); // replaces (1, 10) under id 4
      await c.query('DELETE FROM posted_ratings WHERE user_id = 2'); // id 3 gone, never reused
    });
    const store = openPostgresRatingsStore(old.url);
    try {
      expect(await store.version()).toEqual({ count: 2, newestId: 4 });
      // Rows from before writers were recorded: an unknown source, posted when they were rated (the best guess).
      const unknown = { source: 'unknown', sourceAddress: 'unknown' };
      expect(await store.forUser(1)).toEqual([
        { id: 4, userId: 1, movieId: 10, rating: 2.5, timestamp: 103, postedAt: 103, ...unknown },
        { id: 2, userId: 1, movieId: 11, rating: 3, timestamp: 101, postedAt: 101, ...unknown },
      ]);
      const [next] = await store.put([{ userId: 1, movieId: 11, rating: 5, timestamp: 104 }]);
      expect(next.id).toBe(5);
      expect((await store.forUser(1)).map((r) => [r.movieId, r.rating])).toEqual([
        [10, 2.5],
        [11, 5],
      ]);
    } finally {
      await store.close();
    }
    await withClient(old.url, async (c) => {
      // 0000 recorded as applied in drizzle's log, not re-run, the later ones run; the old log is left as it was.
      const migrations = readMigrationFiles({ migrationsFolder: POSTGRES_MIGRATIONS_FOLDER }).length;
      expect((await c.query(`SELECT count(*)::int AS n FROM ${POSTGRES_MIGRATIONS_TABLE}`)).rows).toEqual([{ n: migrations }]);
      expect((await c.query('SELECT version, name FROM reelrank_feedback_migrations')).rows).toEqual([{ version: 1, name: 'posted_ratings' }]);
    });

    const fresh = await database();
    const store2 = openPostgresRatingsStore(fresh.url);
    await store2.version();
    await store2.close();
    const adopted = await describeSchema(old.url);
    expect(adopted.constraints.map((c: { conname: string }) => c.conname)).toEqual([
      'posted_ratings_pkey',
      'posted_ratings_rating_check',
      'posted_ratings_user_id_movie_id_key',
    ]);
    expect(await describeSchema(fresh.url)).toEqual(adopted);
  });

  it('refuses a database migrated by newer code (drizzle log)', async () => {
    const db = await database();
    const store = openPostgresRatingsStore(db.url);
    await store.version();
    await store.close();
    await withClient(db.url, (c) => c.query(`INSERT INTO ${POSTGRES_MIGRATIONS_TABLE} (hash, created_at) VALUES ('future', 8000000000000)`));
    const again = openPostgresRatingsStore(db.url);
    try {
      await expect(again.version()).rejects.toThrow(/migrations newer than this code knows/);
    } finally {
      await again.close();
    }
  });
});
