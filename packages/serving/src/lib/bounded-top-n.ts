import type { MovieBoundScorer, MovieScorer } from '@reelrank/model';

/** Candidates scored exactly per request: at least this many, and 4 per movie asked for. */
export const MIN_CANDIDATES = 256;

/** The EASE term a candidate's exact score gets, as addEaseScores adds it (0 without one). */
export type EaseTerm = (index: number) => number;

/**
 * The exact top n of a ranking read through int8 upper bounds (int8-bound-scorer.ts): the best
 * `candidates` eligible movies by bound are scored exactly by the 32-bit scorer (the same kernel,
 * bit for bit), and their top n is the answer when its n-th exact score beats the best bound of
 * every movie left out. Otherwise (or with too few movies for the shortcut to pay) it returns -1 and
 * the caller scores every movie. Ties break as in topNInto: the lower index first.
 */
export class BoundedTopN {
  private readonly heapIndex: Int32Array;
  private readonly heapBound: Float32Array;
  private readonly exact: Float32Array;
  /** Requests answered from the candidates / by the caller's full scoring (for the agreement tool). */
  readonly counts = { certified: 0, fallback: 0 };

  constructor(
    private readonly scorer: MovieScorer,
    readonly bounds: MovieBoundScorer,
    maxN: number,
  ) {
    const size = Math.max(MIN_CANDIDATES, 4 * maxN);
    this.heapIndex = new Int32Array(size);
    this.heapBound = new Float32Array(size);
    this.exact = new Float32Array(size);
  }

  /**
   * The top n eligible movies (`mask[i] === 0`, and a `wanted` genre bit when wanted !== 0) for
   * `upper` (the bound scorer's output, with the same EASE term added as the exact scores get) into
   * outIndex/outScore; the count, or -1 when the candidates cannot prove the answer.
   */
  pick(
    upper: Float32Array,
    vector: Float32Array,
    offset: number,
    base: number,
    ease: EaseTerm | undefined,
    n: number,
    mask: Uint8Array,
    genreBits: Uint32Array,
    wanted: number,
    outIndex: Int32Array,
    outScore: Float64Array,
  ): number {
    if (n <= 0) return 0;
    const size = Math.min(Math.max(MIN_CANDIDATES, 4 * n), this.heapIndex.length);
    if (size * 4 > upper.length || n > outIndex.length) return this.miss();
    const count = this.topBounds(upper, size, mask, genreBits, wanted);
    const { heapIndex, exact } = this;
    this.scorer.scoreSome(vector, offset, base, heapIndex, count, exact);
    let len = 0;
    for (let c = 0; c < count; c++) {
      const i = heapIndex[c];
      const s = ease ? Math.fround(exact[c] + ease(i)) : exact[c];
      if (s !== s) continue;
      if (len === n && (s < outScore[n - 1] || (s === outScore[n - 1] && i > outIndex[n - 1]))) continue;
      let j = len < n ? len++ : n - 1;
      while (j > 0 && (outScore[j - 1] < s || (outScore[j - 1] === s && outIndex[j - 1] > i))) {
        outIndex[j] = outIndex[j - 1];
        outScore[j] = outScore[j - 1];
        j--;
      }
      outIndex[j] = i;
      outScore[j] = s;
    }
    // Every eligible movie was a candidate, or the best bound left out (≤ the heap's minimum) loses.
    if (count < size || (len === n && this.heapBound[0] < outScore[n - 1])) {
      this.counts.certified++;
      return len;
    }
    return this.miss();
  }

  private miss(): number {
    this.counts.fallback++;
    return -1;
  }

  /** The `size` best eligible bounds (a min-heap: heapBound[0] is the smallest kept); returns how many. */
  private topBounds(upper: Float32Array, size: number, mask: Uint8Array, genreBits: Uint32Array, wanted: number): number {
    const { heapIndex, heapBound } = this;
    let len = 0;
    let floor = -Infinity;
    const total = upper.length;
    for (let i = 0; i < total; i++) {
      const s = upper[i];
      if (!(s > floor) || mask[i] !== 0) continue; // also drops NaN
      if (wanted !== 0 && (genreBits[i] & wanted) === 0) continue;
      if (len < size) {
        siftUp(heapIndex, heapBound, len++, i, s);
        if (len === size) floor = heapBound[0];
      } else {
        siftDown(heapIndex, heapBound, size, i, s);
        floor = heapBound[0];
      }
    }
    return len;
  }
}

function siftUp(index: Int32Array, bound: Float32Array, at: number, i: number, s: number): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (bound[parent] <= s) break;
    index[at] = index[parent];
    bound[at] = bound[parent];
    at = parent;
  }
  index[at] = i;
  bound[at] = s;
}

/** Replaces the heap's minimum with (i, s) and restores the heap. */
function siftDown(index: Int32Array, bound: Float32Array, size: number, i: number, s: number): void {
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= size) break;
    if (child + 1 < size && bound[child + 1] < bound[child]) child++;
    if (bound[child] >= s) break;
    index[at] = index[child];
    bound[at] = bound[child];
    at = child;
  }
  index[at] = i;
  bound[at] = s;
}
