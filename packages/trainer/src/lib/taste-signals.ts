import { sha256 } from '@reelrank/artifacts';
import type { SignalKind, StoredSignal } from '@reelrank/feedback';
import type { ImplicitConfidence } from '@reelrank/model';
import type { Indexing, IndexedRatings } from './indexing.js';
import type { RatingsColumns } from './ratings.js';

/**
 * The taste signals users posted (@reelrank/feedback: not interested, seen, watchlist) as the ranker's
 * implicit ALS sees them. The ALS kernels (wasm, JS CG, exact) all solve with preference 1 on every
 * observed pair and confidence c ≥ 1, so a signal is either a positive observation or the removal of one:
 * - seen: an observation with the confidence of a rating at the pivot (c = 1 + α·w, w = 1), like a watched,
 *   average-rated movie;
 * - watchlist: weaker: the confidence of a rating half a star below the pivot (intent, not consumption);
 * - not interested: zero extra confidence: the pair's rating, if it has one, is dropped from the
 *   ranker's positives, so the movie (and its neighbourhood) stops pulling the user's vector. A true
 *   negative (preference 0 with c > 1) would need a preference column in all three kernels.
 * Seen and watchlist pairs the user also rated add nothing (the rating says more) and are skipped, which
 * also keeps a test-split rating from leaking into training as a signal. The rating model, EASE and the
 * popularity prior never see signals.
 */

export interface TasteSignalColumns {
  userIds: Int32Array;
  movieIds: Int32Array;
  kinds: SignalKind[];
}

export interface TasteSignalsSummary {
  /** Signals read (the store's version at the snapshot: count and newest id). */
  count: number;
  newestId: number;
  /** Used by the ranker's fit, by kind. */
  used: Record<SignalKind, number>;
  /** Seen or watchlist signals of rated pairs (the rating is used instead). */
  ratedPairs: number;
  /** Signals of movies not in the catalogue. */
  unknownMovies: number;
}

export interface TasteSignals {
  columns: TasteSignalColumns;
  summary: TasteSignalsSummary;
}

/**
 * Reads a snapshot of signals and keeps the usable ones: known movies; seen/watchlist only for pairs
 * the user did not rate (in `ratings`, the data set's merged with the posted); not interested for
 * every pair (it masks a rating).
 */
export async function collectTasteSignals(
  source: AsyncIterable<StoredSignal>,
  isKnownMovie: (movieId: number) => boolean,
  ratings: RatingsColumns,
): Promise<TasteSignals> {
  const read: StoredSignal[] = [];
  let newestId = 0;
  let unknownMovies = 0;
  for await (const signal of source) {
    if (signal.id > newestId) newestId = signal.id;
    if (isKnownMovie(signal.movieId)) read.push(signal);
    else unknownMovies++;
  }
  const positives = new Map<number, Set<number>>();
  for (const s of read)
    if (s.kind !== 'not_interested') (positives.get(s.userId) ?? positives.set(s.userId, new Set()).get(s.userId)!).add(s.movieId);
  const rated = new Map<number, Set<number>>();
  for (let r = 0; r < ratings.userIds.length; r++) {
    const movies = positives.get(ratings.userIds[r]);
    if (movies?.has(ratings.movieIds[r]))
      (rated.get(ratings.userIds[r]) ?? rated.set(ratings.userIds[r], new Set()).get(ratings.userIds[r])!).add(ratings.movieIds[r]);
  }
  const kept = read.filter((s) => s.kind === 'not_interested' || !rated.get(s.userId)?.has(s.movieId));
  const used: Record<SignalKind, number> = { not_interested: 0, seen: 0, watchlist: 0 };
  for (const s of kept) used[s.kind]++;
  return {
    columns: { userIds: Int32Array.from(kept, (s) => s.userId), movieIds: Int32Array.from(kept, (s) => s.movieId), kinds: kept.map((s) => s.kind) },
    summary: { count: read.length + unknownMovies, newestId, used, ratedPairs: read.length - kept.length, unknownMovies },
  };
}

/** The training's data hash with the signals in (unchanged without any). */
export function dataHashWithSignals(baseHash: string, signals: TasteSignals): string {
  if (signals.summary.count === 0) return baseHash;
  const { columns } = signals;
  const text = Array.from(columns.userIds, (u, n) => `${u}:${columns.movieIds[n]}:${columns.kinds[n]}`).join(',');
  return sha256(`${baseHash}\nsignals ${sha256(text)}`);
}

/** The pseudo-rating whose ALS confidence (confidenceOf) a signal of `kind` gets. */
export function signalRating(kind: 'seen' | 'watchlist', confidence: Pick<ImplicitConfidence, 'ratingPivot'>): number {
  return kind === 'seen' ? confidence.ratingPivot : confidence.ratingPivot - 0.5;
}

/**
 * `train` as the ranker's ALS fit sees it with the signals: rows of not-interested pairs masked (movie
 * -1, which the fit skips), and one row per seen/watchlist pair appended with its pseudo-rating. Users
 * or movies the indexing lacks (a user with signals only) are skipped. `train` itself is not changed.
 */
export function withTasteSignals(
  train: IndexedRatings,
  indexing: Indexing,
  signals: TasteSignalColumns,
  confidence: Pick<ImplicitConfidence, 'ratingPivot'>,
): IndexedRatings {
  const rejected = new Map<number, Set<number>>();
  const added: number[] = [];
  for (let n = 0; n < signals.kinds.length; n++) {
    const u = indexing.users.indexOf(signals.userIds[n]);
    const i = indexing.movies.indexOf(signals.movieIds[n]);
    if (u < 0 || i < 0) continue;
    if (signals.kinds[n] === 'not_interested') (rejected.get(u) ?? rejected.set(u, new Set()).get(u)!).add(i);
    else added.push(n);
  }
  const rows = train.users.length;
  const users = new Int32Array(rows + added.length);
  const movies = new Int32Array(rows + added.length);
  const ratings = new Float32Array(rows + added.length);
  users.set(train.users);
  movies.set(train.movies);
  ratings.set(train.ratings);
  if (rejected.size) for (let r = 0; r < rows; r++) if (rejected.get(users[r])?.has(movies[r])) movies[r] = -1;
  added.forEach((n, a) => {
    users[rows + a] = indexing.users.indexOf(signals.userIds[n]);
    movies[rows + a] = indexing.movies.indexOf(signals.movieIds[n]);
    ratings[rows + a] = signalRating(signals.kinds[n] as 'seen' | 'watchlist', confidence);
  });
  return { users, movies, ratings, unknownUsers: train.unknownUsers, unknownMovies: train.unknownMovies };
}
