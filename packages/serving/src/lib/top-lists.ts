import type { Because } from './answers.js';
import type { RequestScratch } from './request-scratch.js';
import { servedRating, type ServingIndex } from './serving-index.js';

/**
 * Every known user's top maxN unseen servable movies, computed at load time for small models (so a
 * plain request is a lookup), with the served rating of each pick; "because" texts are
 * filled in on first use.
 */
export interface TopLists {
  index: Int32Array;
  score: Float32Array;
  count: Uint8Array | Uint16Array;
  because: (Because | undefined)[];
}

/** Precomputes when users × movies × factors is at most `budget` (default 3e9: ml-latest-small yes, ml-20m no). */
export function precomputeTopLists(ix: ServingIndex, scratch: RequestScratch, budget = 3e9): TopLists | undefined {
  const { model, maxN: K } = ix;
  const nUsers = model.userIds.length;
  if (nUsers * model.movieIds.length * ix.rankModel.factors > budget || nUsers * K > 5e7) return undefined;
  const index = new Int32Array(nUsers * K);
  const score = new Float32Array(nUsers * K);
  const count = K < 256 ? new Uint8Array(nUsers) : new Uint16Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    const row = ix.seen.row.get(model.userIds[u]);
    scratch.exclude(row, undefined);
    const c = scratch.rankKnownUser(u, K, 0);
    scratch.restore(row, undefined);
    count[u] = c;
    for (let p = 0; p < c; p++) {
      index[u * K + p] = scratch.pickIndex[p];
      score[u * K + p] = servedRating(ix, u, scratch.pickIndex[p]);
    }
  }
  return { index, score, count, because: new Array(nUsers * K) };
}

/**
 * Positions in user u's list of the first n entries that pass the filters, or undefined when the list
 * (the complete top-K of the unfiltered candidates) cannot prove they are the filtered top n.
 */
export function topListPicks(
  ix: ServingIndex,
  lists: TopLists,
  u: number,
  n: number,
  wanted: number,
  excludeIds: number[] | undefined,
): number[] | undefined {
  const K = ix.maxN;
  const c = lists.count[u];
  const picks: number[] = [];
  for (let p = 0; p < c && picks.length < n; p++) {
    const i = lists.index[u * K + p];
    if (ix.catalogue.hidden[i]) continue;
    if (wanted !== 0 && (ix.catalogue.genreBits[i] & wanted) === 0) continue;
    if (excludeIds?.length && excludeIds.includes(ix.model.movieIds[i])) continue;
    picks.push(u * K + p);
  }
  return picks.length !== n && c >= K ? undefined : picks;
}
