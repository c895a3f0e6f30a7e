import { redactDatabaseUrl } from '@reelrank/config';
import { openPostgresRatingsStore } from './postgres-ratings-store.js';
import type { RatingsStore } from './ratings-store.js';
import { openSqliteRatingsStore } from './sqlite-ratings-store.js';
import type { WriterExitListener } from './thread-writer.js';

/** The settings that pick the store (a loaded AppConfig has them). */
export interface RatingsStoreSelection {
  storage: { databaseUrl: string | null; databaseConnectTimeoutMs?: number; databaseQueryTimeoutMs?: number };
  paths: { ratingsDbPath: string };
}

export interface SelectedRatingsStore {
  store: RatingsStore;
  kind: 'postgres' | 'sqlite';
  /** Where it keeps the ratings, fit for logs: the file, or the server URL without its password. */
  location: string;
}

/**
 * The one switch: DATABASE_URL set (config.storage.databaseUrl) -> PostgreSQL, shared by every
 * replica; unset -> the SQLite file config.paths.ratingsDbPath, nothing to install. Synchronous: the
 * PostgreSQL store connects (and migrates) on first use. `events.onWriterExit`: the SQLite writer
 * thread died (it is restarted after a back-off).
 */
export function openRatingsStore(config: RatingsStoreSelection, events: { onWriterExit?: WriterExitListener } = {}): SelectedRatingsStore {
  const url = config.storage.databaseUrl;
  if (url) {
    const { databaseConnectTimeoutMs: connectTimeoutMs, databaseQueryTimeoutMs: queryTimeoutMs } = config.storage;
    return { store: openPostgresRatingsStore(url, { connectTimeoutMs, queryTimeoutMs }), kind: 'postgres', location: redactDatabaseUrl(url) };
  }
  const path = config.paths.ratingsDbPath;
  return { store: openSqliteRatingsStore(path, { onWriterExit: events.onWriterExit }), kind: 'sqlite', location: path };
}
