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

/** Whether the lists are precomputed: users × movies × factors at most `budget` (default 3e9: ml-latest-small yes, ml-20m no). */
function listsFit(ix: ServingIndex, budget: number): boolean {
  const nUsers = ix.model.userIds.length;
  return nUsers * ix.model.movieIds.length * ix.rankModel.factors <= budget && nUsers * ix.maxN <= 5e7;
}

/**
 * The top lists built a slice of users at a time (`step`), so a model being served can have them
 * built between requests without stalling them. A slice is synchronous; it ranks the hidden movies as
 * shown (the lists hold them, picks skip them), as the lists built at load do, so showing one again
 * needs no new lists. The lists are only handed out whole (`done`).
 */
export class TopListsBuilder {
  private readonly lists: TopLists;
  private next = 0;

  constructor(
    private readonly ix: ServingIndex,
    private readonly scratch: RequestScratch,
  ) {
    const nUsers = ix.model.userIds.length;
    const K = ix.maxN;
    this.lists = {
      index: new Int32Array(nUsers * K),
      score: new Float32Array(nUsers * K),
      count: K < 256 ? new Uint8Array(nUsers) : new Uint16Array(nUsers),
      because: new Array(nUsers * K),
    };
  }

  /** Ranks users until `deadline` (performance.now() ms; Infinity: all); returns the lists once every user is done. */
  step(deadline = Infinity): TopLists | undefined {
    const { ix, scratch, lists } = this;
    const { model, maxN: K } = ix;
    const { unservable, hidden } = ix.catalogue;
    const shown: number[] = [];
    for (const id of ix.catalogue.hiddenIds) {
      const i = ix.ids.movieIndex.get(id);
      if (i !== undefined && !unservable[i]) shown.push(i);
    }
    const show = () => shown.forEach((i) => (scratch.mask[i] = 0));
    show();
    try {
      const nUsers = model.userIds.length;
      while (this.next < nUsers) {
        const u = this.next++;
        const row = ix.seen.row.get(model.userIds[u]);
        scratch.exclude(row, undefined);
        const c = scratch.rankKnownUser(u, K, 0);
        scratch.restore(row, undefined);
        if (shown.length) show(); // restore() set the user's rated hidden movies back to hidden
        lists.count[u] = c;
        for (let p = 0; p < c; p++) {
          lists.index[u * K + p] = scratch.pickIndex[p];
          lists.score[u * K + p] = servedRating(ix, u, scratch.pickIndex[p]);
        }
        if ((u & 15) === 15 && performance.now() >= deadline) break;
      }
    } finally {
      for (const i of shown) scratch.mask[i] = unservable[i] | hidden[i];
    }
    return this.next < model.userIds.length ? undefined : lists;
  }
}

/** A builder of the top lists, or undefined when the model is too big to precompute them (`budget`, 0: never). */
export function topListsBuilder(ix: ServingIndex, scratch: RequestScratch, budget = 3e9): TopListsBuilder | undefined {
  return listsFit(ix, budget) ? new TopListsBuilder(ix, scratch) : undefined;
}

/** Every known user's list at once (at load time). */
export function precomputeTopLists(ix: ServingIndex, scratch: RequestScratch, budget = 3e9): TopLists | undefined {
  return topListsBuilder(ix, scratch, budget)?.step();
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
