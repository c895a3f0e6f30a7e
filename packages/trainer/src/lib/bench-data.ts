import { tmpdir } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRatingsFile } from '@reelrank/csv';
import { generateSyntheticMovieLens, scaledMl20mShape, SYNTHETIC_GENERATOR_VERSION } from '@reelrank/ingest';
import { emptyColumns, type RatingsColumns } from './ratings.js';

/**
 * The benchmark's deterministic MovieLens-shaped data set: generated once by
 * `generateSyntheticMovieLens` (seed 42), parsed once by the ingest parser, then cached as a raw
 * binary of the user / movie / rating columns (12 bytes a rating) so later runs load 20M ratings in
 * well under a second instead of re-parsing a 540 MB CSV.
 */
export interface BenchDataOptions {
  ratings: number;
  seed?: number;
  cacheDir?: string;
  /** A folder already holding the generated CSVs of the full 20M set (reused instead of generating). */
  reuseDir?: string;
  log?: (line: string) => void;
}

const MAGIC = 0x4d4c5252; // 'RRLM'

/** Users and movies for a set of `ratings` ratings: ml-20m's shape, scaled down proportionally for quick runs. */
export const benchShape = scaledMl20mShape;

function readCache(path: string): RatingsColumns {
  const bytes = readFileSync(path);
  const header = new Int32Array(bytes.buffer, bytes.byteOffset, 4);
  if (header[0] !== MAGIC) throw new Error(`${path}: not a bench cache`);
  const n = header[1];
  const out = emptyColumns(n);
  // Copy out of the file buffer (its offset may not be 4-aligned for a view; copying also lets it be freed).
  new Uint8Array(out.userIds.buffer).set(bytes.subarray(16, 16 + 4 * n));
  new Uint8Array(out.movieIds.buffer).set(bytes.subarray(16 + 4 * n, 16 + 8 * n));
  new Uint8Array(out.ratings.buffer).set(bytes.subarray(16 + 8 * n, 16 + 12 * n));
  return out;
}

function writeCache(path: string, columns: RatingsColumns): void {
  const n = columns.ratings.length;
  const header = new Int32Array([MAGIC, n, 1, 0]);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(
    tmp,
    Buffer.concat([
      Buffer.from(header.buffer),
      Buffer.from(columns.userIds.buffer, columns.userIds.byteOffset, 4 * n),
      Buffer.from(columns.movieIds.buffer, columns.movieIds.byteOffset, 4 * n),
      Buffer.from(columns.ratings.buffer, columns.ratings.byteOffset, 4 * n),
    ]),
  );
  renameSync(tmp, path);
}

function readmeMatches(dir: string, shape: { ratings: number; users: number; movies: number }, seed: number): boolean {
  try {
    const text = readFileSync(join(dir, 'README.txt'), 'utf8');
    // The README's parameter line, generator version included (an older generator's folder is regenerated).
    const size = `seed=${seed} ratings=${shape.ratings} users=${shape.users} movies=${shape.movies} `;
    const fits = (line: string) => line.startsWith(size) && line.endsWith(` generator=v${SYNTHETIC_GENERATOR_VERSION}`);
    return text.split('\n').some(fits) && existsSync(join(dir, 'ratings.csv'));
  } catch {
    return false;
  }
}

/** Loads (generating and caching on first use) the synthetic ratings of the benchmark. Timestamps are zero. */
export async function loadBenchRatings(options: BenchDataOptions): Promise<{ columns: RatingsColumns; source: string; seconds: number }> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 42;
  const shape = benchShape(options.ratings);
  const cacheDir = options.cacheDir ?? join(tmpdir(), 'reelrank-bench');
  mkdirSync(cacheDir, { recursive: true });
  const cachePath = join(cacheDir, `synthetic-v${SYNTHETIC_GENERATOR_VERSION}-s${seed}-${shape.ratings}r-${shape.users}u-${shape.movies}m.bin`);
  if (existsSync(cachePath)) {
    const columns = readCache(cachePath);
    return { columns, source: cachePath, seconds: (performance.now() - started) / 1000 };
  }
  let csvDir = join(cacheDir, `synthetic-s${seed}-${shape.ratings}`);
  if (options.reuseDir && readmeMatches(options.reuseDir, shape, seed)) csvDir = options.reuseDir;
  else if (!readmeMatches(csvDir, shape, seed)) {
    log(`[bench] generating ${shape.ratings} synthetic ratings into ${csvDir} ...`);
    await generateSyntheticMovieLens({ dir: csvDir, ...shape, seed, log });
  }
  log(`[bench] parsing ${join(csvDir, 'ratings.csv')} (once; cached as ${cachePath}) ...`);
  const parsed = await parseRatingsFile(join(csvDir, 'ratings.csv'));
  const buffer = parsed.ratings;
  const n = buffer.length;
  const columns: RatingsColumns = {
    userIds: buffer.users.slice(0, n),
    movieIds: buffer.movies.slice(0, n),
    ratings: buffer.ratings.slice(0, n),
    timestamps: new Float64Array(n),
  };
  writeCache(cachePath, columns);
  return { columns, source: cachePath, seconds: (performance.now() - started) / 1000 };
}
