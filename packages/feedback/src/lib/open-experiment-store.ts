import type { ExperimentStore } from './experiments.js';
import type { RatingsStoreSelection } from './open-ratings-store.js';
import { openPostgresExperimentStore } from './postgres-experiment-store.js';
import { openSqliteExperimentStore } from './sqlite-experiment-store.js';

/** The experiment store next to the ratings store the same settings pick: PostgreSQL with DATABASE_URL, else the SQLite ratings file. */
export function openExperimentStore(config: RatingsStoreSelection): ExperimentStore {
  const url = config.storage.databaseUrl;
  if (url) {
    const { databaseConnectTimeoutMs: connectTimeoutMs, databaseQueryTimeoutMs: queryTimeoutMs } = config.storage;
    return openPostgresExperimentStore(url, { connectTimeoutMs, queryTimeoutMs });
  }
  return openSqliteExperimentStore(config.paths.ratingsDbPath);
}
