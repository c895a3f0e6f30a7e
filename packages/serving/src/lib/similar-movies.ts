import { createMovieScorer, topN, type MfModel, type MovieScorer } from '@reelrank/model';

/** Highest-rated movies of a user considered as "because" anchors. */
export const MAX_ANCHORS = 50;

/**
 * Item-to-item similarity: cosine between movie factor vectors, with the unit vectors computed
 * once per model. A movie whose factors are all zero has no neighbours.
 */
export class SimilarMovies {
  private readonly unit: Float32Array;
  private readonly scores: Float32Array;
  /** The unit vectors in the SIMD scorer (no bias): a movie's cosines with a user's rated movies in one pass. */
  private readonly unitScorer: MovieScorer;
  private readonly anchorCosines: Float32Array;

  constructor(
    private readonly model: MfModel,
    maxAnchors: number,
  ) {
    const k = model.factors;
    const n = model.movieIds.length;
    this.unit = new Float32Array(n * k);
    this.scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let f = 0; f < k; f++) norm += model.movieFactors[i * k + f] ** 2;
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let f = 0; f < k; f++) this.unit[i * k + f] = model.movieFactors[i * k + f] * scale;
    }
    this.unitScorer = createMovieScorer({ factors: k, movieIds: model.movieIds, movieBias: new Float32Array(n), movieFactors: this.unit });
    this.anchorCosines = new Float32Array(maxAnchors);
  }

  /** The n movie indices most similar to `movieIndex` (never itself nor masked ones), with their cosines. */
  similarTo(movieIndex: number, n: number, excluded: Uint8Array): { index: number; similarity: number }[] {
    const k = this.model.factors;
    const { unit, scores } = this;
    const base = movieIndex * k;
    let zero = true;
    for (let f = 0; f < k; f++) if (unit[base + f] !== 0) zero = false;
    if (zero) return [];
    for (let i = 0, q = 0; i < scores.length; i++, q += k) {
      let dot = 0;
      for (let f = 0; f < k; f++) dot += unit[base + f] * unit[q + f];
      scores[i] = dot;
    }
    const before = excluded[movieIndex];
    excluded[movieIndex] = 1; // never the movie itself; restored below (no copy of the mask per request)
    try {
      return topN(scores, n, excluded).map((index) => ({ index, similarity: scores[index] }));
    } finally {
      excluded[movieIndex] = before;
    }
  }

  /**
   * Cosines of movie index i with the movie indices items[from..to) (at most maxAnchors), into the
   * returned view at [0, to - from), valid until the next call. Summed in float32 by the SIMD kernel.
   */
  cosinesWith(i: number, items: Int32Array, from: number, to: number): Float32Array {
    const k = this.model.factors;
    this.unitScorer.scoreSome(this.unit, i * k, 0, from === 0 ? items : items.subarray(from, to), to - from, this.anchorCosines);
    return this.anchorCosines;
  }

  /** Cosine of the factor vectors of movie indices a and b (0 when either is all zeros). */
  cosine(a: number, b: number): number {
    const k = this.model.factors;
    const { unit } = this;
    let dot = 0;
    for (let f = 0, pa = a * k, pb = b * k; f < k; f++) dot += unit[pa + f] * unit[pb + f];
    return dot;
  }
}
