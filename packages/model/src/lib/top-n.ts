import { topNInto } from './top-n-masked.js';

/**
 * The `n` best indices of `scores`, best first, skipping indices where `excluded` is set (a 0/1
 * mask or a set of indices). Ties break by the lower index (movie ids are sorted, so by the lower
 * movie id); NaN is never picked. The allocating form of topNInto, the one selector, for callers
 * off the serving hot path (evaluation, similar movies, tests).
 */
export function topN(scores: ArrayLike<number>, n: number, excluded?: { has(index: number): boolean } | Uint8Array): number[] {
  const size = Math.max(0, Math.min(n, scores.length));
  if (size === 0) return [];
  let mask: Uint8Array;
  if (excluded instanceof Uint8Array) mask = excluded;
  else {
    mask = new Uint8Array(scores.length);
    if (excluded) for (let i = 0; i < scores.length; i++) if (excluded.has(i)) mask[i] = 1;
  }
  const index = new Int32Array(size);
  const count = topNInto(scores, size, mask, index, new Float64Array(size));
  return Array.from(index.subarray(0, count));
}
