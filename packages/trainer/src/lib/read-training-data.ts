import { existsSync } from 'node:fs';
import { getAllMovies, getDatasetMeta, openDatabase, readCatalogueData, readRatingsColumns } from '@reelrank/database';
import {
  openPostgresRatingsStore,
  openPostgresSignalsStore,
  readSqliteRatingsSnapshot,
  readSqliteSignalsSnapshot,
  type StoredRating,
  type StoredSignal,
} from '@reelrank/feedback';
import type { RatingsColumns } from './ratings.js';

/**
 * The train stage's read of the catalogue from the configured store: PostgreSQL with DATABASE_URL
 * (`storage.databaseUrl`), else the SQLite file `paths.dbPath`; the same columns either way, so the
 * same data trains the same model. `from` names where it came from (the URL's password masked).
 */
export async function readCatalogueTrainingData(config: {
  storage?: { databaseUrl?: string | null };
  paths: { dbPath: string };
  dataset?: { dataset: string };
}): Promise<TrainingData & { from: string }> {
  const url = config.storage?.databaseUrl;
  if (!url) return { ...readTrainingData(config.paths.dbPath), from: config.paths.dbPath };
  const data = await readCatalogueData({ dbPath: config.paths.dbPath, databaseUrl: url });
  if (!data.meta) throw new Error(`the catalogue at ${data.from} has no dataset_meta: rebuild it (nx run database:pipeline)`);
  const { dataset, dataHash } = data.meta;
  const expected = config.dataset?.dataset;
  if (expected !== undefined && dataset !== expected) {
    throw new Error(
      `the catalogue at ${data.from} holds data set "${dataset}", not the configured "${expected}": load it (nx run database:pipeline)`,
    );
  }
  return {
    ratings: data.ratings,
    movieIds: new Set(data.movies.map((m) => m.movieId)),
    movies: data.movies,
    meta: { dataset, dataHash },
    from: data.from,
  };
}

export interface TrainingData {
  ratings: RatingsColumns;
  movieIds: Set<number>;
  /** The catalogue's movies with their genres (the drift profile's genre index). */
  movies: { movieId: number; genres: string[] }[];
  meta: { dataset: string; dataHash: string };
}

/** The only place the trainer touches the SQLite database: every rating, the catalogue's movie ids and the dataset's metadata. */
export function readTrainingData(dbPath: string): TrainingData {
  const conn = openDatabase(dbPath, { readonly: true });
  try {
    const ratings = readRatingsColumns(conn);
    const movies = getAllMovies(conn);
    const movieIds = new Set(movies.map((m) => m.movieId));
    const meta = getDatasetMeta(conn);
    return { ratings, movieIds, movies, meta: { dataset: meta.dataset, dataHash: meta.dataHash } };
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
  storage?: { databaseUrl?: string | null };
  paths: { ratingsDbPath: string };
}): AsyncIterable<StoredRating> | null {
  const url = config.storage?.databaseUrl;
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

/** The users' taste signals, from the store the same settings pick as postedRatingsSource (no SQLite file: none). */
export function postedSignalsSource(config: {
  storage?: { databaseUrl?: string | null };
  paths: { ratingsDbPath: string };
}): AsyncIterable<StoredSignal> | null {
  const url = config.storage?.databaseUrl;
  if (url)
    return (async function* () {
      const store = openPostgresSignalsStore(url);
      try {
        yield* store.all();
      } finally {
        await store.close();
      }
    })();
  return existsSync(config.paths.ratingsDbPath) ? readSqliteSignalsSnapshot(config.paths.ratingsDbPath) : null;
}
