/**
 * Ratings as parallel typed arrays (16 bytes a rating) instead of objects (~100 bytes each),
 * so ml-20m's 20M ratings fit in ~320 MB. Capacity doubles when full (grows by half past 1M rows);
 * `reserve` sizes it up front when the row count can be estimated.
 */
export class RatingsBuffer {
  users: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
  /** Unix seconds; Int32 holds dates up to 2038, and MovieLens stops in 2023. */
  timestamps: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    const size = Math.max(1, capacity);
    this.users = new Int32Array(size);
    this.movies = new Int32Array(size);
    this.ratings = new Float32Array(size);
    this.timestamps = new Int32Array(size);
  }

  get capacity(): number {
    return this.users.length;
  }

  push(user: number, movie: number, rating: number, timestamp: number): void {
    if (this.length === this.users.length) {
      const capacity = this.users.length;
      this.grow(capacity < 1 << 20 ? capacity * 2 : Math.ceil(capacity * 1.5));
    }
    const i = this.length;
    this.users[i] = user;
    this.movies[i] = movie;
    this.ratings[i] = rating;
    this.timestamps[i] = timestamp;
    this.length = i + 1;
  }

  /** Makes room for at least `capacity` rows in all (one copy now instead of several later). */
  reserve(capacity: number): void {
    if (capacity > this.users.length) this.grow(capacity);
  }

  private grow(capacity: number): void {
    const copy = <T extends Int32Array | Float32Array>(from: T, to: T): T => {
      to.set(from.subarray(0, this.length));
      return to;
    };
    this.users = copy(this.users, new Int32Array(capacity));
    this.movies = copy(this.movies, new Int32Array(capacity));
    this.ratings = copy(this.ratings, new Float32Array(capacity));
    this.timestamps = copy(this.timestamps, new Int32Array(capacity));
  }

  /** A new buffer holding rows `indices` in that order (used to apply a sort + filter). */
  select(indices: ArrayLike<number>, count = indices.length): RatingsBuffer {
    const out = new RatingsBuffer(count);
    for (let k = 0; k < count; k += 1) {
      const i = indices[k];
      out.users[k] = this.users[i];
      out.movies[k] = this.movies[i];
      out.ratings[k] = this.ratings[i];
      out.timestamps[k] = this.timestamps[i];
    }
    out.length = count;
    return out;
  }

  /** Convenience for tests and small data: the rows as objects. */
  toRows(): { userId: number; movieId: number; rating: number; timestamp: number }[] {
    const rows = [];
    for (let i = 0; i < this.length; i += 1) {
      rows.push({ userId: this.users[i], movieId: this.movies[i], rating: this.ratings[i], timestamp: this.timestamps[i] });
    }
    return rows;
  }
}
