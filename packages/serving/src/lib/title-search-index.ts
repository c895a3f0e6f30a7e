import { matchTier, NO_MATCH, normalizeTitle, titleKey, titleQuery, type TitleKey } from '@reelrank/database';
import type { CatalogMovie } from './catalog.js';

export interface TitleSearch {
  query?: string;
  /** Canonical genre name (exact). */
  genre?: string;
  limit: number;
  offset: number;
  /** Also list hidden movies (default: never). */
  includeHidden?: boolean;
}

interface Entry {
  movie: CatalogMovie;
  key: TitleKey;
  /** normalizeTitle(title): the order of a list without a query (the stores' order). */
  sortKey: string;
}

/**
 * The served title search, by relevance (title-search.ts of @reelrank/database): exact titles, then
 * titles starting with the query's whole words, then whole words anywhere, then prefixes, then
 * substrings; within a tier the movies of the year the query names first, then by how many people
 * rated them, then by title. Without a query: every movie (of the genre) in the stores' title order. Hidden movies are
 * left out unless asked for. One pass over the titles per query (~87k at most in MovieLens); movies
 * added or changed at run time replace their entry.
 */
export class TitleSearchIndex {
  private readonly entries = new Map<number, Entry>();
  private byTitle: Entry[] | undefined;

  constructor(
    movies: Iterable<CatalogMovie>,
    private readonly ratingCount: (movieId: number) => number,
    private readonly isHidden: (movieId: number) => boolean,
  ) {
    for (const movie of movies) this.put(movie);
  }

  /** Adds a movie or replaces its entry (a title, year or genre change). */
  put(movie: CatalogMovie): void {
    const key = titleKey(movie.title);
    this.entries.set(movie.movieId, { movie, key, sortKey: normalizeTitle(movie.title) });
    this.byTitle = undefined;
  }

  search(options: TitleSearch): { total: number; movies: CatalogMovie[] } {
    const limit = Math.max(0, Math.floor(options.limit));
    const offset = Math.max(0, Math.floor(options.offset));
    const { text, year } = titleQuery(options.query ?? '');
    const visible = (movie: CatalogMovie) =>
      (options.genre === undefined || movie.genres.includes(options.genre)) && (options.includeHidden || !this.isHidden(movie.movieId));
    if (text === '') {
      const hits = this.ordered().filter((e) => visible(e.movie));
      return { total: hits.length, movies: hits.slice(offset, offset + limit).map((e) => e.movie) };
    }
    const hits: { entry: Entry; tier: number; sameYear: number; count: number }[] = [];
    for (const entry of this.entries.values()) {
      const tier = matchTier(entry.key, text);
      if (tier === NO_MATCH || !visible(entry.movie)) continue;
      const sameYear = year !== null && entry.key.year === year ? 0 : 1;
      hits.push({ entry, tier, sameYear, count: this.ratingCount(entry.movie.movieId) });
    }
    hits.sort(
      (a, b) =>
        a.tier - b.tier ||
        a.sameYear - b.sameYear ||
        b.count - a.count ||
        compareCodePoints(a.entry.sortKey, b.entry.sortKey) ||
        a.entry.movie.movieId - b.entry.movie.movieId,
    );
    return { total: hits.length, movies: hits.slice(offset, offset + limit).map((h) => h.entry.movie) };
  }

  private ordered(): Entry[] {
    this.byTitle ??= [...this.entries.values()].sort((a, b) => compareCodePoints(a.sortKey, b.sortKey) || a.movie.movieId - b.movie.movieId);
    return this.byTitle;
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
