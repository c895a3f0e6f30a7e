import { basename } from 'node:path';
import type { MovieLensFormat } from './datasets.js';
import { RatingsBuffer } from './ratings-buffer.js';
import { streamRows } from './stream-rows.js';

export interface ParsedRatings {
  file: string;
  format: MovieLensFormat;
  ratings: RatingsBuffer;
  /** Data rows seen (header excluded). */
  read: number;
  malformed: number;
  /** The first few malformed rows, for the log. */
  malformedExamples: string[];
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

const DELIMITERS: Record<MovieLensFormat, string> = { csv: ',', dat: '::', '100k': '\t' };

/** Which format a ratings (or tags/movies) file uses, from its name. */
export function formatOfFile(fileName: string): MovieLensFormat {
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

/**
 * One ratings row -> [userId, movieId, rating, timestamp], or null when malformed (wrong column
 * count, non-numeric id, NaN rating). A rating outside 0.5..5 is not malformed: cleaning counts it.
 */
export function parseRatingFields(
  fields: readonly string[],
  columns: RatingColumns = STANDARD_RATING_COLUMNS,
): [number, number, number, number] | null {
  if (fields.length !== columns.count) return null;
  const user = parseId(fields[columns.user]);
  const movie = parseId(fields[columns.movie]);
  if (user === null || movie === null) return null;
  const ratingText = fields[columns.rating].trim();
  const rating = ratingText === '' ? NaN : Number(ratingText);
  if (!Number.isFinite(rating)) return null;
  const tsText = fields[columns.timestamp].trim();
  if (!INT.test(tsText)) return null;
  const timestamp = Number(tsText);
  if (Math.abs(timestamp) > INT32_MAX) return null;
  return [user, movie, rating, timestamp];
}

/** Maps a csv header to column positions; throws naming the missing columns. */
export function ratingColumnsFromHeader(header: readonly string[], file: string): RatingColumns {
  const names = header.map((name) => name.replace(/^\uFEFF/, '').trim().toLowerCase());
  const find = (name: string) => names.indexOf(name.toLowerCase());
  const columns = { user: find('userId'), movie: find('movieId'), rating: find('rating'), timestamp: find('timestamp'), count: names.length };
  const missing = Object.entries(columns).filter(([, index]) => index < 0).map(([key]) => key);
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
  const ratings = new RatingsBuffer(1 << 16);
  let columns: RatingColumns | null = format === 'csv' ? null : STANDARD_RATING_COLUMNS;
  let read = 0;
  let malformed = 0;
  const malformedExamples: string[] = [];
  await streamRows(path, {
    delimiter: DELIMITERS[format],
    quoted: format === 'csv',
    onProgress: options.onProgress,
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
      const row = broken ? null : parseRatingFields(fields, columns);
      if (row === null) {
        malformed += 1;
        if (malformedExamples.length < 3) malformedExamples.push(`row ${read}: ${fields.join(DELIMITERS[format])}`);
        return;
      }
      ratings.push(row[0], row[1], row[2], row[3]);
    },
  });
  if (ratings.length === 0) {
    throw new Error(
      `${path}: no valid ratings among ${read} rows (${malformed} malformed${malformedExamples.length ? `, e.g. ${malformedExamples[0]}` : ''})`,
    );
  }
  return { file, format, ratings, read, malformed, malformedExamples };
}
