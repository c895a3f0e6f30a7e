import { basename } from 'node:path';
import { RatingsBuffer } from './ratings-buffer.js';
import { readPlainRatings } from './ratings-bytes.js';
import { streamRows } from './stream-rows.js';

/** The three MovieLens layouts: ratings.csv (ml-latest, ml-20m and later), ratings.dat ('::', ml-1m/10m), u.data (tabs, ml-100k). */
export type RatingsFileFormat = 'csv' | 'dat' | '100k';

export interface ParsedRatings {
  file: string;
  format: RatingsFileFormat;
  ratings: RatingsBuffer;
  /** Data rows seen (header excluded). */
  read: number;
  malformed: number;
  /** The first few malformed rows, for the log. */
  malformedExamples: string[];
  /** `bytes`: read by the plain-form byte reader; `rows`: by the general CSV reader (the file is not in the plain form). */
  reader: 'bytes' | 'rows';
  /**
   * True when the file is byte for byte its rows in the canonical form (header
   * userId,movieId,rating,timestamp, LF endings, no blank line, no leading zero, one decimal per
   * rating, a final newline), i.e. what a writer of that form would produce from `ratings`.
   */
  canonical: boolean;
}

export interface ParseProgress {
  onProgress?: (rows: number, fraction: number) => void;
}

/** Column positions of userId, movieId, rating, timestamp, and how many columns a row has. */
export interface RatingColumns {
  user: number;
  movie: number;
  rating: number;
  timestamp: number;
  count: number;
}

export const STANDARD_RATING_COLUMNS: RatingColumns = { user: 0, movie: 1, rating: 2, timestamp: 3, count: 4 };

const DELIMITERS: Record<RatingsFileFormat, string> = { csv: ',', dat: '::', '100k': '\t' };

/** Which format a ratings (or tags/movies) file uses, from its name. */
export function formatOfFile(fileName: string): RatingsFileFormat {
  const name = basename(fileName);
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.dat')) return 'dat';
  if (name === 'u.data' || name === 'u.item') return '100k';
  throw new Error(`Unrecognised MovieLens file ${name}`);
}

const UINT = /^\d+$/;
const INT = /^-?\d+$/;
const INT32_MAX = 2 ** 31 - 1;

/** An id as MovieLens writes it: a positive integer that fits an Int32. */
export function parseId(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (!UINT.test(trimmed)) return null;
  const value = Number(trimmed);
  return value > 0 && value <= INT32_MAX ? value : null;
}

/** Plain digits (no sign, space or dot, at most 10 of them) -> their value, else -1. The fast path of 20M-row files. */
function digitsValue(text: string): number {
  const n = text.length;
  if (n === 0 || n > 10) return -1;
  let value = 0;
  for (let i = 0; i < n; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** parseId without regex or trim for the usual plain-digits text; NaN-free fallback to parseId otherwise. */
function fastId(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = digitsValue(text);
  if (value > 0 && value <= INT32_MAX) return value;
  return value === -1 ? parseId(text) : null;
}

function fastRating(text: string): number {
  // "4", "3.5", "4.0": the MovieLens spellings, read without allocating.
  if (text.length === 3 && text.charCodeAt(1) === 46) {
    const whole = text.charCodeAt(0) - 48;
    const tenth = text.charCodeAt(2) - 48;
    if (whole >= 0 && whole <= 9 && tenth >= 0 && tenth <= 9) return whole + tenth / 10;
  } else if (text.length === 1) {
    const whole = text.charCodeAt(0) - 48;
    if (whole >= 0 && whole <= 9) return whole;
  }
  const trimmed = text.trim();
  return trimmed === '' ? NaN : Number(trimmed);
}

function fastTimestamp(text: string): number {
  const value = digitsValue(text);
  if (value >= 0 && value <= INT32_MAX) return value;
  const trimmed = text.trim();
  if (!INT.test(trimmed)) return NaN;
  const parsed = Number(trimmed);
  return Math.abs(parsed) > INT32_MAX ? NaN : parsed;
}

/**
 * Appends one ratings row to `out`, or returns false when it is malformed (wrong column count,
 * non-numeric id, NaN rating, timestamp that is not an integer fitting an Int32). Same rules as
 * parseRatingFields, without allocating a tuple per row.
 */
export function pushRatingFields(fields: readonly string[], columns: RatingColumns, out: RatingsBuffer): boolean {
  if (fields.length !== columns.count) return false;
  const user = fastId(fields[columns.user]);
  if (user === null) return false;
  const movie = fastId(fields[columns.movie]);
  if (movie === null) return false;
  const rating = fastRating(fields[columns.rating]);
  if (!Number.isFinite(rating)) return false;
  const timestamp = fastTimestamp(fields[columns.timestamp]);
  if (Number.isNaN(timestamp)) return false;
  out.push(user, movie, rating, timestamp);
  return true;
}

/**
 * One ratings row -> [userId, movieId, rating, timestamp], or null when malformed (wrong column
 * count, non-numeric id, NaN rating). A rating outside 0.5..5 is not malformed: cleaning counts it.
 */
export function parseRatingFields(
  fields: readonly string[],
  columns: RatingColumns = STANDARD_RATING_COLUMNS,
): [number, number, number, number] | null {
  if (fields.length !== columns.count) return null;
  const user = fastId(fields[columns.user]);
  const movie = fastId(fields[columns.movie]);
  if (user === null || movie === null) return null;
  const rating = fastRating(fields[columns.rating]);
  if (!Number.isFinite(rating)) return null;
  const timestamp = fastTimestamp(fields[columns.timestamp]);
  if (Number.isNaN(timestamp)) return null;
  return [user, movie, rating, timestamp];
}

/** Maps a csv header to column positions; throws naming the missing columns. */
export function ratingColumnsFromHeader(header: readonly string[], file: string): RatingColumns {
  const names = header.map((name) =>
    name
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  const find = (name: string) => names.indexOf(name.toLowerCase());
  const columns = { user: find('userId'), movie: find('movieId'), rating: find('rating'), timestamp: find('timestamp'), count: names.length };
  const missing = Object.entries(columns)
    .filter(([, index]) => index < 0)
    .map(([key]) => key);
  if (missing.length > 0) {
    throw new Error(`${file}: header "${header.join(',')}" lacks ${missing.join(', ')} (expected userId,movieId,rating,timestamp)`);
  }
  return columns;
}

/**
 * Streams ratings.csv (header userId,movieId,rating,timestamp), ratings.dat
 * (UserID::MovieID::Rating::Timestamp) or u.data (tab separated, no header) into a RatingsBuffer.
 * Malformed rows are counted and skipped; a file with no valid row at all is an error.
 */
export async function parseRatingsFile(path: string, options: ParseProgress = {}): Promise<ParsedRatings> {
  const file = basename(path);
  const format = formatOfFile(file);
  const plain = new RatingsBuffer(1 << 16);
  const read = await readPlainRatings(path, DELIMITERS[format], format === 'csv', plain, options.onProgress);
  if (read !== null && read.rows > 0) {
    options.onProgress?.(read.rows, 1);
    return { file, format, ratings: plain, read: read.rows, malformed: 0, malformedExamples: [], reader: 'bytes', canonical: read.canonical };
  }
  return parseRatingRows(path, file, format, options);
}

/** The general path: every row through the CSV reader, malformed ones counted and skipped. */
async function parseRatingRows(path: string, file: string, format: RatingsFileFormat, options: ParseProgress): Promise<ParsedRatings> {
  const ratings = new RatingsBuffer(1 << 16);
  let sized = false;
  let columns: RatingColumns | null = format === 'csv' ? null : STANDARD_RATING_COLUMNS;
  let read = 0;
  let malformed = 0;
  const malformedExamples: string[] = [];
  await streamRows(path, {
    delimiter: DELIMITERS[format],
    quoted: format === 'csv',
    onProgress(rows, fraction) {
      // Once 1% is read, reserve room for the whole file (rows per byte so far, +10%), so 20M
      // ratings take one ~22M x 16-byte allocation instead of doubling to 32M with copies.
      if (!sized && fraction >= 0.01 && fraction < 1) {
        sized = true;
        ratings.reserve(Math.ceil((1.1 * rows) / fraction));
      }
      options.onProgress?.(rows, fraction);
    },
    onRow(fields, broken) {
      if (columns === null) {
        // A csv without a header row starts with a number: assume the standard column order.
        if (parseId(fields[0]?.replace(/^\uFEFF/, '')) === null) {
          columns = ratingColumnsFromHeader(fields, file);
          return;
        }
        columns = STANDARD_RATING_COLUMNS;
      }
      read += 1;
      if (broken || !pushRatingFields(fields, columns, ratings)) {
        malformed += 1;
        if (malformedExamples.length < 3) malformedExamples.push(`row ${read}: ${fields.join(DELIMITERS[format])}`);
      }
    },
  });
  if (ratings.length === 0) {
    throw new Error(
      `${path}: no valid ratings among ${read} rows (${malformed} malformed${malformedExamples.length ? `, e.g. ${malformedExamples[0]}` : ''})`,
    );
  }
  return { file, format, ratings, read, malformed, malformedExamples, reader: 'rows', canonical: false };
}
