import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { openForWriting } from './group-writer.js';

/** drizzle-kit's output for schema-sqlite.ts, found from this file so any cwd (tests, tsx, Nx) works. */
export const SQLITE_MIGRATIONS_FOLDER = join(__dirname, '..', '..', 'drizzle', 'sqlite');
/** drizzle's own log of applied migrations (its default name: the ratings file holds nothing else). */
const LOG = '__drizzle_migrations';
/**
 * `PRAGMA user_version` of a file made by the hand-written schema this replaces (group-writer.js before
 * drizzle): the same table as migration 0000, which is then recorded as applied instead of run. The
 * pragma still counts the applied migrations, so that older code (which refuses user_version > 1)
 * refuses a file migrated past what it knows.
 */
const HAND_WRITTEN_VERSION = 1;

/**
 * Brings the ratings file on `db` to the newest schema with drizzle's better-sqlite3 migrator: runs in
 * the main thread before the writer thread starts (the thread only opens the file). Adopts a file made
 * by the hand-written schema without touching its rows, and refuses a file migrated by newer code.
 *
 * Several processes (the API's cluster workers) may open a new file together. The check runs in a
 * BEGIN IMMEDIATE transaction (SQLite's write lock), so a file that is up to date costs one short
 * transaction; drizzle's migrator reads its log outside its transaction, so when two processes migrate
 * at once the loser fails on the winner's table and simply checks again.
 */
export function migrateSqliteRatings(db: Database.Database, path: string): void {
  const migrations = readMigrationFiles({ migrationsFolder: SQLITE_MIGRATIONS_FOLDER });
  for (let attempt = 1; ; attempt++) {
    if (checkOrAdopt(db, path, migrations) === 'current') return;
    try {
      migrate(drizzle(db), { migrationsFolder: SQLITE_MIGRATIONS_FOLDER, migrationsTable: LOG });
      db.pragma(`user_version = ${migrations.length}`);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

/** Under the write lock: 'current', or 'behind' (drizzle's migrator has work to do); adopts a hand-written file, refuses a newer one. */
function checkOrAdopt(db: Database.Database, path: string, migrations: MigrationMeta[]): 'current' | 'behind' {
  const newest = migrations[migrations.length - 1].folderMillis;
  return db
    .transaction((): 'current' | 'behind' => {
      const exists = (name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
      const logged = exists(LOG) ? (db.prepare(`SELECT max(created_at) AS last FROM ${LOG}`).get() as { last: number | null }).last : null;
      if (logged === null && exists('ratings')) {
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version !== HAND_WRITTEN_VERSION) throw new Error(`${path} has a ratings table of an unknown schema (user_version ${version})`);
        // Made by the hand-written schema, which is migration 0000: record it as applied (drizzle's own log table and row).
        db.exec(`CREATE TABLE IF NOT EXISTS ${LOG} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
        db.prepare(`INSERT INTO ${LOG} (hash, created_at) VALUES (?, ?)`).run(migrations[0].hash, migrations[0].folderMillis);
        return migrations.length === 1 ? 'current' : 'behind';
      }
      if (logged !== null && Number(logged) > newest)
        throw new Error(`${path} has ratings schema migrations newer than this code knows (${logged} > ${newest}): update the code`);
      return logged !== null && Number(logged) === newest ? 'current' : 'behind';
    })
    .immediate();
}

/**
 * Opens the ratings file for writing (its folder made, WAL, synchronous FULL) with its migrations
 * applied: the connection of the ratings store's reads and of the key store. Closed again when the
 * migrations fail.
 */
export function openMigratedRatingsFile(path: string, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openForWriting(Database, path, busyTimeoutMs);
  try {
    migrateSqliteRatings(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
