import { readFileSync } from 'node:fs';
import { sha256 } from '@reelrank/artifacts';

/**
 * Every rating as parallel columns (the shape `readRatingsColumns` of @reelrank/database returns).
 * All trainer logic takes this value, so tests and benchmarks never need a database.
 */
export interface RatingsColumns {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
  timestamps: Float64Array;
}

export function emptyColumns(length: number): RatingsColumns {
  return {
    userIds: new Int32Array(length),
    movieIds: new Int32Array(length),
    ratings: new Float32Array(length),
    timestamps: new Float64Array(length),
  };
}

/** The rows at `rows` (kept in the given order) as new columns. */
export function selectRows(columns: RatingsColumns, rows: ArrayLike<number>): RatingsColumns {
  const out = emptyColumns(rows.length);
  for (let n = 0; n < rows.length; n++) {
    const r = rows[n];
    out.userIds[n] = columns.userIds[r];
    out.movieIds[n] = columns.movieIds[r];
    out.ratings[n] = columns.ratings[r];
    out.timestamps[n] = columns.timestamps[r];
  }
  return out;
}

/** Concatenation of several column sets, in order. */
export function concatColumns(...parts: RatingsColumns[]): RatingsColumns {
  const out = emptyColumns(parts.reduce((sum, p) => sum + p.ratings.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.userIds.set(p.userIds, offset);
    out.movieIds.set(p.movieIds, offset);
    out.ratings.set(p.ratings, offset);
    out.timestamps.set(p.timestamps, offset);
    offset += p.ratings.length;
  }
  return out;
}

/** sha256 over the raw bytes of the columns: the data hash when no database metadata is at hand. */
export function hashColumns(columns: RatingsColumns): string {
  const parts = [columns.userIds, columns.movieIds, columns.ratings, columns.timestamps].map(
    (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
  );
  const all = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.byteLength;
  }
  return sha256(all);
}

/**
 * A tiny reader for MovieLens-style `userId,movieId,rating,timestamp` CSV files (header row,
 * LF or CRLF line endings, no quoting): benchmarks and tests use it instead of a database.
 */
export function readRatingsCsv(path: string): RatingsColumns {
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/);
  const header = lines[0].trim().split(',');
  const col = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${path}: header lacks ${name} (got ${header.join(',')})`);
    return index;
  };
  const [cu, cm, cr, ct] = [col('userId'), col('movieId'), col('rating'), col('timestamp')];
  let count = 0;
  for (let l = 1; l < lines.length; l++) if (lines[l].trim() !== '') count++;
  const out = emptyColumns(count);
  let n = 0;
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l].trim();
    if (line === '') continue;
    const f = line.split(',');
    out.userIds[n] = Number(f[cu]);
    out.movieIds[n] = Number(f[cm]);
    out.ratings[n] = Number(f[cr]);
    out.timestamps[n] = Number(f[ct]);
    if (!Number.isFinite(out.ratings[n]) || !Number.isInteger(out.userIds[n])) throw new Error(`${path}:${l + 1}: bad row "${line}"`);
    n++;
  }
  return out;
}
