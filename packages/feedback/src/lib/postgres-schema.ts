import type pg from 'pg';

/**
 * The posted-ratings schema on PostgreSQL, as numbered migrations applied in order, each once, under
 * an advisory lock (so replicas starting together do not race) and recorded in
 * `reelrank_feedback_migrations`. Plain SQL for now: the SQLite store's schema lives in
 * group-writer.js (plain CommonJS for its writer thread), so one drizzle schema for both dialects is
 * still to do (issue 15).
 *
 * The table is `posted_ratings`, not `ratings`: on PostgreSQL the catalogue (issue 15, still on
 * SQLite) will share the database, and its `ratings` table is the data set's.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'posted_ratings',
    sql: `
      -- ids come from one sequence that only grows (never reused, also after deletes: StoreVersion relies on it)
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
    `,
  },
];

/** The store's version (StoreVersion: count and newest id), one query for the store and the train stage's Nx input (tools/fingerprint-ratings.mjs). */
export const POSTGRES_VERSION_SQL = 'SELECT count(*) AS count, coalesce(max(id), 0) AS "newestId" FROM posted_ratings';

const MIGRATION_LOCK = 0x7265656d; // any constant shared by every process

/** Applies the migrations the database lacks; refuses a database migrated by newer code. */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS reelrank_feedback_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM reelrank_feedback_migrations');
    const applied = rows[0].v ?? 0;
    const known = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1].version;
    if (applied > known) throw new Error(`the posted-ratings schema is at version ${applied}; this code knows up to ${known}`);
    for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version > applied)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO reelrank_feedback_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
