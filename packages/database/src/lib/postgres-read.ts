import { redactDatabaseUrl } from '@reelrank/config';
import pg from 'pg';
import { datasetMetaFromEntries, type DatasetMeta, type GenomeColumns, type Movie, type RatingsColumns } from './queries.js';
import { decodeRatingBlobs, RATING_BLOBS_META_KEY } from './rating-blobs.js';
import { CATALOGUE_SCHEMA } from '../schema/postgres.js';
import { connectPostgres } from './load-postgres.js';

/**
 * Read side of the catalogue on PostgreSQL: the tables of the PostgreSQL schema
 * `reelrank_catalogue`, which the database stage fills with the same table and column names, and the
 * same user_rating_blobs byte layout, as the SQLite file. Everything one caller reads comes from one
 * REPEATABLE READ READ ONLY transaction, so a load swapped in meanwhile is either wholly seen or not.
 * The ratings come from user_rating_blobs, decoded by the same decodeRatingBlobs as SQLite's, a page
 * of users at a time, in user order: the columns equal readRatingsColumns' byte for byte.
 */

/** Users per page of user_rating_blobs (at ml-20m, ~144 ratings a user: ~300k ratings, a few MB, a page). */
const USERS_PER_PAGE = 2_000;

/** A catalogue movie with its normalised title (movies.title_search, what title search matches). */
export interface CatalogueMovieRow extends Movie {
  titleSearch: string;
}

/** The catalogue in PostgreSQL is absent, empty or incomplete: the database stage has to run with DATABASE_URL set. */
export class PostgresCatalogueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresCatalogueError';
  }
}

export interface MovieTagCount {
  movieId: number;
  tag: string;
  count: number;
}

export interface PostgresCatalogueReader {
  /** dataset_meta, read first (throws PostgresCatalogueError when the catalogue is absent or was never completely loaded). */
  readonly meta: DatasetMeta;
  /** dataset_meta's rows as read, by key. */
  readonly entries: readonly [string, string][];
  /** Ratings the blobs hold (dataset_meta ratingBlobs.v1). */
  readonly ratingCount: number;
  /** Users with ratings (rows of user_rating_blobs). */
  userCount(): Promise<number>;
  /** Every movie, by movie id. */
  movies(): Promise<CatalogueMovieRow[]>;
  /** movie_genres rows as [genre, movieId], by genre then movie. */
  movieGenres(): Promise<[string, number][]>;
  /** How often each tag (lower-cased) was applied to each movie, by movie then tag. */
  movieTagCounts(): Promise<MovieTagCount[]>;
  /** genome_scores as columns, by movie then tag (one row per movie from the server: arrays, not 11.7M rows). */
  genomeScores(): Promise<GenomeColumns>;
  /** The ratings a page of users at a time, in (user, movie) order; returns the ratings seen (checked against ratingCount). */
  ratingPages(onPage: (page: RatingsColumns) => void): Promise<number>;
  /** Every rating as parallel columns, as readRatingsColumns returns them from SQLite. */
  ratingsColumns(): Promise<RatingsColumns>;
}

/**
 * A table's rows disagree with the dataset_meta read first. The load swaps its schema in by renames,
 * which a reader's snapshot does not cover: a table first named after the swap is the new one, whose
 * rows the snapshot cannot see. Read again from a new snapshot (a real inconsistency persists and is reported).
 */
class CatalogueChangedError extends PostgresCatalogueError {}

/** Attempts of one read when the catalogue was swapped in meanwhile (a load takes seconds to minutes: 3 is plenty). */
const READ_ATTEMPTS = 3;

/**
 * Opens one connection, runs `read` inside one read-only snapshot, closes. Errors name the server
 * by its masked URL (never the password).
 */
export async function readPostgresCatalogue<T>(databaseUrl: string, read: (reader: PostgresCatalogueReader) => Promise<T>): Promise<T> {
  const where = redactDatabaseUrl(databaseUrl);
  const client = await connectPostgres(databaseUrl, 'reelrank catalogue reader');
  try {
    for (let attempt = 1; ; attempt++) {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const reader = await openReader(client, where);
        const result = await read(reader);
        // dataset_meta again, by name: a swap since the first read resolves it to the new table (another loadedAt).
        if (JSON.stringify(await metaEntries(client)) !== JSON.stringify(reader.entries)) {
          throw new CatalogueChangedError(`the catalogue in PostgreSQL at ${where} was replaced while it was read`);
        }
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (!(error instanceof CatalogueChangedError) || attempt === READ_ATTEMPTS) throw error;
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The dataset_meta rows alone (a cheap probe: has the catalogue changed since it was read?). */
export async function readPostgresDatasetMeta(databaseUrl: string): Promise<DatasetMeta> {
  return readPostgresCatalogue(databaseUrl, async (reader) => reader.meta);
}

const metaEntries = async (client: pg.Client) =>
  (await client.query<[string, string]>({ text: `SELECT key, value FROM ${CATALOGUE_SCHEMA}.dataset_meta ORDER BY key`, rowMode: 'array' })).rows;

async function openReader(client: pg.Client, where: string): Promise<PostgresCatalogueReader> {
  const table = (name: string) => `${CATALOGUE_SCHEMA}.${name}`;
  let entries: [string, string][];
  try {
    entries = await metaEntries(client);
  } catch (error) {
    if ((error as { code?: string }).code === '42P01' || (error as { code?: string }).code === '3F000') {
      throw new PostgresCatalogueError(
        `no catalogue in PostgreSQL at ${where} (schema ${CATALOGUE_SCHEMA} has no dataset_meta): ` +
          'run the database stage with DATABASE_URL set (nx run database:pipeline)',
      );
    }
    throw error;
  }
  if (entries.length === 0) {
    throw new PostgresCatalogueError(
      `no catalogue in PostgreSQL at ${where} (${CATALOGUE_SCHEMA}.dataset_meta is empty): run the database stage with DATABASE_URL set (nx run database:pipeline)`,
    );
  }
  let meta: DatasetMeta;
  try {
    meta = datasetMetaFromEntries(entries);
  } catch (error) {
    throw new PostgresCatalogueError(`the catalogue in PostgreSQL at ${where} is incomplete: ${(error as Error).message}`);
  }
  const blobTotal = entries.find(([key]) => key === RATING_BLOBS_META_KEY)?.[1];
  if (blobTotal === undefined) {
    throw new PostgresCatalogueError(
      `the catalogue in PostgreSQL at ${where} has no user_rating_blobs (dataset_meta lacks ${RATING_BLOBS_META_KEY}): rebuild it (nx run database:pipeline)`,
    );
  }
  const ratingCount = Number(blobTotal);
  /** A table's row count must be the one dataset_meta recorded. */
  const agrees = <R extends number | unknown[]>(name: string, rows: R, expected: number): R => {
    const n = typeof rows === 'number' ? rows : rows.length;
    if (n !== expected) {
      throw new CatalogueChangedError(
        `${name} in PostgreSQL at ${where} holds ${n} rows, dataset_meta says ${expected}: rebuild it (nx run database:pipeline)`,
      );
    }
    return rows;
  };

  const ratingPages = async (onPage: (page: RatingsColumns) => void): Promise<number> => {
    let seen = 0;
    for (let after = -2_147_483_648; ;) {
      const { rows } = await client.query<unknown[]>({
        text: `SELECT user_id, count, movie_ids, ratings, timestamps FROM ${table('user_rating_blobs')} WHERE user_id > $1 ORDER BY user_id LIMIT ${USERS_PER_PAGE}`,
        values: [after],
        rowMode: 'array',
      });
      if (rows.length === 0) break;
      after = rows[rows.length - 1][0] as number;
      const total = rows.reduce((sum, row) => sum + (row[1] as number), 0);
      seen += total;
      if (seen > ratingCount) break;
      onPage(decodeRatingBlobs(rows[Symbol.iterator](), total));
    }
    if (seen !== ratingCount) {
      throw new CatalogueChangedError(
        `user_rating_blobs in PostgreSQL at ${where} holds ${seen > ratingCount ? 'more than' : seen} ratings, expected ${ratingCount}: rebuild it (nx run database:pipeline)`,
      );
    }
    return seen;
  };

  return {
    meta,
    entries,
    ratingCount,
    async userCount() {
      const users = Number(
        (await client.query<[string]>({ text: `SELECT count(*) FROM ${table('user_rating_blobs')}`, rowMode: 'array' })).rows[0][0],
      );
      return agrees('user_rating_blobs', users, meta.counts.users);
    },
    async movies() {
      const { rows } = await client.query<[number, string, number | null, string, string]>({
        text: `SELECT movie_id, title, year, genres, title_search FROM ${table('movies')} ORDER BY movie_id`,
        rowMode: 'array',
      });
      agrees('movies', rows.length, meta.counts.movies);
      return rows.map(([movieId, title, year, genres, titleSearch]) => ({
        movieId,
        title,
        year,
        genres: genres === '' ? [] : genres.split('|'),
        titleSearch,
      }));
    },
    async movieGenres() {
      const sql = `SELECT genre, movie_id FROM ${table('movie_genres')} ORDER BY genre, movie_id`;
      const { rows } = await client.query<[string, number]>({ text: sql, rowMode: 'array' });
      return agrees('movie_genres', rows, meta.counts.movieGenres);
    },
    async movieTagCounts() {
      const sql = `SELECT movie_id, lower(tag) AS tag, count(*)::int FROM ${table('tags')} GROUP BY 1, 2 ORDER BY 1, 2`;
      const { rows } = await client.query<[number, string, number]>({ text: sql, rowMode: 'array' });
      return rows.map(([movieId, tag, count]) => ({ movieId, tag, count }));
    },
    async genomeScores() {
      // A catalogue loaded before the genome tables existed records no genome count: nothing to read.
      if (meta.counts.genomeScores === 0) return { movieIds: new Int32Array(0), tagIds: new Int32Array(0), relevance: new Float32Array(0) };
      const sql = `SELECT movie_id, array_agg(tag_id ORDER BY tag_id), array_agg(relevance ORDER BY tag_id) FROM ${table('genome_scores')} GROUP BY 1 ORDER BY 1`;
      const { rows } = await client.query<[number, number[], number[]]>({ text: sql, rowMode: 'array' });
      const n = rows.reduce((sum, row) => sum + row[1].length, 0);
      agrees('genome_scores', n, meta.counts.genomeScores);
      const out: GenomeColumns = { movieIds: new Int32Array(n), tagIds: new Int32Array(n), relevance: new Float32Array(n) };
      let at = 0;
      for (const [movieId, tagIds, relevance] of rows) {
        out.movieIds.fill(movieId, at, at + tagIds.length);
        out.tagIds.set(tagIds, at);
        out.relevance.set(relevance, at);
        at += tagIds.length;
      }
      return out;
    },
    ratingPages,
    async ratingsColumns() {
      const columns: RatingsColumns = {
        userIds: new Int32Array(ratingCount),
        movieIds: new Int32Array(ratingCount),
        ratings: new Float32Array(ratingCount),
        timestamps: new Float64Array(ratingCount),
      };
      let at = 0;
      await ratingPages((page) => {
        columns.userIds.set(page.userIds, at);
        columns.movieIds.set(page.movieIds, at);
        columns.ratings.set(page.ratings, at);
        columns.timestamps.set(page.timestamps, at);
        at += page.userIds.length;
      });
      return columns;
    },
  };
}
