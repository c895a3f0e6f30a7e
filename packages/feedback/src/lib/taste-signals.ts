import { MAX_SOURCE_LENGTH, UNKNOWN_SOURCE, type RatingSource } from './ratings-store.js';

/**
 * Taste signals besides ratings, behind one asynchronous interface like the ratings (SQLite in the
 * ratings file, or PostgreSQL):
 * - `not_interested`: the movie never comes back to the user; the ranker's next fit drops it from
 *   the user's positives;
 * - `seen`: watched without a rating; never recommended again, a positive implicit observation;
 * - `watchlist`: wants to watch it; kept out of the recommendations (it is on the list already), a
 *   weaker positive implicit observation.
 *
 * Semantics every implementation keeps: one signal per (user, movie, kind), a repeat replaces it under
 * a new id; `put` and `forget` resolve only once durable; ids come from one sequence that only grows,
 * and a `forget` that leaves the user some signals writes their newest again under a new id, so a
 * user's newest id (`userVersion`) changes with every change of their signals.
 */
export const SIGNAL_KINDS = ['not_interested', 'seen', 'watchlist'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** The kinds the user's recommendations leave out (all of them: see the module comment). */
export const EXCLUDING_KINDS: readonly SignalKind[] = SIGNAL_KINDS;

export interface NewSignal {
  userId: number;
  movieId: number;
  kind: SignalKind;
}

export interface StoredSignal extends NewSignal {
  id: number;
  /** Unix seconds by the store's clock. */
  createdAt: number;
  source: string;
  sourceAddress: string;
}

/** A row as the writer stores it (the store fills in the time and the source). */
export type SignalToWrite = NewSignal & Pick<StoredSignal, 'createdAt' | 'source' | 'sourceAddress'>;

export interface SignalsStore {
  /** Stores one signal (replacing the same (user, movie, kind)); resolves once durable. `maxPerUser`: refused whole beyond it. */
  put(signal: NewSignal, source?: RatingSource, options?: { maxPerUser?: number }): Promise<StoredSignal>;
  /** The user's signals, oldest first. */
  forUser(userId: number): Promise<StoredSignal[]>;
  /** The newest id among the user's signals, 0 when none: changes with every change of them. */
  userVersion(userId: number): Promise<number>;
  /** userVersion when known without waiting (absent: always ask userVersion). */
  userVersionNow?(userId: number): number;
  /** Deletes one signal (durable before it resolves); whether there was one. */
  forget(userId: number, movieId: number, kind: SignalKind): Promise<boolean>;
  /** Every signal ordered by (userId, movieId, kind), from one consistent snapshot: what a training run reads. */
  all(): AsyncIterable<StoredSignal>;
  /** Count and newest id of the whole store: equal versions, equal contents (the train stage's Nx input). */
  version(): Promise<{ count: number; newestId: number }>;
  close(): Promise<void>;
}

export function isSignalKind(value: unknown): value is SignalKind {
  return typeof value === 'string' && (SIGNAL_KINDS as readonly string[]).includes(value);
}

/** Thrown by `put` for input no implementation may store (the API's schemas reject it earlier). */
export class InvalidSignalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSignalError';
  }
}

/** Thrown by `put` when the user would hold more than `maxPerUser` signals (nothing stored). */
export class SignalsQuotaError extends Error {
  readonly code = SIGNALS_QUOTA_CODE;
  constructor(
    readonly userId: number,
    readonly maxPerUser: number,
  ) {
    super(`user ${userId} would hold more than the ${maxPerUser} signals allowed`);
    this.name = 'SignalsQuotaError';
  }
}

export const SIGNALS_QUOTA_CODE = 'SIGNALS_QUOTA_EXCEEDED';

/** A quota refusal as a writer reports it (plain fields: it may come from a writer thread), as a SignalsQuotaError; anything else as it is. */
export function asSignalsQuotaError(error: unknown): unknown {
  const { code, quota } = (error ?? {}) as { code?: unknown; quota?: { userId: number; maxPerUser: number } };
  return code === SIGNALS_QUOTA_CODE && quota ? new SignalsQuotaError(quota.userId, quota.maxPerUser) : error;
}

/** Checks a signal, its source and its bound before anything is written; returns the row to write. */
export function signalToWrite(signal: NewSignal, nowSeconds: number, source: RatingSource = UNKNOWN_SOURCE, maxPerUser?: number): SignalToWrite {
  if (!Number.isSafeInteger(signal.userId) || signal.userId <= 0) throw new InvalidSignalError('userId must be a positive integer');
  if (!Number.isSafeInteger(signal.movieId) || signal.movieId <= 0) throw new InvalidSignalError('movieId must be a positive integer');
  if (!isSignalKind(signal.kind)) throw new InvalidSignalError(`kind must be one of ${SIGNAL_KINDS.join(', ')}`);
  if (maxPerUser !== undefined && !(Number.isSafeInteger(maxPerUser) && maxPerUser > 0))
    throw new RangeError('put: maxPerUser must be a positive integer');
  for (const value of [source.subject, source.address])
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SOURCE_LENGTH || /[^\x21-\x7e]/.test(value))
      throw new InvalidSignalError(`source must be 1..${MAX_SOURCE_LENGTH} printable characters without spaces`);
  return {
    userId: signal.userId,
    movieId: signal.movieId,
    kind: signal.kind,
    createdAt: nowSeconds,
    source: source.subject,
    sourceAddress: source.address,
  };
}
