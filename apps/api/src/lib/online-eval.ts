/**
 * Online evaluation: of the ratings users post, how many were for movies the service recommended
 * to that user in the previous 24 h, and how many of those were liked (rating >= 4): the hit rate
 * of recommended movies, next to the same share for every other rated movie.
 *
 *   recordRecommended(userId, movieIds, at)   called when POST /recommendations answers
 *   observeRating(userId, movieId, rating, at) called for every rating received (POST /ratings)
 *
 * Memory is bounded: per user a ring of the last `maxPerUser` (movie, time) pairs shown (typed
 * arrays), users in least-recently-recommended order; users not recommended anything for the window
 * are dropped, and above `maxEntries` pairs in all the least recently recommended users go first.
 * A movie counts as recommended when it was shown at a time t with at - window < t <= at + grace;
 * the grace (5 s) absorbs a recommendation logged a moment after the rating's timestamp (clock skew,
 * the batching of cluster workers). Pure bookkeeping: metrics.ts exposes it.
 */

export type RatingSource = 'recommended' | 'other';

export interface OnlineEvalOptions {
  /** How long a recommendation counts (default 24 h). */
  windowMs?: number;
  /** Most (user, movie) pairs remembered in all (default 1,000,000: at most about 24 MB). */
  maxEntries?: number;
  /** Most recent pairs remembered per user (default 512, about 50 answers of 10). */
  maxPerUser?: number;
  /** A rating at or above this is a hit (default 4). */
  likedAtLeast?: number;
  /** How far after a rating's time a logged recommendation still counts (default 5 s). */
  graceMs?: number;
}

/** Called for every observed rating (metrics.ts turns these into counters). */
export type RatingObserver = (source: RatingSource, liked: boolean) => void;

export interface HitCounts {
  ratings: number;
  liked: number;
  /** liked / ratings, null before the first rating. */
  hitRate: number | null;
}

export interface OnlineEvalSnapshot {
  recommended: HitCounts;
  other: HitCounts;
  trackedUsers: number;
  trackedPairs: number;
}

/** What the API calls; the single-process evaluator and the cluster worker's forwarder both are one. */
export interface OnlineEvalSink {
  recordRecommended(userId: number, movieIds: ArrayLike<number>, at?: number): void;
  observeRating(userId: number, movieId: number, rating: number, at?: number): void;
}

interface UserLog {
  /** Last time anything was recommended to the user (the order of `users`). */
  touched: number;
  /** A ring of the user's most recent (movie, time) pairs shown, oldest overwritten first. */
  ids: Int32Array;
  times: Float64Array;
  /** Next slot to write, and pairs held. */
  next: number;
  size: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export class OnlineEvaluator implements OnlineEvalSink {
  private readonly users = new Map<number, UserLog>();
  private pairs = 0;
  private readonly counts = { recommended: { ratings: 0, liked: 0 }, other: { ratings: 0, liked: 0 } };
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly maxPerUser: number;
  private readonly likedAtLeast: number;
  private readonly graceMs: number;
  private readonly observers: RatingObserver[] = [];

  constructor(options: OnlineEvalOptions = {}) {
    this.windowMs = options.windowMs ?? DAY_MS;
    this.maxEntries = options.maxEntries ?? 1_000_000;
    this.maxPerUser = options.maxPerUser ?? 512;
    this.likedAtLeast = options.likedAtLeast ?? 4;
    this.graceMs = options.graceMs ?? 5_000;
  }

  onRating(observer: RatingObserver): void {
    this.observers.push(observer);
  }

  recordRecommended(userId: number, movieIds: ArrayLike<number>, at = Date.now()): void {
    let log = this.users.get(userId);
    if (log)
      this.users.delete(userId); // re-inserted below: the Map's order is least recently recommended first
    else log = { touched: at, ids: new Int32Array(0), times: new Float64Array(0), next: 0, size: 0 };
    log.touched = Math.max(log.touched, at);
    this.users.set(userId, log);
    if (log.size + movieIds.length > log.ids.length && log.ids.length < this.maxPerUser) this.grow(log, log.size + movieIds.length);
    const capacity = log.ids.length;
    for (let i = 0; i < movieIds.length; i++) {
      log.ids[log.next] = movieIds[i];
      log.times[log.next] = at;
      log.next = (log.next + 1) % capacity;
      if (log.size < capacity) {
        log.size++;
        this.pairs++;
      }
    }
    this.evict(at);
  }

  observeRating(userId: number, movieId: number, rating: number, at = Date.now()): RatingSource {
    const log = this.users.get(userId);
    let shown = false;
    if (log) {
      const from = at - this.windowMs;
      const to = at + this.graceMs;
      for (let i = 0; i < log.size && !shown; i++) shown = log.ids[i] === movieId && log.times[i] > from && log.times[i] <= to;
    }
    const source: RatingSource = shown ? 'recommended' : 'other';
    const liked = rating >= this.likedAtLeast;
    this.counts[source].ratings++;
    if (liked) this.counts[source].liked++;
    for (const observer of this.observers) observer(source, liked);
    return source;
  }

  /** Typed arrays, not a Map per user: the log stays out of the garbage collector's way at 1M pairs. */
  private grow(log: UserLog, wanted: number): void {
    let capacity = Math.max(16, log.ids.length);
    while (capacity < wanted && capacity < this.maxPerUser) capacity *= 2;
    capacity = Math.min(capacity, this.maxPerUser);
    const ids = new Int32Array(capacity);
    const times = new Float64Array(capacity);
    // Oldest first: the ring's order survives the copy.
    const start = log.size < log.ids.length ? 0 : log.next;
    for (let i = 0; i < log.size; i++) {
      const from = (start + i) % log.ids.length;
      ids[i] = log.ids[from];
      times[i] = log.times[from];
    }
    log.ids = ids;
    log.times = times;
    log.next = log.size % capacity;
  }

  snapshot(): OnlineEvalSnapshot {
    const of = (c: { ratings: number; liked: number }): HitCounts => ({ ...c, hitRate: c.ratings ? c.liked / c.ratings : null });
    return { recommended: of(this.counts.recommended), other: of(this.counts.other), trackedUsers: this.users.size, trackedPairs: this.pairs };
  }

  /** Drops users whose last recommendation left the window, then the least recent while over the cap. */
  private evict(now: number): void {
    for (const [userId, log] of this.users) {
      if (this.pairs <= this.maxEntries && log.touched > now - this.windowMs) break;
      this.users.delete(userId);
      this.pairs -= log.size;
    }
  }
}
