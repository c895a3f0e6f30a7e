import type { RequestScratch } from './request-scratch.js';
import type { ServingIndex } from './serving-index.js';

/** How the served top n compares with the exact 32-bit ranking over a sample of known users. */
export interface RankingAgreement {
  users: number;
  n: number;
  /** Share of users whose served list equals the exact one, in order. */
  identical: number;
  /** Mean share of the exact top n found in the served one. */
  recall: number;
  /** Share of users answered after the norm bound, after the int8 bounds (the rest: every movie scored). */
  normBounded: number;
  bounded: number;
  /** Mean movies scored in 32 bits per user on the bounded path (probes and listed movies). */
  scoredPerUser: number;
  /** Mean microseconds per user: served ranking, exact ranking (every movie scored in 32 bits). */
  servedMicros: number;
  exactMicros: number;
}

/**
 * For each model user index in `users` (unseen, servable movies only, as a request ranks them): the
 * served top n (rankKnownUser: through the int8 bounds when the index has them) against every movie
 * scored by the 32-bit kernel plus the EASE term, then the same selection.
 */
export function rankingAgreement(ix: ServingIndex, scratch: RequestScratch, users: ArrayLike<number>, n: number): RankingAgreement {
  const size = Math.min(n, ix.maxN);
  let identical = 0;
  let recall = 0;
  let servedMs = 0;
  let exactMs = 0;
  const none = { norm: 0, certified: 0, fallback: 0, scored: 0 };
  const before = { ...(scratch.bounded?.counts ?? none) };
  for (let p = 0; p < users.length; p++) {
    const u = users[p];
    const row = ix.seen.row.get(ix.model.userIds[u]);
    scratch.exclude(row, undefined);
    try {
      let started = performance.now();
      const servedCount = scratch.rankKnownUser(u, size, 0);
      servedMs += performance.now() - started;
      const served = Array.from(scratch.pickIndex.subarray(0, servedCount));
      started = performance.now();
      const exactCount = scratch.pick(scratch.knownUserScores(u), size, 0);
      exactMs += performance.now() - started;
      const exact = Array.from(scratch.pickIndex.subarray(0, exactCount));
      if (served.length === exact.length && served.every((i, at) => i === exact[at])) identical++;
      const kept = new Set(served);
      recall += exact.length === 0 ? 1 : exact.filter((i) => kept.has(i)).length / exact.length;
    } finally {
      scratch.restore(row, undefined);
    }
  }
  const after = scratch.bounded?.counts ?? none;
  const total = users.length || 1;
  return {
    users: users.length,
    n: size,
    identical: identical / total,
    recall: recall / total,
    normBounded: (after.norm - before.norm) / total,
    bounded: (after.certified - before.certified) / total,
    scoredPerUser: (after.scored - before.scored) / Math.max(1, after.norm - before.norm + after.certified - before.certified),
    servedMicros: (servedMs * 1000) / total,
    exactMicros: (exactMs * 1000) / total,
  };
}
