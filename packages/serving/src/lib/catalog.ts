import {
  getAllMovies,
  getDatasetMeta,
  getUserRatedMovieIds,
  getUserRatings,
  openDatabase,
  readRatingsColumns,
  type DbConnection,
} from '@reelrank/database';

/**
 * Everything the API reads from the database, behind one small interface: the SQLite
 * implementation here, the PostgreSQL one (postgres-catalog.ts, read once into memory) and, for
 * tests, the in-memory one. catalog-source.ts picks between the first two.
 */

export interface CatalogMovie {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
}

export interface CatalogRating {
  movieId: number;
  rating: number;
  timestamp: number;
}

export interface MovieSearch {
  query?: string;
  genre?: string;
  limit: number;
  offset: number;
}

/**
 * Every rating grouped by user (CSR): user `userIds[r]` rated `movieIds[offsets[r] .. offsets[r+1])`
 * with `ratings[...]`. Read once when a model is loaded; the server keeps no per-request DB query.
 */
export interface RatingTable {
  userIds: Int32Array;
  offsets: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
}

/** Groups (userId, movieId, rating) columns sorted by user into a RatingTable. */
export function ratingTableFromColumns(columns: { userIds: Int32Array; movieIds: Int32Array; ratings: Float32Array }): RatingTable {
  const total = columns.userIds.length;
  let users = 0;
  for (let r = 0; r < total; r++) if (r === 0 || columns.userIds[r] !== columns.userIds[r - 1]) users++;
  const userIds = new Int32Array(users);
  const offsets = new Int32Array(users + 1);
  let u = -1;
  for (let r = 0; r < total; r++) {
    if (r === 0 || columns.userIds[r] !== columns.userIds[r - 1]) {
      u++;
      userIds[u] = columns.userIds[r];
      offsets[u] = r;
    }
  }
  offsets[users] = total;
  return { userIds, offsets, movieIds: columns.movieIds, ratings: columns.ratings };
}

export interface MovieCatalog {
  /** Every movie, loaded once at start. */
  allMovies(): CatalogMovie[];
  /** Every rating grouped by user (read once per model load). */
  ratingTable(): RatingTable;
  /** Movies the user has rated (empty for an unknown user). */
  ratedMovieIds(userId: number): number[];
  /** The user's ratings in the data set, by movie id (timestamps in Unix seconds). */
  userRatings(userId: number): CatalogRating[];
  /** Dataset the database was built from, when it records one. */
  dataset(): string | undefined;
  close(): void;
}

/** The server's SQLite catalogue; `connection` is exposed so a test can prove it is read-only. */
export interface SqliteMovieCatalog extends MovieCatalog {
  readonly connection: DbConnection;
}

/**
 * The server opens the database READ-ONLY (SQLITE_OPEN_READONLY, and the file must exist): a
 * write through this connection fails with SQLITE_READONLY, so no request can change the data.
 */
export function openSqliteCatalog(dbPath: string): SqliteMovieCatalog {
  const conn = openDatabase(dbPath, { readonly: true });
  // The memory map serves the full scan of ratingTable only; kept, its pages would stay resident in every server process.
  const scanMapBytes = Number(conn.sqlite.pragma('mmap_size', { simple: true }));
  conn.sqlite.pragma('mmap_size = 0');
  return {
    connection: conn,
    allMovies: () => getAllMovies(conn),
    ratedMovieIds: (userId) => getUserRatedMovieIds(conn, userId),
    userRatings: (userId) => getUserRatings(conn, userId),
    ratingTable: () => {
      conn.sqlite.pragma(`mmap_size = ${scanMapBytes}`);
      try {
        return ratingTableFromColumns(readRatingsColumns(conn));
      } finally {
        conn.sqlite.pragma('mmap_size = 0');
      }
    },
    dataset: () => {
      try {
        return getDatasetMeta(conn).dataset;
      } catch {
        return undefined;
      }
    },
    close: () => conn.close(),
  };
}

/**
 * A catalogue held in memory: for tests and tools. Each user's ratings are movie ids (rated 4) or
 * [movieId, rating] pairs (timestamp 0).
 */
export function inMemoryCatalog(
  movies: CatalogMovie[],
  ratedByUser: Record<number, Array<number | [movieId: number, rating: number]>> = {},
  dataset?: string,
): MovieCatalog {
  const sorted = [...movies].sort((a, b) => a.movieId - b.movieId);
  const pairs = (userId: number) =>
    (ratedByUser[userId] ?? []).map((r) => (typeof r === 'number' ? [r, 4] : r) as [number, number]).sort((a, b) => a[0] - b[0]);
  return {
    allMovies: () => sorted,
    ratedMovieIds: (userId) => pairs(userId).map((p) => p[0]),
    userRatings: (userId) => pairs(userId).map(([movieId, rating]) => ({ movieId, rating, timestamp: 0 })),
    ratingTable: () => {
      const users = Object.keys(ratedByUser)
        .map(Number)
        .sort((a, b) => a - b);
      const rows = users.flatMap((u) => pairs(u).map(([m, r]) => [u, m, r]));
      return ratingTableFromColumns({
        userIds: Int32Array.from(rows, (r) => r[0]),
        movieIds: Int32Array.from(rows, (r) => r[1]),
        ratings: Float32Array.from(rows, (r) => r[2]),
      });
    },
    dataset: () => dataset,
    close: () => undefined,
  };
}
