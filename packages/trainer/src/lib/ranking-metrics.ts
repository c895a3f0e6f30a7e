import { topN } from '@reelrank/model';
import type { IndexedRatings, UserItems } from './indexing.js';

/**
 * Top-K ranking metrics, with this protocol: for each user, candidates are all train
 * movies the user did not rate in train; relevant = held-out rating >= 4.0; precision@K, recall@K
 * and NDCG@K averaged over users with at least one relevant held-out movie; ties by movie id
 * (lower index = lower id, as `topN` breaks ties). A relevant movie absent from train counts in the
 * user's relevant set but can never be recommended. Coverage = distinct recommended movies / catalogue.
 */
export interface RankingMetrics {
  k: number;
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  coverage: number;
  /** Relevant held-out rows of users absent from train (not scorable, left out). */
  skippedUnknownUserRows: number;
}

/** Scores a batch of user indices; returns the score row (length nMovies) of the b-th user. */
export type BatchScorer = (users: Int32Array) => (b: number) => ArrayLike<number>;

export const RELEVANCE_THRESHOLD = 4.0;

export interface RelevantItems {
  /** User indices with >= 1 relevant held-out movie, ascending. */
  users: Int32Array;
  /** Per user (aligned with `users`): relevant movie indices known to train. */
  knownRelevant: Int32Array[];
  /** Per user: all relevant held-out movies, including those absent from train. */
  relevantCount: Int32Array;
  skippedUnknownUserRows: number;
}

export function relevantItems(heldOut: IndexedRatings, threshold = RELEVANCE_THRESHOLD): RelevantItems {
  const known = new Map<number, number[]>();
  const counts = new Map<number, number>();
  let unknownRows = 0;
  for (let r = 0; r < heldOut.ratings.length; r++) {
    if (heldOut.ratings[r] < threshold) continue;
    const u = heldOut.users[r];
    if (u < 0) {
      unknownRows++;
      continue;
    }
    counts.set(u, (counts.get(u) ?? 0) + 1);
    if (!known.has(u)) known.set(u, []);
    if (heldOut.movies[r] >= 0) known.get(u)!.push(heldOut.movies[r]);
  }
  const users = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  return {
    users,
    knownRelevant: Array.from(users, (u) => Int32Array.from(known.get(u) ?? [])),
    relevantCount: Int32Array.from(users, (u) => counts.get(u)!),
    skippedUnknownUserRows: unknownRows,
  };
}

export function rankingMetrics(options: {
  k: number;
  nMovies: number;
  train: UserItems;
  relevant: RelevantItems;
  score: BatchScorer;
  batchSize?: number;
}): RankingMetrics {
  const { k, nMovies, train, relevant } = options;
  const batchSize = options.batchSize ?? 256;
  const mask = new Uint8Array(nMovies);
  const isRelevant = new Uint8Array(nMovies);
  const recommended = new Uint8Array(nMovies);
  const discount = Float64Array.from({ length: k }, (_, j) => 1 / Math.log2(j + 2));
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  const nUsers = relevant.users.length;
  for (let start = 0; start < nUsers; start += batchSize) {
    const batch = relevant.users.subarray(start, Math.min(nUsers, start + batchSize));
    const rowOf = options.score(batch);
    for (let b = 0; b < batch.length; b++) {
      const u = batch[b];
      const seen = train.movies.subarray(train.offsets[u], train.offsets[u + 1]);
      for (const i of seen) mask[i] = 1;
      const rel = relevant.knownRelevant[start + b];
      for (const i of rel) isRelevant[i] = 1;
      const top = topN(rowOf(b), k, mask);
      let hits = 0;
      let dcg = 0;
      top.forEach((i, rank) => {
        recommended[i] = 1;
        if (isRelevant[i]) {
          hits++;
          dcg += discount[rank];
        }
      });
      const nRel = relevant.relevantCount[start + b];
      let idcg = 0;
      for (let j = 0; j < Math.min(k, nRel); j++) idcg += discount[j];
      precision += hits / k;
      recall += hits / nRel;
      ndcg += dcg / idcg;
      for (const i of seen) mask[i] = 0;
      for (const i of rel) isRelevant[i] = 0;
    }
  }
  let covered = 0;
  for (let i = 0; i < nMovies; i++) covered += recommended[i];
  return {
    k,
    users: nUsers,
    precision: nUsers ? precision / nUsers : NaN,
    recall: nUsers ? recall / nUsers : NaN,
    ndcg: nUsers ? ndcg / nUsers : NaN,
    coverage: nMovies ? covered / nMovies : NaN,
    skippedUnknownUserRows: relevant.skippedUnknownUserRows,
  };
}
