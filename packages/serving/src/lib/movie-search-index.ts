import { normalizeTitle, type CatalogueMovieRow } from '@reelrank/database';
import type { CatalogMovie, MovieSearch } from './catalog.js';

/**
 * searchMovies of @reelrank/database (packages/database/src/lib/queries.ts) answered from memory, with
 * the same results: the query normalised by the same normalizeTitle; with a query, movies whose
 * title_search starts with it, then those merely containing it, each group ordered by (title_search,
 * movie_id) compared as SQLite's BINARY collation does (UTF-8 bytes, i.e. code points); the genre
 * filter is movie_genres' exact genre; total counts every match; limit and offset floored, >= 0.
 * A linear pass over the titles (~60k at most in MovieLens), kept in that order once at build time.
 */
export class MovieSearchIndex {
  /** Movies in (title_search, movie_id) order. */
  private readonly ordered: { movie: CatalogMovie; titleSearch: string }[];
  private readonly genres = new Map<string, Set<number>>();

  constructor(
    movies: readonly CatalogueMovieRow[],
    movieGenres: readonly [genre: string, movieId: number][],
    toCatalog: (m: CatalogueMovieRow) => CatalogMovie,
  ) {
    this.ordered = movies
      .map((m) => ({ movie: toCatalog(m), titleSearch: m.titleSearch }))
      .sort((a, b) => compareCodePoints(a.titleSearch, b.titleSearch) || a.movie.movieId - b.movie.movieId);
    for (const [genre, movieId] of movieGenres) {
      let members = this.genres.get(genre);
      if (!members) this.genres.set(genre, (members = new Set()));
      members.add(movieId);
    }
  }

  search(options: MovieSearch): { total: number; movies: CatalogMovie[] } {
    const limit = Math.max(0, Math.floor(options.limit));
    const offset = Math.max(0, Math.floor(options.offset ?? 0));
    const query = normalizeTitle(options.query ?? '');
    const members = options.genre === undefined || options.genre === null ? undefined : (this.genres.get(options.genre) ?? new Set<number>());
    const prefix: CatalogMovie[] = [];
    const contains: CatalogMovie[] = [];
    for (const { movie, titleSearch } of this.ordered) {
      if (members && !members.has(movie.movieId)) continue;
      if (titleSearch.startsWith(query)) prefix.push(movie);
      else if (titleSearch.includes(query)) contains.push(movie);
    }
    const hits = contains.length === 0 ? prefix : prefix.concat(contains);
    return { total: hits.length, movies: hits.slice(offset, offset + limit) };
  }
}

/**
 * Orders two strings by code point (as SQLite's BINARY collation orders UTF-8), not by UTF-16 code
 * unit as `<` does: they differ when a surrogate pair (U+10000 and up) meets a unit in U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (D800-DFFF) move above E000-FFFF, the rest keeps its order. */
const codePointRank = (unit: number) => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);
