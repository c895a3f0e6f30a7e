import { existsSync } from 'node:fs';
import { getAllMovies, getDatasetMeta, openDatabase, readRatingsColumns } from '@reelrank/database';
import { openPostgresRatingsStore, readSqliteRatingsSnapshot, type StoredRating } from '@reelrank/feedback';
import type { RatingsColumns } from './ratings.js';

/** The only place the trainer touches the database: every rating, the catalogue's movie ids and the dataset's metadata. */
export function readTrainingData(dbPath: string): { ratings: RatingsColumns; movieIds: Set<number>; meta: { dataset: string; dataHash: string } } {
  const conn = openDatabase(dbPath, { readonly: true });
  try {
    const ratings = readRatingsColumns(conn);
    const movieIds = new Set(getAllMovies(conn).map((m) => m.movieId));
    const meta = getDatasetMeta(conn);
    return { ratings, movieIds, meta: { dataset: meta.dataset, dataHash: meta.dataHash } };
  } finally {
    conn.close();
  }
}

/**
 * The ratings posted to the running API, from whichever store the config selects (the one switch of
 * @reelrank/feedback openRatingsStore): DATABASE_URL set -> the PostgreSQL store's all() snapshot (the
 * store is closed once read); else the SQLite file at `ratingsDbPath` (no file: none). Either is read
 * from one snapshot: ratings posted while the run trains are kept for the next run.
 */
export function postedRatingsSource(config: {
  runtime?: { databaseUrl?: string | null };
  paths: { ratingsDbPath: string };
}): AsyncIterable<StoredRating> | null {
  const url = config.runtime?.databaseUrl;
  if (url) return readPostgresSnapshot(url);
  return existsSync(config.paths.ratingsDbPath) ? readSqliteRatingsSnapshot(config.paths.ratingsDbPath) : null;
}

async function* readPostgresSnapshot(url: string): AsyncGenerator<StoredRating> {
  const store = openPostgresRatingsStore(url);
  try {
    yield* store.all();
  } finally {
    await store.close();
  }
}
