import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import type pg from 'pg';

/**
 * Applying the posted-ratings schema (schema-postgres.ts) on PostgreSQL: drizzle-kit's migrations in
 * ../../drizzle/postgres, applied by drizzle's node-postgres migrator under a session advisory lock (so
 * replicas starting together do not race), logged in drizzle's table `public.${POSTGRES_MIGRATIONS_TABLE}`
 * (a name of its own: the catalogue's migrations share the database and must not share a log).
 *
 * A database made by the hand-written migrations this replaces (`reelrank_feedback_migrations` at
 * version 1, the same table as migration 0000, constraint names included) is adopted: 0000 is recorded
 * as applied, not run, and no row moves. That old log stays (code from before drizzle still reads it).
 */
export const POSTGRES_MIGRATIONS_FOLDER = join(__dirname, '..', '..', 'drizzle', 'postgres');
export const POSTGRES_MIGRATIONS_TABLE = 'reelrank_feedback_drizzle_migrations';
const HAND_WRITTEN_LOG = 'reelrank_feedback_migrations';
/** The newest version the hand-written log ever recorded (its migration 1 is drizzle's 0000). */
const HAND_WRITTEN_VERSION = 1;

/** The store's version (StoreVersion: count and newest id), one query for the store and the train stage's Nx input (tools/fingerprint-ratings.mjs). */
export const POSTGRES_VERSION_SQL = 'SELECT count(*) AS count, coalesce(max(id), 0) AS "newestId" FROM posted_ratings';

const MIGRATION_LOCK = 0x7265656d; // any constant shared by every process

/** Applies the migrations the database lacks; adopts a hand-written database; refuses one migrated by newer code. */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder: POSTGRES_MIGRATIONS_FOLDER });
  const client = await pool.connect();
  let broken = false;
  try {
    // Session-level: drizzle's migrator runs its own transaction on this connection, inside the lock.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    if ((await checkOrAdopt(client, migrations)) === 'behind')
      await migrate(drizzle({ client }), {
        migrationsFolder: POSTGRES_MIGRATIONS_FOLDER,
        migrationsSchema: 'public',
        migrationsTable: POSTGRES_MIGRATIONS_TABLE,
      });
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } catch (error) {
    // Closed, not reused: the server then drops the lock and any open transaction with the session.
    broken = true;
    throw error;
  } finally {
    client.release(broken);
  }
}

async function checkOrAdopt(client: pg.PoolClient, migrations: MigrationMeta[]): Promise<'current' | 'behind'> {
  const newest = migrations[migrations.length - 1].folderMillis;
  const present = async (table: string) => (await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table])).rows[0].t !== null;
  const log = `public.${POSTGRES_MIGRATIONS_TABLE}`;
  const last = (await present(log)) ? (await client.query<{ last: string | null }>(`SELECT max(created_at) AS last FROM ${log}`)).rows[0].last : null;
  if (await present(`public.${HAND_WRITTEN_LOG}`)) {
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${HAND_WRITTEN_LOG}`);
    const version = rows[0].v ?? 0;
    if (version > HAND_WRITTEN_VERSION)
      throw new Error(`the posted-ratings schema is at version ${version}; this code knows up to ${HAND_WRITTEN_VERSION}`);
    if (last === null && version === HAND_WRITTEN_VERSION) {
      // Made by the hand-written migration 1 = drizzle's 0000: record it as applied, in drizzle's own log table.
      await client.query('BEGIN');
      await client.query(`CREATE TABLE IF NOT EXISTS ${log} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
      await client.query(`INSERT INTO ${log} (hash, created_at) VALUES ($1, $2)`, [migrations[0].hash, migrations[0].folderMillis]);
      await client.query('COMMIT');
      return migrations.length === 1 ? 'current' : 'behind';
    }
  }
  if (last !== null && Number(last) > newest)
    throw new Error(`the posted-ratings schema has migrations newer than this code knows (${last} > ${newest}): update the code`);
  return last !== null && Number(last) === newest ? 'current' : 'behind';
}
