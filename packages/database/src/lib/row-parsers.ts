import { CsvFormatError } from './csv-stream.js';
import { normalizeTitle } from './title-search.js';

/**
 * What one row of a processed CSV means, shared by both loaders (SQLite inserts and PostgreSQL
 * COPY): the field checks and the derived values (genres list, title_search) are computed here once.
 * `r` is a parsed row, `col[i]` the position of the loader's i-th column, `row` the 1-based data row.
 */

/** Field parsers that name the file, row and column of a bad value. */
export class FieldReader {
  constructor(private readonly file: string) {}

  int(value: string, column: string, row: number): number {
    const n = Number(value);
    if (value === '' || !Number.isSafeInteger(n)) throw this.bad(value, column, row, 'an integer');
    return n;
  }

  intOrNull(value: string, column: string, row: number): number | null {
    return value.trim() === '' ? null : this.int(value, column, row);
  }

  rating(value: string, column: string, row: number): number {
    const n = Number(value);
    if (value === '' || !(n >= 0.5 && n <= 5)) throw this.bad(value, column, row, 'a rating between 0.5 and 5.0');
    return n;
  }

  /** A finite decimal number (the genome's relevance). */
  number(value: string, column: string, row: number): number {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw this.bad(value, column, row, 'a number');
    return n;
  }

  text(value: string, column: string, row: number): string {
    if (value.trim() === '') throw this.bad(value, column, row, 'a non-empty text');
    return value;
  }

  private bad(value: string, column: string, row: number, expected: string): CsvFormatError {
    return new CsvFormatError(this.file, row, `${column} must be ${expected}, found "${value.slice(0, 40)}"`);
  }
}

export interface MovieRow {
  movieId: number;
  title: string;
  year: number | null;
  /** In source order (a repeated genre stays repeated here; movie_genres holds it once); empty for "(no genres listed)". */
  genres: string[];
  titleSearch: string;
}

/** movies.csv columns movieId, title, year, genres. */
export function parseMovieRow(read: FieldReader, r: string[], col: readonly number[], row: number): MovieRow {
  const movieId = read.int(r[col[0]], 'movieId', row);
  const title = read.text(r[col[1]], 'title', row);
  // "(no genres listed)" is MovieLens' spelling of "none"; the contract says empty.
  const genres = r[col[3]] === '(no genres listed)' ? [] : r[col[3]].split('|').filter((g) => g !== '');
  return { movieId, title, year: read.intOrNull(r[col[2]], 'year', row), genres, titleSearch: normalizeTitle(title) };
}

/** links.csv columns movieId, imdbId, tmdbId; imdbId stays text (leading zeros). */
export function parseLinkRow(read: FieldReader, r: string[], col: readonly number[], row: number) {
  const imdbId = r[col[1]].trim();
  return { movieId: read.int(r[col[0]], 'movieId', row), imdbId: imdbId === '' ? null : imdbId, tmdbId: read.intOrNull(r[col[2]], 'tmdbId', row) };
}

/** tags.csv columns userId, movieId, tag, timestamp. */
export function parseTagRow(read: FieldReader, r: string[], col: readonly number[], row: number) {
  return {
    userId: read.int(r[col[0]], 'userId', row),
    movieId: read.int(r[col[1]], 'movieId', row),
    tag: r[col[2]],
    timestamp: read.int(r[col[3]], 'timestamp', row),
  };
}

/** genome-tags.csv columns tagId, tag. */
export function parseGenomeTagRow(read: FieldReader, r: string[], col: readonly number[], row: number) {
  return { tagId: read.int(r[col[0]], 'tagId', row), tag: read.text(r[col[1]], 'tag', row) };
}

/** genome-scores.csv columns movieId, tagId, relevance. */
export function parseGenomeScoreRow(read: FieldReader, r: string[], col: readonly number[], row: number) {
  return {
    movieId: read.int(r[col[0]], 'movieId', row),
    tagId: read.int(r[col[1]], 'tagId', row),
    relevance: read.number(r[col[2]], 'relevance', row),
  };
}

/**
 * The fast ratings paths' range check (the row path's is FieldReader.rating): a value outside
 * 0.5..5 in ingest's own output means a corrupt file; names the data row.
 */
export function checkRatingRange(file: string, rating: number, row: number): void {
  if (!(rating >= 0.5 && rating <= 5)) throw new CsvFormatError(file, row, `rating must be a rating between 0.5 and 5.0, found "${rating}"`);
}
