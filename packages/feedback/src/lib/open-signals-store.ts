import type { RatingsStoreSelection } from './open-ratings-store.js';
import { openPostgresSignalsStore } from './postgres-signals-store.js';
import { openSqliteSignalsStore } from './sqlite-signals-store.js';
import type { SignalsStore } from './taste-signals.js';
import type { WriterExitListener } from './thread-writer.js';

/** The signals store next to the ratings store the same settings pick (openRatingsStore): PostgreSQL with DATABASE_URL, else the SQLite ratings file. */
export function openSignalsStore(config: RatingsStoreSelection, events: { onWriterExit?: WriterExitListener } = {}): SignalsStore {
  const url = config.storage.databaseUrl;
  if (url) {
    const { databaseConnectTimeoutMs: connectTimeoutMs, databaseQueryTimeoutMs: queryTimeoutMs } = config.storage;
    return openPostgresSignalsStore(url, { connectTimeoutMs, queryTimeoutMs });
  }
  return openSqliteSignalsStore(config.paths.ratingsDbPath, { onWriterExit: events.onWriterExit });
}
