import type Database from 'better-sqlite3';
import type { DbConnection } from './create-db.js';
import type { TableCounts } from './load-database.js';
import { BLOBS_SUPPORTED, decodeRatingBlobs, RATING_BLOBS_META_KEY } from './rating-blobs.js';

/**
 * Read queries for the trainer, the API and the report. Plain functions taking a connection from
 * openDatabase(); each SQL text is prepared once per connection (cached in a WeakMap keyed by the
 * better-sqlite3 handle, so it goes away with the connection) and every call is synchronous.
 */

export interface Movie {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
}

export interface UserRating {
  movieId: number;
  rating: number;
  /** Unix seconds. */
  timestamp: number;
}

/** Every rating as parallel columns, ordered by (userId, movieId): the trainer's input. */
export interface RatingsColumns {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
  timestamps: Float64Array;
}

export interface DatasetMeta {
  dataset: string;
  dataHash: string;
  loadedAt: string;
  counts: TableCounts;
}

type Connection = Pick<DbConnection, 'sqlite'>;
type MovieRow = { movieId: number; title: string; year: number | null; genres: string };

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(conn: Connection, sql: string): Database.Statement {
  let cache = statements.get(conn.sqlite);
  if (!cache) statements.set(conn.sqlite, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = conn.sqlite.prepare(sql)));
  return statement;
}

const MOVIE_COLUMNS = 'm.movie_id AS movieId, m.title, m.year, m.genres';

function toMovie(row: MovieRow): Movie {
  return { movieId: row.movieId, title: row.title, year: row.year, genres: row.genres === '' ? [] : row.genres.split('|') };
}

/**
 * Every rating as parallel columns ordered by (userId, movieId). Reads the packed per-user rows of
 * user_rating_blobs (~138k rows at ml-20m) when loadDatabase wrote them, else the ratings table.
 */
export function readRatingsColumns(conn: Connection): RatingsColumns {
  if (BLOBS_SUPPORTED) {
    const total = prepared(conn, 'SELECT value FROM dataset_meta WHERE key = ?').pluck().get(RATING_BLOBS_META_KEY) as string | undefined;
    if (total !== undefined) {
      const rows = prepared(conn, 'SELECT user_id, count, movie_ids, ratings, timestamps FROM user_rating_blobs ORDER BY user_id');
      return decodeRatingBlobs(rows.raw(true).iterate() as IterableIterator<unknown[]>, Number(total));
    }
  }
  return readRatingsColumnsSql(conn);
}

/** readRatingsColumns from the ratings table row by row (databases without user_rating_blobs). */
export function readRatingsColumnsSql(conn: Connection): RatingsColumns {
  const total = prepared(conn, 'SELECT COUNT(*) FROM ratings').pluck().get() as number;
  const columns: RatingsColumns = {
    userIds: new Int32Array(total),
    movieIds: new Int32Array(total),
    ratings: new Float32Array(total),
    timestamps: new Float64Array(total),
  };
  const rows = prepared(conn, 'SELECT user_id, movie_id, rating, timestamp FROM ratings ORDER BY user_id, movie_id');
  let i = 0;
  for (const row of rows.raw(true).iterate() as IterableIterator<[number, number, number, number]>) {
    columns.userIds[i] = row[0];
    columns.movieIds[i] = row[1];
    columns.ratings[i] = row[2];
    columns.timestamps[i] = row[3];
    i += 1;
  }
  return columns;
}

export function getAllMovies(conn: Connection): Movie[] {
  const rows = prepared(conn, `SELECT ${MOVIE_COLUMNS} FROM movies m ORDER BY m.movie_id`).all() as MovieRow[];
  return rows.map(toMovie);
}

/** How often each tag (lower-cased) was applied to each movie, by movie then tag: the train stage's content features. */
export function getMovieTagCounts(conn: Connection): Array<{ movieId: number; tag: string; count: number }> {
  const sql =
    'SELECT movie_id AS movieId, lower(tag) AS tag, COUNT(*) AS count FROM tags GROUP BY movie_id, lower(tag) ORDER BY movie_id, lower(tag)';
  return prepared(conn, sql).all() as Array<{ movieId: number; tag: string; count: number }>;
}

/** The tag genome's scores as parallel columns, ordered by (movieId, tagId); empty when the data set has no genome. */
export interface GenomeColumns {
  movieIds: Int32Array;
  tagIds: Int32Array;
  relevance: Float32Array;
}

/** genome_scores as columns (12 bytes a row: ml-20m's 11.7M scores are 140 MB, not a million objects). */
export function getGenomeScores(conn: Connection): GenomeColumns {
  const hasTable = prepared(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'genome_scores'").get() !== undefined;
  if (!hasTable) return { movieIds: new Int32Array(0), tagIds: new Int32Array(0), relevance: new Float32Array(0) };
  const n = prepared(conn, 'SELECT COUNT(*) FROM genome_scores').pluck().get() as number;
  const out: GenomeColumns = { movieIds: new Int32Array(n), tagIds: new Int32Array(n), relevance: new Float32Array(n) };
  let i = 0;
  const rows = prepared(conn, 'SELECT movie_id, tag_id, relevance FROM genome_scores ORDER BY movie_id, tag_id').raw().iterate() as Iterable<
    [number, number, number]
  >;
  for (const [movieId, tagId, relevance] of rows) {
    if (i === n) break;
    out.movieIds[i] = movieId;
    out.tagIds[i] = tagId;
    out.relevance[i++] = relevance;
  }
  return i === n ? out : { movieIds: out.movieIds.subarray(0, i), tagIds: out.tagIds.subarray(0, i), relevance: out.relevance.subarray(0, i) };
}

export function getMovie(conn: Connection, movieId: number): Movie | undefined {
  const row = prepared(conn, `SELECT ${MOVIE_COLUMNS} FROM movies m WHERE m.movie_id = ?`).get(movieId) as MovieRow | undefined;
  return row && toMovie(row);
}

/** The movies among `movieIds`, in the order given; unknown ids are skipped. One statement for any count. */
export function getMoviesByIds(conn: Connection, movieIds: readonly number[]): Movie[] {
  if (movieIds.length === 0) return [];
  // CROSS JOIN pins the join order: walk the id list, look each id up by primary key.
  const sql = `SELECT ${MOVIE_COLUMNS} FROM json_each(?) AS j CROSS JOIN movies m ON m.movie_id = j.value ORDER BY j.key`;
  return (prepared(conn, sql).all(JSON.stringify(movieIds)) as MovieRow[]).map(toMovie);
}

export function getUserRatings(conn: Connection, userId: number): UserRating[] {
  const sql = 'SELECT movie_id AS movieId, rating, timestamp FROM ratings WHERE user_id = ? ORDER BY movie_id';
  return prepared(conn, sql).all(userId) as UserRating[];
}

/** Answered from the (user_id, movie_id) primary-key index alone. */
export function getUserRatedMovieIds(conn: Connection, userId: number): number[] {
  return prepared(conn, 'SELECT movie_id FROM ratings WHERE user_id = ? ORDER BY movie_id').pluck().all(userId) as number[];
}

/** Distinct genres, alphabetically (from the movie_genres primary-key index). */
export function listGenres(conn: Connection): string[] {
  return prepared(conn, 'SELECT DISTINCT genre FROM movie_genres ORDER BY genre').pluck().all() as string[];
}

/** Provenance written by loadDatabase; throws if the database was not built by it. */
export function getDatasetMeta(conn: Connection): DatasetMeta {
  return datasetMetaFromEntries(prepared(conn, 'SELECT key, value FROM dataset_meta').raw(true).all() as [string, string][]);
}

/** DatasetMeta from the (key, value) rows of dataset_meta, whichever database they come from (SQLite or PostgreSQL). */
export function datasetMetaFromEntries(rows: Iterable<readonly [string, string]>): DatasetMeta {
  const meta = Object.fromEntries(rows) as Record<string, string>;
  const required = ['dataset', 'dataHash', 'loadedAt'];
  const missing = required.filter((key) => meta[key] === undefined);
  if (missing.length > 0) throw new Error(`dataset_meta lacks ${missing.join(', ')}: rebuild the database (nx run database:pipeline)`);
  return { dataset: meta.dataset, dataHash: meta.dataHash, loadedAt: meta.loadedAt, counts: metaCounts((key) => meta[key]) };
}

/** The row counts dataset_meta records (`count.<table>`; 0 when absent). */
export function metaCounts(get: (key: string) => string | undefined): TableCounts {
  const count = (table: keyof TableCounts) => Number(get(`count.${table}`) ?? 0);
  return {
    movies: count('movies'),
    movieGenres: count('movieGenres'),
    ratings: count('ratings'),
    users: count('users'),
    links: count('links'),
    tags: count('tags'),
    genomeTags: count('genomeTags'),
    genomeScores: count('genomeScores'),
  };
}
