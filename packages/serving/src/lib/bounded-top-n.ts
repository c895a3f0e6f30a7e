import type { MfModel, MovieBoundScorer, MovieScorer } from '@reelrank/model';

/** Movies scored exactly first to set the threshold: at least this many, and 4 per movie asked for. */
export const MIN_PROBES = 128;
/** Probe-order entries looked at before giving up on finding enough eligible probes. */
const PROBE_SCAN_FACTOR = 16;
/** Relative slack on the norm bound: far above the float32 rounding of the exact kernel. */
const SLACK = 2e-4;
/** The factors are cut into this many slices; the norm bound is Σ over slices of |u_s|·|q_s|. */
const SLICES = 4;
/** Movies per block of the norm scan: a block whose largest bias and slice norms cannot reach τ is skipped whole. */
const BLOCK = 32;

/** The EASE term a movie's exact score gets, as addEaseScores adds it (0 without one). */
export type EaseTerm = (index: number) => number;

/**
 * The exact top n of a ranking without scoring every movie in 32 bits:
 *   1. a few eligible movies likely to score high (highest ranking bias first) are scored exactly; the
 *      n-th best of them, τ, is at most the n-th best exact score over all eligible movies;
 *   2. a movie whose score cannot reach τ is left out: first by the norm bound
 *      base + b_i + |u|·|q_i| (Cauchy-Schwarz, one multiply a movie), and when that leaves too many, by
 *      the int8 bound pass (int8-bound-scorer.ts), which lists the movies whose bound reaches τ;
 *   3. the eligible movies left are scored exactly (the same 32-bit kernel, bit for bit) and ranked.
 * The answer is the exact ranking by construction (the EASE term enters every bound through its
 * largest value); ties break as in topNInto (lower index first). When even the int8 pass lists more
 * movies than it holds (a flat ranking), it returns -1 and the caller scores every movie.
 */
export class BoundedTopN {
  private readonly probeOrder: Int32Array;
  /** Slice norms |q_i,s| in scan order (SLICES per movie), and the largest |b_i| and |q_i| (for the slack). */
  private readonly norms: Float32Array;
  private readonly sliceEnd: Int32Array;
  /** Movies in scan order (by b_i + Σ_s |q_i,s|, descending, so blocks hold alike movies), their biases and slice norms in that order, and each block's largest bias and slice norms. */
  private readonly scanOrder: Int32Array;
  private readonly scanBias: Float32Array;
  private readonly blockMax: Float32Array;
  private readonly userNorms = new Float64Array(SLICES);
  private readonly bias: Float32Array;
  private readonly maxBias: number;
  private readonly maxNorm: number;
  private readonly picked: Int32Array;
  private readonly exact: Float32Array;
  /**
   * Rankings answered after the norm bound / after the int8 bounds / left to the caller's full
   * scoring, and movies scored exactly on the first two (for the agreement tool).
   */
  readonly counts = { norm: 0, certified: 0, fallback: 0, scored: 0 };

  constructor(
    private readonly scorer: MovieScorer,
    readonly bounds: MovieBoundScorer,
    rankModel: Pick<MfModel, 'factors' | 'movieBias' | 'movieFactors'>,
  ) {
    const bias = (this.bias = rankModel.movieBias);
    this.probeOrder = Int32Array.from(bias.keys()).sort((a, b) => bias[b] - bias[a] || a - b);
    const k = rankModel.factors;
    const Q = rankModel.movieFactors;
    this.sliceEnd = Int32Array.from({ length: SLICES }, (_, s) => Math.round((k * (s + 1)) / SLICES));
    this.norms = new Float32Array(bias.length * SLICES);
    let maxNorm = 0;
    for (let i = 0; i < bias.length; i++) {
      let whole = 0;
      for (let s = 0, f = 0; s < SLICES; s++) {
        let sum = 0;
        for (; f < this.sliceEnd[s]; f++) sum += Q[i * k + f] * Q[i * k + f];
        this.norms[i * SLICES + s] = Math.sqrt(sum);
        whole += sum;
      }
      maxNorm = Math.max(maxNorm, Math.sqrt(whole));
    }
    this.maxNorm = maxNorm;
    this.maxBias = bias.reduce((max, b) => Math.max(max, Math.abs(b)), 0);
    const reach = Float64Array.from(bias, (b, i) => b + this.norms.subarray(i * SLICES, i * SLICES + SLICES).reduce((sum, x) => sum + x, 0));
    const order = (this.scanOrder = Int32Array.from(bias.keys()).sort((a, b) => reach[b] - reach[a] || a - b));
    this.scanBias = Float32Array.from(order, (i) => bias[i]);
    const sliceNorms = Float32Array.from(
      { length: order.length * SLICES },
      (_, at) => this.norms[order[Math.floor(at / SLICES)] * SLICES + (at % SLICES)],
    );
    this.norms = sliceNorms;
    const blocks = Math.ceil(order.length / BLOCK);
    this.blockMax = new Float32Array(blocks * (SLICES + 1)).fill(-Infinity);
    for (let j = 0; j < order.length; j++) {
      const at = Math.floor(j / BLOCK) * (SLICES + 1);
      this.blockMax[at] = Math.max(this.blockMax[at], this.scanBias[j]);
      for (let s = 0; s < SLICES; s++) this.blockMax[at + 1 + s] = Math.max(this.blockMax[at + 1 + s], sliceNorms[j * SLICES + s]);
    }
    this.picked = new Int32Array(bounds.listed.length);
    this.exact = new Float32Array(bounds.listed.length);
  }

  /**
   * The top n eligible movies (`mask[i] === 0`, and a `wanted` genre bit when wanted !== 0) for the
   * user vector into outIndex/outScore; the count, or -1 when the caller must score every movie.
   * `easeMax`: the largest `ease` term of any movie (0 without one).
   */
  pick(
    vector: Float32Array,
    offset: number,
    base: number,
    ease: EaseTerm | undefined,
    easeMax: number,
    n: number,
    mask: Uint8Array,
    genreBits: Uint32Array,
    wanted: number,
    outIndex: Int32Array,
    outScore: Float64Array,
  ): number {
    if (n <= 0) return 0;
    if (n > outIndex.length) return this.miss();
    const eligible = (i: number) => mask[i] === 0 && (wanted === 0 || (genreBits[i] & wanted) !== 0);
    // 1. The threshold: the n-th best exact score of the probes.
    const { probeOrder, picked } = this;
    const probes = Math.min(Math.max(MIN_PROBES, 4 * n), picked.length);
    let count = 0;
    for (let p = 0; p < probeOrder.length && p < probes * PROBE_SCAN_FACTOR && count < probes; p++) {
      if (eligible(probeOrder[p])) picked[count++] = probeOrder[p];
    }
    let len = this.rankExact(vector, offset, base, ease, count, n, outIndex, outScore);
    const tau = len === n ? outScore[n - 1] : -Infinity;
    // 2a. The norm bound: a few multiplies a movie.
    const { norms, scanBias, scanOrder, blockMax, sliceEnd, userNorms: un } = this;
    let userNorm = 0;
    for (let s = 0, f = 0; s < SLICES; s++) {
      let sum = 0;
      for (; f < sliceEnd[s]; f++) sum += vector[offset + f] * vector[offset + f];
      un[s] = Math.sqrt(sum);
      userNorm += un[s];
    }
    const slack = SLACK * (1 + Math.abs(base) + this.maxBias + userNorm * this.maxNorm);
    const floor = tau - easeMax - slack - base;
    const [u0, u1, u2, u3] = un;
    // Exactly, one row at a time, only when few are left; else the int8 pass over all is cheaper.
    const capacity = Math.min(picked.length, Math.ceil(scanOrder.length / 8));
    count = 0;
    for (let block = 0, bm = 0; block * BLOCK < scanOrder.length && count <= capacity; block++, bm += SLICES + 1) {
      if (blockMax[bm] + u0 * blockMax[bm + 1] + u1 * blockMax[bm + 2] + u2 * blockMax[bm + 3] + u3 * blockMax[bm + 4] < floor) continue;
      const end = Math.min(scanOrder.length, (block + 1) * BLOCK);
      for (let j = block * BLOCK, at = j * SLICES; j < end; j++, at += SLICES) {
        if (scanBias[j] + u0 * norms[at] + u1 * norms[at + 1] + u2 * norms[at + 2] + u3 * norms[at + 3] < floor) continue;
        const i = scanOrder[j];
        if (!eligible(i)) continue;
        if (count < capacity) picked[count] = i;
        count++;
      }
    }
    if (count <= capacity) {
      this.counts.norm++;
      this.counts.scored += count + probes;
      return this.rankExact(vector, offset, base, ease, count, n, outIndex, outScore);
    }
    // 2b. The int8 bound of every movie (slightly lowered: the kernel compares in float32).
    const threshold = tau - easeMax - 1e-5 * (1 + Math.abs(tau) + easeMax);
    const listed = this.bounds.bound(vector, offset, base, threshold);
    if (listed > this.bounds.listed.length) return this.miss();
    // 3. Those of them that are eligible, exactly (ascending index: ties keep the lower one).
    count = 0;
    for (let c = 0; c < listed; c++) {
      const i = this.bounds.listed[c];
      if (eligible(i)) picked[count++] = i;
    }
    len = this.rankExact(vector, offset, base, ease, count, n, outIndex, outScore);
    this.counts.certified++;
    this.counts.scored += count + probes;
    return len;
  }

  /** The top n of picked[0..count) (ascending index order) by exact score into outIndex/outScore. */
  private rankExact(
    vector: Float32Array,
    offset: number,
    base: number,
    ease: EaseTerm | undefined,
    count: number,
    n: number,
    outIndex: Int32Array,
    outScore: Float64Array,
  ): number {
    const { picked, exact } = this;
    this.scorer.scoreSome(vector, offset, base, picked, count, exact);
    let len = 0;
    for (let c = 0; c < count; c++) {
      const i = picked[c];
      const s = ease ? Math.fround(exact[c] + ease(i)) : exact[c];
      if (s !== s) continue;
      if (len === n && !(s > outScore[n - 1] || (s === outScore[n - 1] && i < outIndex[n - 1]))) continue;
      let j = len < n ? len++ : n - 1;
      while (j > 0 && (outScore[j - 1] < s || (outScore[j - 1] === s && outIndex[j - 1] > i))) {
        outIndex[j] = outIndex[j - 1];
        outScore[j] = outScore[j - 1];
        j--;
      }
      outIndex[j] = i;
      outScore[j] = s;
    }
    return len;
  }

  private miss(): number {
    this.counts.fallback++;
    return -1;
  }
}
