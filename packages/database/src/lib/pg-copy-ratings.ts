import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { createProgress, formatCount } from '@reelrank/artifacts';
import { parseRatingsFile } from '@reelrank/csv';
import { CsvFormatError, streamCsv } from './csv-stream.js';
import { copyRows, type CopyContext } from './pg-copy-tables.js';
import { BLOBS_SUPPORTED, RATING_BLOBS_META_KEY, RatingBlobWriter } from './rating-blobs.js';
import { checkRatingRange, FieldReader } from './row-parsers.js';

/** ratings.csv as parallel columns (typed arrays), in file order. */
export interface RatingColumnsIn {
  n: number;
  users: ArrayLike<number>;
  movies: ArrayLike<number>;
  ratings: ArrayLike<number>;
  timestamps: ArrayLike<number>;
}

/** Rows between two checks of the COPY stream's backpressure (~2.5 MB of encoded rows). */
const DRAIN_EVERY = 1 << 16;

/**
 * Reads ratings.csv into columns: @reelrank/csv's typed-array parser (parseRatingsFile) for the
 * ingest stage's own output, else (a file it rejects or finds malformed rows in: corruption, a hand-edited file,
 * timestamps beyond Int32) the strict row reader, which names the first bad row, as the SQLite
 * loader does.
 */
export async function readRatingColumns(path: string, log: (line: string) => void): Promise<RatingColumnsIn> {
  const file = 'ratings.csv';
  // In bytes of the file, so the line has a total and an ETA (the row count is known only at the end).
  const size = statSync(path).size;
  const parseProgress = createProgress({ label: `database ${file} parse`, unit: 'bytes', total: size, write: log });
  let malformed = 0;
  try {
    const parsed = await parseRatingsFile(path, {
      onProgress: (rows, fraction) => parseProgress.update(Math.round(fraction * size), `(${formatCount(rows)} lines)`),
    });
    if (parsed.malformed === 0) {
      const { users, movies, ratings, timestamps, length } = parsed.ratings;
      parseProgress.done(`${formatCount(length)} rows parsed`);
      return { n: length, users, movies, ratings, timestamps };
    }
    malformed = parsed.malformed;
    log(
      `[database] ${file}: ${parsed.malformed} of ${parsed.read} rows malformed for the fast parser ` +
        `(e.g. ${parsed.malformedExamples[0] ?? '?'}); reading it row by row to name the first bad one`,
    );
  } catch (error) {
    log(`[database] ${file}: fast parser declined (${(error as Error).message}); reading it row by row`);
  }
  const read = new FieldReader(file);
  const cols = { users: [] as number[], movies: [] as number[], ratings: [] as number[], timestamps: [] as number[] };
  try {
    const n = await streamCsv(path, ['userId', 'movieId', 'rating', 'timestamp'], (rows, col, firstRow) => {
      for (let i = 0; i < rows.length; i += 1) {
        const r = rows[i];
        const row = firstRow + i;
        cols.users.push(read.int(r[col[0]], 'userId', row));
        cols.movies.push(read.int(r[col[1]], 'movieId', row));
        cols.ratings.push(read.rating(r[col[2]], 'rating', row));
        cols.timestamps.push(read.int(r[col[3]], 'timestamp', row));
      }
    });
    return { n, ...cols };
  } catch (error) {
    if (malformed > 0 && error instanceof Error) {
      error.message +=
        ` (${formatCount(malformed)} malformed row${malformed === 1 ? '' : 's'} in all; ` +
        'the processed file looks corrupt: re-run the ingest stage)';
    }
    throw error;
  }
}

/** Row indices in (user, movie) order: null when the file already is (ingest writes it so). */
function userMovieOrder(c: RatingColumnsIn): Uint32Array | null {
  let sorted = true;
  for (let i = 1; i < c.n && sorted; i += 1) {
    sorted = c.users[i] > c.users[i - 1] || (c.users[i] === c.users[i - 1] && c.movies[i] > c.movies[i - 1]);
  }
  if (sorted) return null;
  const order = new Uint32Array(c.n);
  for (let i = 0; i < c.n; i += 1) order[i] = i;
  return order.sort((a, b) => c.users[a] - c.users[b] || c.movies[a] - c.movies[b]);
}

/** The processed ratings.csv header (ingest's contract), in the catalogue table's column order. */
const PROCESSED_HEADER = 'userId,movieId,rating,timestamp';

function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf
      .subarray(0, n)
      .toString('utf8')
      .split(/\r?\n/)[0]
      .replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
}

/**
 * ratings.csv -> <schema>.ratings, returning the parsed columns (for the rating blobs). The fast
 * path, for the ingest stage's own header: the file's bytes go to `COPY ... (FORMAT csv)` as they are
 * (as psql \copy sends them) WHILE parseRatingsFile reads the same file into columns: the server
 * parses and stores on one core, node parses on the other, so the step costs about the larger of the
 * two instead of their sum (measured by `npm run bench:pg-load`). The columns are then range-checked
 * (a rating outside 0.5..5 fails the load, as in SQLite). Any other header: parse, then the binary
 * COPY of the columns.
 */
export async function copyRatingsFile(ctx: CopyContext, path: string): Promise<RatingColumnsIn> {
  const file = 'ratings.csv';
  if (firstLine(path) !== PROCESSED_HEADER) {
    const columns = await readRatingColumns(path, ctx.log);
    await copyRatingColumns(ctx, columns);
    return columns;
  }
  const started = performance.now();
  const stream = ctx.client.query(
    copyFrom(`COPY "${ctx.schema}"."ratings" (user_id, movie_id, rating, timestamp) FROM STDIN (FORMAT csv, HEADER true, FREEZE)`),
  );
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  let copyError: Error | null = null;
  const copying = pipeline(input, stream).catch((error: Error) => {
    copyError = error;
  });
  let columns: RatingColumnsIn;
  try {
    columns = await readRatingColumns(path, ctx.log);
  } catch (error) {
    input.destroy(); // aborts the COPY (CopyFail); the parser's error names the row
    await copying;
    throw error;
  }
  await copying;
  if (copyError !== null) {
    const where = (copyError as { where?: string }).where;
    throw new CsvFormatError(file, null, `${(copyError as Error).message}${where ? ` (${where})` : ''}`);
  }
  if (stream.rowCount !== columns.n) throw new CsvFormatError(file, null, `COPY stored ${stream.rowCount} rows, the parser read ${columns.n}`);
  for (let i = 0; i < columns.n; i += 1) checkRatingRange(file, columns.ratings[i], i + 1);
  ctx.log(`[database ${file} copy] ${formatCount(columns.n)} rows copied (with the parse) in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return columns;
}

/** COPY of the columns into <schema>.ratings: one pass, the COPY stream's backpressure respected. */
export async function copyRatingColumns(ctx: CopyContext, c: RatingColumnsIn): Promise<number> {
  const file = 'ratings.csv';
  const progress = createProgress({ label: `database ${file} copy`, unit: 'rows', total: c.n, write: ctx.log });
  const rows = await copyRows(ctx, 'ratings', ['user_id', 'movie_id', 'rating', 'timestamp'], async (w) => {
    const { users, movies, ratings, timestamps } = c;
    let i = 0;
    try {
      for (; i < c.n; i += 1) {
        checkRatingRange(file, ratings[i], i + 1);
        w.row(4).int4(users[i]).int4(movies[i]).float4(ratings[i]).int8(timestamps[i]);
        if ((i + 1) % DRAIN_EVERY === 0) {
          progress.update(i + 1);
          await w.drain();
        }
      }
    } catch (error) {
      // Data row i + 1 (both readers keep every row, so indices are rows); e.g. an id beyond int4.
      if (error instanceof CsvFormatError) throw error;
      throw new CsvFormatError(file, i + 1, (error as Error).message);
    }
  });
  progress.done(`${formatCount(rows)} rows copied`);
  return rows;
}

/**
 * COPY of user_rating_blobs: the same RatingBlobWriter (same bytes) as SQLite's, fed in (user, movie)
 * order, its rows encoded straight into the COPY. Returns the dataset_meta entries SQLite records
 * (the blob key with the ratings it holds, count.users), or {} on a big-endian host (no blobs).
 */
export async function copyRatingBlobs(ctx: CopyContext, c: RatingColumnsIn): Promise<Record<string, string>> {
  if (!BLOBS_SUPPORTED) return {};
  const progress = createProgress({ label: 'database user_rating_blobs copy', unit: 'rows', total: c.n, write: ctx.log });
  const order = userMovieOrder(c);
  let writer: RatingBlobWriter | null = null;
  await copyRows(ctx, 'user_rating_blobs', ['user_id', 'count', 'movie_ids', 'ratings', 'timestamps'], async (w) => {
    writer = new RatingBlobWriter((userId, count, movieIds, ratings, timestamps) => {
      w.row(5).int4(userId).int4(count).bytea(movieIds).bytea(ratings).bytea(timestamps);
    });
    for (let k = 0; k < c.n; k += 1) {
      const i = order === null ? k : order[k];
      writer.add(c.users[i], c.movies[i], c.ratings[i], c.timestamps[i]);
      if ((k + 1) % DRAIN_EVERY === 0) {
        progress.update(k + 1);
        await w.drain();
      }
    }
    writer.finish();
    // Sorted input leaves the writer out of order only for a repeated (user, movie) pair.
    if (!writer.inOrder) throw new CsvFormatError('ratings.csv', null, 'a (userId, movieId) pair appears twice');
  });
  const done = writer as RatingBlobWriter | null;
  if (done === null) return {};
  progress.done(`${formatCount(done.users)} users' blobs copied`);
  return { [RATING_BLOBS_META_KEY]: String(done.total), 'count.users': String(done.users) };
}
