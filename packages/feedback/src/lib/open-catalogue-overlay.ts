import { existsSync } from 'node:fs';
import type { CatalogueOverlayStore, OverlayMovie } from './catalogue-overlay.js';
import type { RatingsStoreSelection } from './open-ratings-store.js';
import { openPostgresCatalogueOverlay } from './postgres-catalogue-overlay.js';
import { openSqliteCatalogueOverlay, readSqliteCatalogueOverlay } from './sqlite-catalogue-overlay.js';

/** The overlay next to the ratings store the same settings pick (openRatingsStore): PostgreSQL with DATABASE_URL, else the SQLite ratings file. */
export function openCatalogueOverlay(config: RatingsStoreSelection): CatalogueOverlayStore {
  const url = config.storage.databaseUrl;
  if (url) {
    const { databaseConnectTimeoutMs: connectTimeoutMs, databaseQueryTimeoutMs: queryTimeoutMs } = config.storage;
    return openPostgresCatalogueOverlay(url, { connectTimeoutMs, queryTimeoutMs });
  }
  return openSqliteCatalogueOverlay(config.paths.ratingsDbPath);
}

/** The overlay as a training reads it (no writer on SQLite; no file yet: none). */
export async function readCatalogueOverlay(config: RatingsStoreSelection): Promise<OverlayMovie[]> {
  const url = config.storage.databaseUrl;
  if (!url) return existsSync(config.paths.ratingsDbPath) ? readSqliteCatalogueOverlay(config.paths.ratingsDbPath) : [];
  const store = openPostgresCatalogueOverlay(url);
  try {
    return await store.all();
  } finally {
    await store.close();
  }
}
