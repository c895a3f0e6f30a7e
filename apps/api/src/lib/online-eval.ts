/**
 * Online evaluation: of the ratings users post, how many were for movies the service recommended
 * to that user in the previous 24 h, and how many of those were liked (rating >= 4): the hit rate
 * of recommended movies, next to the same share for every other rated movie.
 *
 *   recordRecommended(userId, movieIds, at)   called when POST /recommendations answers
 *   observeRating(userId, movieId, rating, at) called for every rating received (POST /ratings)
 *
 * Memory is bounded: a user's recommended movies are kept with the time they were last shown, users
 * in least-recently-recommended order; users not recommended anything for the window are dropped,
 * and above `maxEntries` (user, movie) pairs the least recently recommended users go first.
 * A movie counts as recommended when it was shown at a time t with at - window < t <= at + grace;
 * the grace (5 s) absorbs a recommendation logged a moment after the rating's timestamp (clock skew,
 * the batching of cluster workers). Pure bookkeeping: metrics.ts exposes it.
 */

export type RatingSource = 'recommended' | 'other';

export interface OnlineEvalOptions {
  /** How long a recommendation counts (default 24 h). */
  windowMs?: number;
  /** Most (user, movie) pairs remembered (default 500,000: about 40 MB). */
  maxEntries?: number;
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
  /** Size of `movies` at which its stale pairs are swept next (doubles, so sweeping stays amortised O(1)). */
  sweepAt: number;
  /** movie id -> last time it was recommended. */
  movies: Map<number, number>;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export class OnlineEvaluator implements OnlineEvalSink {
  private readonly users = new Map<number, UserLog>();
  private pairs = 0;
  private readonly counts = { recommended: { ratings: 0, liked: 0 }, other: { ratings: 0, liked: 0 } };
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly likedAtLeast: number;
  private readonly graceMs: number;
  private readonly observers: RatingObserver[] = [];

  constructor(options: OnlineEvalOptions = {}) {
    this.windowMs = options.windowMs ?? DAY_MS;
    this.maxEntries = options.maxEntries ?? 500_000;
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
    else log = { touched: at, sweepAt: 256, movies: new Map() };
    log.touched = Math.max(log.touched, at);
    this.users.set(userId, log);
    for (let i = 0; i < movieIds.length; i++) {
      const id = movieIds[i];
      const before = log.movies.get(id);
      if (before === undefined) this.pairs++;
      if (before === undefined || before < at) log.movies.set(id, at);
    }
    // A long-lived user's own stale pairs: swept each time their list has doubled.
    if (log.movies.size >= log.sweepAt) {
      for (const [id, t] of log.movies) {
        if (t <= at - this.windowMs) {
          log.movies.delete(id);
          this.pairs--;
        }
      }
      log.sweepAt = Math.max(256, 2 * log.movies.size);
    }
    this.evict(at);
  }

  observeRating(userId: number, movieId: number, rating: number, at = Date.now()): RatingSource {
    const shown = this.users.get(userId)?.movies.get(movieId);
    const source: RatingSource = shown !== undefined && shown > at - this.windowMs && shown <= at + this.graceMs ? 'recommended' : 'other';
    const liked = rating >= this.likedAtLeast;
    this.counts[source].ratings++;
    if (liked) this.counts[source].liked++;
    for (const observer of this.observers) observer(source, liked);
    return source;
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
      this.pairs -= log.movies.size;
    }
  }
}
