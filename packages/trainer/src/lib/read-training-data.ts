import { existsSync } from 'node:fs';
import { getAllMovies, getDatasetMeta, openDatabase, readRatingsColumns } from '@reelrank/database';
import { readSqliteRatingsSnapshot, type StoredRating } from '@reelrank/feedback';
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
 * The ratings posted to the running API (the store file at `ratingsDbPath`, see @reelrank/feedback),
 * read from one snapshot: ratings posted while the run trains are kept for the next run. No file: none.
 */
export function postedRatingsSource(ratingsDbPath: string): AsyncIterable<StoredRating> | null {
  return existsSync(ratingsDbPath) ? readSqliteRatingsSnapshot(ratingsDbPath) : null;
}
