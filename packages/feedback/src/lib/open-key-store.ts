import { redactDatabaseUrl } from '@reelrank/config';
import type { KeyStore } from './api-keys.js';
import type { RatingsStoreSelection } from './open-ratings-store.js';
import { openPostgresKeyStore } from './postgres-key-store.js';
import { openSqliteKeyStore } from './sqlite-key-store.js';

/** The key store next to the ratings store the same settings pick (openRatingsStore): PostgreSQL with DATABASE_URL, else the SQLite ratings file. */
export function openKeyStore(config: RatingsStoreSelection): { keys: KeyStore; kind: 'postgres' | 'sqlite'; location: string } {
  const url = config.storage.databaseUrl;
  if (url) {
    const { databaseConnectTimeoutMs: connectTimeoutMs, databaseQueryTimeoutMs: queryTimeoutMs } = config.storage;
    return { keys: openPostgresKeyStore(url, { connectTimeoutMs, queryTimeoutMs }), kind: 'postgres', location: redactDatabaseUrl(url) };
  }
  const path = config.paths.ratingsDbPath;
  return { keys: openSqliteKeyStore(path), kind: 'sqlite', location: path };
}
