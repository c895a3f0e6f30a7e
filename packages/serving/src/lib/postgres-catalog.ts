import { readPostgresCatalogue, type CatalogueMovieRow, type DatasetMeta, type RatingsColumns } from '@reelrank/database';
import type { CatalogMovie, CatalogRating, MovieCatalog, RatingTable } from './catalog.js';

/**
 * The catalogue read from PostgreSQL (DATABASE_URL) once, at open, and answered from memory with the
 * SQLite catalogue's semantics (the MovieCatalog interface is synchronous: requests never wait for
 * the server). The ratings are kept compact, per user in CSR form (no object per rating): movie ids
 * Int32, ratings as Uint8 half-stars while every rating is one (else Float32), timestamps Uint32
 * while they fit (else Float64): ~9 bytes a rating, ~180 MB at 20M ratings.
 */
export interface PostgresMovieCatalog extends MovieCatalog {
  /** dataset_meta as read (dataHash tells a reload whether the catalogue changed). */
  readonly meta: DatasetMeta;
}

export async function openPostgresCatalog(databaseUrl: string): Promise<PostgresMovieCatalog> {
  return readPostgresCatalogue(databaseUrl, async (reader) => {
    const rows = await reader.movies();
    const ratings = new CompactRatings(await reader.userCount(), reader.ratingCount);
    await reader.ratingPages((page) => ratings.append(page));
    return memoryCatalog(reader.meta, rows, ratings.finish());
  });
}

const toCatalogMovie = (m: CatalogueMovieRow): CatalogMovie => ({ movieId: m.movieId, title: m.title, year: m.year, genres: m.genres });

function memoryCatalog(meta: DatasetMeta, rows: CatalogueMovieRow[], ratings: CompactRatings): PostgresMovieCatalog {
  const movies = rows.map(toCatalogMovie);
  return {
    meta,
    allMovies: () => movies,
    ratingTable: () => ratings.table(),
    ratedMovieIds: (userId) => {
      const range = ratings.rangeOf(userId);
      return range ? Array.from(ratings.movieIds.subarray(range[0], range[1])) : [];
    },
    userRatings: (userId) => ratings.userRatings(userId),
    dataset: () => meta.dataset,
    close: () => undefined, // nothing held but memory
  };
}

/** Every user's ratings (CSR by user id, each user's by movie id), filled a page of users at a time. */
class CompactRatings {
  readonly userIds: Int32Array;
  readonly offsets: Int32Array;
  readonly movieIds: Int32Array;
  private halfStars: Uint8Array | null;
  private ratings: Float32Array | null = null;
  private seconds32: Uint32Array | null;
  private seconds64: Float64Array | null = null;
  private users = 0;
  private at = 0;

  constructor(users: number, total: number) {
    this.userIds = new Int32Array(users);
    this.offsets = new Int32Array(users + 1);
    this.movieIds = new Int32Array(total);
    this.halfStars = new Uint8Array(total);
    this.seconds32 = new Uint32Array(total);
  }

  append(page: RatingsColumns): void {
    const n = page.userIds.length;
    const start = this.at;
    for (let r = 0; r < n; r++) {
      if (r === 0 || page.userIds[r] !== page.userIds[r - 1]) {
        if (this.users === this.userIds.length) throw new Error('user_rating_blobs gained users while it was read');
        this.userIds[this.users] = page.userIds[r];
        this.offsets[this.users++] = start + r;
      }
    }
    this.movieIds.set(page.movieIds, start);
    for (let r = 0; r < n; r++) this.setRating(start + r, page.ratings[r]);
    for (let r = 0; r < n; r++) this.setSeconds(start + r, page.timestamps[r]);
    this.at = start + n;
  }

  finish(): this {
    if (this.users !== this.userIds.length) throw new Error(`user_rating_blobs has ${this.userIds.length} users but ${this.users} were read`);
    this.offsets[this.users] = this.at;
    return this;
  }

  /** [start, end) of the user's ratings, or undefined for a user without any. */
  rangeOf(userId: number): [number, number] | undefined {
    let lo = 0;
    let hi = this.users - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const id = this.userIds[mid];
      if (id === userId) return [this.offsets[mid], this.offsets[mid + 1]];
      if (id < userId) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /**
   * A user with a rating that is not a half star has Float32 ratings in its blob; SQLite's userRatings
   * reads the REAL column instead, so give back the shortest decimal that the Float32 came from
   * (3.7, not 3.700000047683716): exact for every rating written with at most 7 significant digits.
   */
  ratingAt(r: number): number {
    return this.halfStars ? this.halfStars[r] * 0.5 : Number(this.ratings![r].toPrecision(7));
  }

  userRatings(userId: number): CatalogRating[] {
    const range = this.rangeOf(userId);
    if (!range) return [];
    const out: CatalogRating[] = [];
    for (let r = range[0]; r < range[1]; r++) {
      out.push({ movieId: this.movieIds[r], rating: this.ratingAt(r), timestamp: this.seconds32 ? this.seconds32[r] : this.seconds64![r] });
    }
    return out;
  }

  /** The grouped table a model load indexes (ratings widened to Float32 for that load only; ids shared, not copied). */
  table(): RatingTable {
    const ratings = this.ratings ?? Float32Array.from(this.halfStars!, (h) => h * 0.5);
    return { userIds: this.userIds, offsets: this.offsets, movieIds: this.movieIds, ratings };
  }

  private setRating(r: number, rating: number): void {
    if (this.halfStars) {
      const half = rating * 2;
      if (half === Math.round(half) && half >= 0 && half <= 255) {
        this.halfStars[r] = half;
        return;
      }
      // The first rating that is not a half star: widen every rating so far to Float32 (as the blobs do per user).
      this.ratings = Float32Array.from(this.halfStars, (h) => h * 0.5);
      this.halfStars = null;
    }
    this.ratings![r] = rating;
  }

  private setSeconds(r: number, seconds: number): void {
    if (this.seconds32) {
      if (Number.isInteger(seconds) && seconds >= 0 && seconds <= 0xffffffff) {
        this.seconds32[r] = seconds;
        return;
      }
      this.seconds64 = Float64Array.from(this.seconds32);
      this.seconds32 = null;
    }
    this.seconds64![r] = seconds;
  }
}
