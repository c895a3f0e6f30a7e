import type { RatingsStore } from '@reelrank/feedback';
import type { FoldedUser, Recommender } from '@reelrank/serving';
import { TurnGate } from './turn-gate.js';

/**
 * Users who posted ratings, folded in at request time: the next /recommendations or /predict of such
 * a user is answered from all of their ratings (data set + posted) without retraining.
 *
 * Each request asks the store for the user's version (the newest id among their posted ratings, 0:
 * none), so a rating posted to any process sharing the store - another cluster worker - counts from
 * the next request on. (The PostgreSQL store answers that from memory, kept current by the writes'
 * notifications; the SQLite store from memory too, while the file's WAL header shows no commit since.) The folded vectors are cached per model (a reload starts afresh) and per user,
 * keyed by that version, so repeated requests do not fold again; the least recently used users are
 * dropped beyond `maxUsers`. A fold uses the user's newest `maxRatings` posted ratings (by the order
 * posted; the older ones are still never recommended back), so its cost is bounded whatever a user
 * posted; `beforeFold` is told each fold and how many posted ratings it folds before it is done
 * (identity-limits.ts charges the caller), and every fold runs in slices, each in a turn of `turns`
 * (one slice per event-loop turn in the process, the turns shared fairly between the identities
 * folds are done for; the new-user route takes its turns there too).
 *
 * When the store fails (a PostgreSQL server down or unreachable), reads keep being answered from
 * memory: a user's last folded vector if one is cached, else the trained answer. For `retryMs` after a
 * failure the store is not asked at all, so requests do not each wait for a connection attempt.
 */
export interface StoreStatus {
  reachable: boolean;
  /** Why not (the store's error, or no answer in time); absent when reachable. */
  error?: string;
}

export class FreshUsers {
  private readonly caches = new WeakMap<Recommender, Map<number, { version: number; folded: FoldedUser }>>();

  readonly turns = new TurnGate();
  private retryAt = 0;
  /** The store's last failure while it is being answered from memory (undefined once it answers again). */
  storeError: Error | undefined;

  constructor(
    readonly store: RatingsStore,
    private readonly maxUsers = 10_000,
    private readonly retryMs = 1_000,
    private readonly maxRatings = 1_000,
  ) {}

  private status: { at: number; value: StoreStatus } | undefined;
  private probing: Promise<StoreStatus> | undefined;

  /**
   * Whether the store answers (GET /ready): its version() within `timeoutMs`, the answer kept for
   * `retryMs` so /ready stays cheap however often it is polled, and at most one probe in flight (a
   * server that does not answer holds one connection attempt, not one per poll).
   */
  async storeStatus(timeoutMs = 500): Promise<StoreStatus> {
    if (this.status && Date.now() - this.status.at < this.retryMs) return this.status.value;
    this.probing ??= this.store.version().then(
      () => this.noteStatus({ reachable: true }),
      (error: unknown) => this.noteStatus({ reachable: false, error: describeError(error) }),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<StoreStatus>((resolve) => {
      timer = setTimeout(() => resolve({ reachable: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
      timer.unref();
    });
    const value = await Promise.race([this.probing, late]);
    clearTimeout(timer);
    if (!this.status || Date.now() - this.status.at >= this.retryMs) this.status = { at: Date.now(), value };
    return value;
  }

  private noteStatus(value: StoreStatus): StoreStatus {
    this.status = { at: Date.now(), value };
    this.probing = undefined;
    return value;
  }

  /**
   * The user folded in from all of their ratings, or undefined when they posted none (the trained
   * answer stands); `owner` is who the fold is for (the caller's limit subject, worked out only when a fold happens), for fair turns.
   */
  async folded(
    recommender: Recommender,
    userId: number,
    beforeFold?: (ratings: number) => void,
    owner: string | (() => string) = '',
  ): Promise<FoldedUser | undefined> {
    let cache = this.caches.get(recommender);
    if (!cache) this.caches.set(recommender, (cache = new Map()));
    if (this.storeError && Date.now() < this.retryAt) return cache.get(userId)?.folded;
    try {
      return await this.fold(recommender, userId, cache, beforeFold, owner);
    } catch (error) {
      if (!(error instanceof StoreDown)) throw error; // only the store's failures are answered from memory
      return cache.get(userId)?.folded;
    }
  }

  /**
   * folded() without waiting, when the answer needs neither a store round trip nor a fold: the
   * trained answer (undefined) for a user who posted nothing, or the cached fold-in of an unchanged
   * user; MUST_ASK otherwise (then call folded()).
   */
  foldedNow(recommender: Recommender, userId: number): FoldedUser | undefined | typeof MUST_ASK {
    const versionNow = this.store.userVersionNow;
    if (!versionNow || this.storeError) return MUST_ASK;
    let version: number;
    try {
      version = versionNow.call(this.store, userId);
    } catch {
      return MUST_ASK; // folded() notes the failure and answers from memory
    }
    if (version === 0) return undefined;
    const hit = this.caches.get(recommender)?.get(userId);
    return hit?.version === version ? hit.folded : MUST_ASK;
  }

  /** One read of the store; a failure is noted (see the class comment) and thrown as StoreDown. */
  private async ask<T>(read: () => Promise<T>): Promise<T> {
    try {
      const value = await read();
      this.storeError = undefined;
      return value;
    } catch (error) {
      this.storeError = error instanceof Error ? error : new Error(String(error));
      this.retryAt = Date.now() + this.retryMs;
      throw new StoreDown();
    }
  }

  private async fold(
    recommender: Recommender,
    userId: number,
    cache: Map<number, { version: number; folded: FoldedUser }>,
    beforeFold: ((ratings: number) => void) | undefined,
    owner: string | (() => string),
  ) {
    const version = await this.ask(() => this.store.userVersion(userId));
    if (version === 0) return undefined;
    const hit = cache.get(userId);
    if (hit?.version === version) {
      cache.delete(userId); // most recently used last
      cache.set(userId, hit);
      return hit.folded;
    }
    const stored = await this.ask(() => this.store.forUser(userId));
    const posted = stored.filter((r) => recommender.hasMovie(r.movieId)); // a newer catalogue may lack a movie
    if (posted.length === 0) return undefined; // forgotten meanwhile, or nothing the catalogue knows
    beforeFold?.(Math.min(posted.length, this.maxRatings));
    const newest = posted.length > this.maxRatings ? [...posted].sort((a, b) => b.id - a.id) : posted;
    const older = newest.slice(this.maxRatings).map((r) => r.movieId);
    const folded = await this.turns.run(
      typeof owner === 'function' ? owner() : owner,
      recommender.foldUserSteps(userId, newest.slice(0, this.maxRatings), 'movie_id', hit?.folded, older),
    );
    // Keyed by what was read: a write between the two reads gives a newer version and a refold.
    cache.set(userId, { version: stored.reduce((newest, r) => Math.max(newest, r.id), 0), folded });
    if (cache.size > this.maxUsers) cache.delete(cache.keys().next().value as number);
    return folded;
  }
}

class StoreDown extends Error {}

/** foldedNow's answer when only folded() can tell. */
export const MUST_ASK = Symbol('reelrank.foldedMustAsk');

/** A failure in words (a refused connection to every address of a host name is an AggregateError with an empty message). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message || (error as NodeJS.ErrnoException).code || error.name;
}
