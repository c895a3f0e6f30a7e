import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from '../schema/sqlite.js';

export type Schema = typeof schema;

/** One open database: the raw better-sqlite3 handle (for fast prepared statements) and drizzle on top. */
export interface DbConnection {
  sqlite: Database.Database;
  db: BetterSQLite3Database<Schema>;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** Open an existing file read-only (the trainer and the API); fails if it does not exist. */
  readonly?: boolean;
}

/** The committed drizzle-kit output, found from this file so any cwd (tests, tsx, Nx) works. */
export const MIGRATIONS_FOLDER = join(__dirname, '..', '..', 'drizzle');

/**
 * Opens (or creates) a SQLite database. No module-level connection: every caller owns its
 * connection and closes it. `':memory:'` gives a private in-memory database.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): DbConnection {
  const readonly = options.readonly ?? false;
  if (readonly && path !== ':memory:' && !existsSync(path)) {
    throw new Error(`Database not found at ${path}: run the database stage first (nx run database:pipeline)`);
  }
  const sqlite = new Database(path, { readonly, fileMustExist: readonly });
  if (readonly) {
    // Readers scan ratings and movies; a memory map and a bigger cache avoid read() syscalls.
    sqlite.pragma('mmap_size = 268435456');
    sqlite.pragma('cache_size = -65536');
  }
  const db = drizzle(sqlite, { schema });
  let closed = false;
  return {
    sqlite,
    db,
    close() {
      if (closed) return;
      closed = true;
      sqlite.close();
    },
  };
}

/** Applies the committed migrations in ../../drizzle (idempotent: applied ones are skipped). */
export function migrateDatabase(db: BetterSQLite3Database<Schema>): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}
