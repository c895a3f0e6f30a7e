import { redactDatabaseUrl } from '@reelrank/config';
import { openDatabase } from './create-db.js';
import { readPostgresCatalogue } from './postgres-read.js';
import { getAllMovies, getDatasetMeta, readRatingsColumns, type DatasetMeta, type Movie, type RatingsColumns } from './queries.js';

/** What the train stage and the report read from the catalogue, whichever store holds it. */
export interface CatalogueData {
  /** Every rating, ordered by (userId, movieId): equal byte for byte from either store. */
  ratings: RatingsColumns;
  /** Every movie, by movie id. */
  movies: Movie[];
  /** dataset_meta; null for a SQLite file without it (built before it existed). */
  meta: DatasetMeta | null;
  /** Where it was read from, fit for logs: the file, or the URL with its password masked. */
  from: string;
}

/**
 * The one switch of the stages' reads: `databaseUrl` set (DATABASE_URL) -> the PostgreSQL catalogue
 * (one snapshot), else the SQLite file at `dbPath` (read-only), exactly as before.
 */
export async function readCatalogueData(source: { dbPath: string; databaseUrl?: string | null }): Promise<CatalogueData> {
  if (source.databaseUrl) {
    const data = await readPostgresCatalogue(source.databaseUrl, async (reader) => ({
      ratings: await reader.ratingsColumns(),
      movies: (await reader.movies()).map(({ movieId, title, year, genres }) => ({ movieId, title, year, genres })),
      meta: reader.meta,
    }));
    return { ...data, from: redactDatabaseUrl(source.databaseUrl) };
  }
  const conn = openDatabase(source.dbPath, { readonly: true });
  try {
    const ratings = readRatingsColumns(conn);
    const movies = getAllMovies(conn);
    let meta: DatasetMeta | null;
    try {
      meta = getDatasetMeta(conn);
    } catch {
      meta = null;
    }
    return { ratings, movies, meta, from: source.dbPath };
  } finally {
    conn.close();
  }
}
