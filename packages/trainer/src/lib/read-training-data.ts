import { getDatasetMeta, openDatabase, readRatingsColumns } from '@reelrank/database';
import type { RatingsColumns } from './ratings.js';

/** The only place the trainer touches the database: every rating plus the dataset's metadata. */
export function readTrainingData(dbPath: string): { ratings: RatingsColumns; meta: { dataset: string; dataHash: string } } {
  const conn = openDatabase(dbPath, { readonly: true });
  try {
    const ratings = readRatingsColumns(conn);
    const meta = getDatasetMeta(conn);
    return { ratings, meta: { dataset: meta.dataset, dataHash: meta.dataHash } };
  } finally {
    conn.close();
  }
}
