import { getAllMovies, getDatasetMeta, getUserRatedMovieIds, openDatabase, searchMovies } from '@reelrank/database';

/**
 * Everything the API reads from the database, behind one small interface: the SQLite
 * implementation is the only place that knows @reelrank/database, and tests can use the
 * in-memory one.
 */

export interface CatalogMovie {
  movieId: number;
  title: string;
  year: number | null;
  genres: string[];
}

export interface MovieSearch {
  query?: string;
  genre?: string;
  limit: number;
  offset: number;
}

export interface MovieCatalog {
  /** Every movie, loaded once at start. */
  allMovies(): CatalogMovie[];
  /** Movies the user has rated (empty for an unknown user). */
  ratedMovieIds(userId: number): number[];
  searchMovies(search: MovieSearch): { total: number; movies: CatalogMovie[] };
  /** Dataset the database was built from, when it records one. */
  dataset(): string | undefined;
  close(): void;
}

export function openSqliteCatalog(dbPath: string): MovieCatalog {
  const conn = openDatabase(dbPath, { readonly: true });
  return {
    allMovies: () => getAllMovies(conn),
    ratedMovieIds: (userId) => getUserRatedMovieIds(conn, userId),
    searchMovies: (search) => searchMovies(conn, search),
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

/** A catalogue held in memory: for tests and tools. */
export function inMemoryCatalog(movies: CatalogMovie[], ratedByUser: Record<number, number[]> = {}, dataset?: string): MovieCatalog {
  const sorted = [...movies].sort((a, b) => a.movieId - b.movieId);
  return {
    allMovies: () => sorted,
    ratedMovieIds: (userId) => [...(ratedByUser[userId] ?? [])],
    searchMovies: ({ query, genre, limit, offset }) => {
      const q = query?.toLowerCase() ?? '';
      const hits = sorted
        .filter((m) => m.title.toLowerCase().includes(q) && (!genre || m.genres.includes(genre)))
        .sort((a, b) => a.title.localeCompare(b.title) || a.movieId - b.movieId);
      return { total: hits.length, movies: hits.slice(offset, offset + limit) };
    },
    dataset: () => dataset,
    close: () => undefined,
  };
}
