import { endianness } from 'node:os';
import type Database from 'better-sqlite3';

/**
 * The `user_rating_blobs` table: every user's ratings packed into one row, written at load time so
 * the trainer's full read (readRatingsColumns) is ~138k row fetches and byte copies instead of 20M
 * row fetches. Each row holds, for one user, in movie-id order:
 *   movie_ids   Int32 little-endian, 4 bytes a rating
 *   ratings     Uint8 half-stars (rating * 2) when every rating of the user is a half star, else Float32
 *   timestamps  Uint32 when every timestamp is an integer in [0, 2^32), else Float64
 * The width of ratings and timestamps is given by the blob's byte length (count * 1|4, count * 4|8),
 * so each user is encoded as compactly as its values allow and decoding stays exact.
 *
 * dataset_meta key RATING_BLOBS_META_KEY records the number of ratings the blobs hold; readers use
 * the blobs only when it is present (and equals the ratings count), otherwise the ratings table.
 */
export const RATING_BLOBS_META_KEY = 'ratingBlobs.v1';

/** The blob layout is native little-endian; on a big-endian host the blobs are neither written nor read. */
export const BLOBS_SUPPORTED = endianness() === 'LE';

/**
 * Receives one user's encoded row. The buffers are views of the writer's scratch arrays, valid only
 * during the call: a sink copies or encodes them before returning (SQLite's insert and the
 * PostgreSQL COPY encoder both do).
 */
export type RatingBlobSink = (userId: number, count: number, movieIds: Buffer, ratings: Buffer, timestamps: Buffer) => void;

/** The SQLite sink: one INSERT into user_rating_blobs per user. */
export function sqliteBlobSink(sqlite: Database.Database): RatingBlobSink {
  const insert = sqlite.prepare('INSERT INTO user_rating_blobs (user_id, count, movie_ids, ratings, timestamps) VALUES (?, ?, ?, ?, ?)');
  return (userId, count, movieIds, ratings, timestamps) => {
    insert.run(userId, count, movieIds, ratings, timestamps);
  };
}

/** Accumulates one user's ratings at a time and hands a row to its sink whenever the user changes. */
export class RatingBlobWriter {
  private movieIds = new Int32Array(4096);
  private ratings = new Float32Array(4096);
  private timestamps = new Float64Array(4096);
  private halfStars = new Uint8Array(4096);
  private timestamps32 = new Uint32Array(4096);
  private n = 0;
  private user = Number.NaN;
  private lastMovie = Number.NEGATIVE_INFINITY;
  private allHalfStars = true;
  private allUint32 = true;
  /** Ratings written (the last user included once finish() ran). */
  total = 0;
  users = 0;
  /** False once a row arrived out of (user, movie) order: the blobs must then be rebuilt. */
  inOrder = true;

  constructor(private readonly sink: RatingBlobSink) {}

  /** Rows must come ordered by (user, movie); the first one out of order turns `inOrder` off for good. */
  add(user: number, movie: number, rating: number, timestamp: number): void {
    if (!this.inOrder) return;
    if (user !== this.user) {
      if (user < this.user) {
        this.inOrder = false;
        return;
      }
      this.flush();
      this.user = user;
    } else if (movie <= this.lastMovie) {
      this.inOrder = false;
      return;
    }
    this.lastMovie = movie;
    const i = this.n;
    if (i === this.movieIds.length) this.grow();
    this.movieIds[i] = movie;
    this.ratings[i] = rating;
    this.timestamps[i] = timestamp;
    const half = rating * 2;
    if (this.allHalfStars && half === Math.round(half) && half >= 0 && half <= 255) this.halfStars[i] = half;
    else this.allHalfStars = false;
    if (this.allUint32 && timestamp >= 0 && timestamp <= 0xffffffff && Number.isInteger(timestamp)) this.timestamps32[i] = timestamp;
    else this.allUint32 = false;
    this.n = i + 1;
  }

  /** Writes the last user. */
  finish(): void {
    if (this.inOrder) this.flush();
  }

  private flush(): void {
    const n = this.n;
    if (n === 0) return;
    const bytes = (a: ArrayBufferView, width: number) => Buffer.from(a.buffer, a.byteOffset, n * width);
    this.sink(
      this.user,
      n,
      bytes(this.movieIds, 4),
      this.allHalfStars ? bytes(this.halfStars, 1) : bytes(this.ratings, 4),
      this.allUint32 ? bytes(this.timestamps32, 4) : bytes(this.timestamps, 8),
    );
    this.total += n;
    this.users += 1;
    this.n = 0;
    this.lastMovie = Number.NEGATIVE_INFINITY;
    this.allHalfStars = true;
    this.allUint32 = true;
  }

  private grow(): void {
    const size = this.movieIds.length * 2;
    const grown = <T extends Int32Array | Float32Array | Float64Array | Uint8Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    this.movieIds = grown(this.movieIds, (k) => new Int32Array(k));
    this.ratings = grown(this.ratings, (k) => new Float32Array(k));
    this.timestamps = grown(this.timestamps, (k) => new Float64Array(k));
    this.halfStars = grown(this.halfStars, (k) => new Uint8Array(k));
    this.timestamps32 = grown(this.timestamps32, (k) => new Uint32Array(k));
  }
}

/**
 * (Re)builds user_rating_blobs from the ratings table, in (user, movie) order; used when the
 * ratings file was not sorted, so the blobs could not be written while loading.
 */
export function rebuildRatingBlobs(sqlite: Database.Database): RatingBlobWriter {
  sqlite.exec('DELETE FROM user_rating_blobs');
  const writer = new RatingBlobWriter(sqliteBlobSink(sqlite));
  // better-sqlite3 cannot write while a statement iterates, so read 1,000 users at a time.
  const nextUsers = sqlite.prepare('SELECT DISTINCT user_id FROM ratings WHERE user_id > ? ORDER BY user_id LIMIT 1000').pluck();
  const rowsOf = sqlite
    .prepare('SELECT user_id, movie_id, rating, timestamp FROM ratings WHERE user_id BETWEEN ? AND ? ORDER BY user_id, movie_id')
    .raw(true);
  for (let after = Number.MIN_SAFE_INTEGER; ;) {
    const users = nextUsers.all(after) as number[];
    if (users.length === 0) break;
    after = users[users.length - 1];
    for (const r of rowsOf.all(users[0], after) as [number, number, number, number][]) writer.add(r[0], r[1], r[2], r[3]);
  }
  writer.finish();
  return writer;
}

/** Parallel columns as readRatingsColumns returns them. */
export interface BlobColumns {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
  timestamps: Float64Array;
}

/** Decodes every user's blobs, in user order, into columns of `total` ratings. */
export function decodeRatingBlobs(rows: IterableIterator<unknown[]>, total: number): BlobColumns {
  const columns: BlobColumns = {
    userIds: new Int32Array(total),
    movieIds: new Int32Array(total),
    ratings: new Float32Array(total),
    timestamps: new Float64Array(total),
  };
  const movieBytes = new Uint8Array(columns.movieIds.buffer);
  const ratingBytes = new Uint8Array(columns.ratings.buffer);
  const timestampBytes = new Uint8Array(columns.timestamps.buffer);
  let scratch = new Uint32Array(4096);
  let i = 0;
  for (const row of rows) {
    const [userId, n, movieIds, ratings, timestamps] = row as [number, number, Buffer, Buffer, Buffer];
    if (i + n > total || movieIds.length !== 4 * n) throw new Error(`user_rating_blobs: inconsistent row for user ${userId}`);
    columns.userIds.fill(userId, i, i + n);
    movieBytes.set(movieIds, 4 * i);
    if (ratings.length === n) {
      for (let k = 0; k < n; k += 1) columns.ratings[i + k] = ratings[k] * 0.5;
    } else if (ratings.length === 4 * n) {
      ratingBytes.set(ratings, 4 * i);
    } else {
      throw new Error(`user_rating_blobs: bad ratings blob for user ${userId}`);
    }
    if (timestamps.length === 4 * n) {
      if (scratch.length < n) scratch = new Uint32Array(n);
      new Uint8Array(scratch.buffer, 0, 4 * n).set(timestamps);
      for (let k = 0; k < n; k += 1) columns.timestamps[i + k] = scratch[k];
    } else if (timestamps.length === 8 * n) {
      timestampBytes.set(timestamps, 8 * i);
    } else {
      throw new Error(`user_rating_blobs: bad timestamps blob for user ${userId}`);
    }
    i += n;
  }
  if (i !== total) throw new Error(`user_rating_blobs holds ${i} ratings, expected ${total}: rebuild the database (nx run database:pipeline)`);
  return columns;
}
