/**
 * The one interface to the ratings users post to the running service. Asynchronous on purpose: the
 * embedded SQLite implementation answers synchronously underneath, a server database (PostgreSQL)
 * will not, and callers must not be able to tell the difference.
 *
 * Semantics every implementation keeps:
 * - `put` is all-or-nothing and resolves only once the ratings are durable (a crash of the process
 *   right after it resolved loses none of them).
 * - One rating per (user, movie): a new rating of the same pair replaces the old one.
 * - Every stored rating gets an `id` from one sequence that only grows (ids are never reused, also
 *   not after `forgetUser`), so "newest id" identifies a state of the store (see StoreVersion).
 */

export interface NewRating {
  userId: number;
  movieId: number;
  /** 0.5..5.0 in half steps (checked by the caller's schema and again by the store). */
  rating: number;
  /** Unix seconds; the store's clock when absent. */
  timestamp?: number;
}

export interface StoredRating {
  /** From the store's one growing sequence: a later write has a larger id. */
  id: number;
  userId: number;
  movieId: number;
  rating: number;
  /** Unix seconds. */
  timestamp: number;
  /** The identity subject that wrote it (RatingSource.subject). */
  source: string;
  /** The client address it came from (RatingSource.address). */
  sourceAddress: string;
  /** Unix seconds by the store's clock when it was written. */
  postedAt: number;
}

/** A posted rating as the drift monitor reads it. */
export type PostedRating = Pick<StoredRating, 'userId' | 'movieId' | 'rating' | 'postedAt'>;

/** Checks postedSince's arguments: Unix seconds and a positive count. */
export function checkPostedSince(sinceSeconds: number, limit: number): void {
  if (!Number.isSafeInteger(sinceSeconds) || sinceSeconds < 0) throw new RangeError('postedSince: sinceSeconds must be Unix seconds');
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError('postedSince: limit must be a positive integer');
}

/**
 * Who writes a batch: kept with every rating of it, so training can bound what one writer weighs and
 * an operator can purge what one writer posted.
 */
export interface RatingSource {
  /** The identity subject: 'key:<id>', 'visitor:<id>', 'admin-token', or 'addr:<address>' when anonymous. */
  subject: string;
  /** The caller's client address as its rate-limit key (an IPv6 address by its /64). */
  address: string;
}

/** What rows written without a source (and rows from before sources were kept) carry. */
export const UNKNOWN_SOURCE: RatingSource = { subject: 'unknown', address: 'unknown' };

/**
 * A summary of the whole store: equal versions mean equal contents. (Ids only grow, so for one
 * `newestId` the rows present are all the ids up to it that were not deleted since, and deletes
 * only remove: the `count` tells them apart.) The retraining step can hash it into the Nx hash of
 * the stages: unchanged while no rating arrives, changed by any write or forget.
 */
export interface StoreVersion {
  count: number;
  newestId: number;
}

/** How a write may be bounded besides its input. */
export interface PutOptions {
  /**
   * The most ratings any user of the batch may hold once it is written: checked in the write's own
   * transaction, so concurrent writes of one user can never pass it together; over it, the batch is
   * refused whole with a RatingsQuotaError.
   */
  maxPerUser?: number;
}

export interface RatingsStore {
  /** Stores the ratings in one transaction, tagged with who wrote them, and resolves with them as stored, once durable. */
  put(ratings: readonly NewRating[], source?: RatingSource, options?: PutOptions): Promise<StoredRating[]>;
  /** The user's stored ratings, by movie id. */
  forUser(userId: number): Promise<StoredRating[]>;
  /**
   * The newest id among the user's ratings, 0 when there are none: changes whenever the user's
   * ratings change, so it keys caches of anything derived from them (a folded-in user vector).
   */
  userVersion(userId: number): Promise<number>;
  /**
   * userVersion when the store knows it without waiting (the SQLite store reads its own file;
   * absent: always ask userVersion). Throws what userVersion would reject with.
   */
  userVersionNow?(userId: number): number;
  /** How many stored ratings each of `userIds` has; a user with none is absent from the map. */
  countsForUsers(userIds: readonly number[]): Promise<Map<number, number>>;
  /** Deletes the user's stored ratings (durable before it resolves); resolves with how many there were. */
  forgetUser(userId: number): Promise<number>;
  /**
   * Deletes the user's stored rating of one movie (durable before it resolves); resolves with whether
   * there was one. `userVersion` changes also when the deleted rating was not the user's newest.
   */
  forget(userId: number, movieId: number): Promise<boolean>;
  /**
   * Deletes every stored rating one writer posted (`source`: its subject), every one from one client
   * `address`, or every one posted at or after `postedSince` (Unix seconds, the store's clock); durable
   * before it resolves; resolves with how
   * many there were. Like `forget`, each user who keeps ratings has their newest written again under
   * a new id, so their `userVersion` moves, and the store's version moves whenever anything was deleted.
   */
  purge(selector: PurgeSelector): Promise<number>;
  /**
   * Every stored rating ordered by (userId, movieId), read from one consistent snapshot in pages,
   * without holding up writers: what a training run reads.
   */
  all(): AsyncIterable<StoredRating>;
  version(): Promise<StoreVersion>;
  /** How many stored ratings have an id above `id`: those written after a training that read the store up to `id`. */
  countNewerThan(id: number): Promise<number>;
  /**
   * The ratings posted at or after `sinceSeconds` (the store's clock, Unix seconds), newest first, at
   * most `limit` of them: what the drift monitor compares with the training data. A scan of the table
   * (no index on posted_at), bounded by `limit` once the window holds that many.
   */
  postedSince(sinceSeconds: number, limit: number): Promise<PostedRating[]>;
  close(): Promise<void>;
}

/** What a purge removes: what one writer posted (its subject), what came from one client address, or what was posted since a time. */
export type PurgeSelector = { source: string } | { address: string } | { postedSince: number };

/** Checks a purge's selector (exactly one of source, address or postedSince) and returns only that. */
export function checkPurge(selector: PurgeSelector): PurgeSelector {
  const fields = selector as Partial<Record<'source' | 'address' | 'postedSince', unknown>>;
  const given = (['source', 'address', 'postedSince'] as const).filter((k) => fields[k] !== undefined);
  if (given.length !== 1) throw new RangeError('purge takes exactly one of source, address or postedSince');
  const [key] = given;
  const value = fields[key];
  if (key === 'postedSince') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new RangeError('purge: postedSince must be Unix seconds');
    return { postedSince: value };
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SOURCE_LENGTH)
    throw new RangeError(`purge: ${key} must be 1..${MAX_SOURCE_LENGTH} characters`);
  return key === 'source' ? { source: value } : { address: value };
}

/** Ratings are 0.5..5.0 in half steps: the one check, shared by every implementation. */
export function isValidRating(value: number): boolean {
  return Number.isFinite(value) && value >= 0.5 && value <= 5 && Number.isInteger(value * 2);
}

/** Thrown by `put` for input no implementation may store (the API's schemas reject it earlier). */
export class InvalidRatingError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
    this.name = 'InvalidRatingError';
  }
}

/** Thrown by `put` when a user would hold more than PutOptions.maxPerUser ratings (nothing of the batch is stored). */
export class RatingsQuotaError extends Error {
  readonly code = QUOTA_CODE;
  constructor(
    readonly userId: number,
    readonly wouldHold: number,
    readonly maxPerUser: number,
  ) {
    super(`user ${userId} would hold ${wouldHold} posted ratings, more than the ${maxPerUser} allowed`);
    this.name = 'RatingsQuotaError';
  }
}

const QUOTA_CODE = 'RATINGS_QUOTA_EXCEEDED';

/** A quota refusal as the writers report it (plain fields: it may come from a writer thread), as a RatingsQuotaError; anything else as it is. */
export function asQuotaError(error: unknown): unknown {
  const { code, quota } = (error ?? {}) as { code?: unknown; quota?: { userId: number; wouldHold: number; maxPerUser: number } };
  return code === QUOTA_CODE && quota ? new RatingsQuotaError(quota.userId, quota.wouldHold, quota.maxPerUser) : error;
}

/** Checks PutOptions.maxPerUser: undefined (no bound) or a positive integer. */
export function checkMaxPerUser(options: PutOptions = {}): number | undefined {
  const max = options.maxPerUser;
  if (max !== undefined && !(Number.isSafeInteger(max) && max > 0)) throw new RangeError('put: maxPerUser must be a positive integer');
  return max;
}

/** A source's subject and address: non-empty printable text of at most this many characters. */
export const MAX_SOURCE_LENGTH = 200;

function checkSource(source: RatingSource): RatingSource {
  for (const [name, value] of [
    ['subject', source.subject],
    ['address', source.address],
  ] as const)
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SOURCE_LENGTH || /[^\x21-\x7e]/.test(value))
      throw new InvalidRatingError(`source ${name} must be 1..${MAX_SOURCE_LENGTH} printable characters without spaces`, -1);
  return source;
}

/** A rating as written: the caller's fields, the timestamp filled in, and who wrote it when. */
export type RowToWrite = Required<NewRating> & Pick<StoredRating, 'source' | 'sourceAddress' | 'postedAt'>;

/** Checks a batch and its source before any of it is written; returns the rows to write. */
export function normalizeBatch(ratings: readonly NewRating[], nowSeconds: number, source: RatingSource = UNKNOWN_SOURCE): RowToWrite[] {
  const { subject, address } = checkSource(source);
  const seen = new Set<string>();
  return ratings.map((r, index) => {
    if (!Number.isSafeInteger(r.userId) || r.userId <= 0) throw new InvalidRatingError(`ratings[${index}]: userId must be a positive integer`, index);
    if (!Number.isSafeInteger(r.movieId) || r.movieId <= 0)
      throw new InvalidRatingError(`ratings[${index}]: movieId must be a positive integer`, index);
    if (!isValidRating(r.rating)) throw new InvalidRatingError(`ratings[${index}]: rating must be 0.5..5.0 in half steps`, index);
    const timestamp = r.timestamp ?? nowSeconds;
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new InvalidRatingError(`ratings[${index}]: timestamp must be Unix seconds`, index);
    const pair = `${r.userId}:${r.movieId}`;
    if (seen.has(pair)) throw new InvalidRatingError(`ratings[${index}]: user ${r.userId} rates movie ${r.movieId} twice in one batch`, index);
    seen.add(pair);
    return { userId: r.userId, movieId: r.movieId, rating: r.rating, timestamp, source: subject, sourceAddress: address, postedAt: nowSeconds };
  });
}
