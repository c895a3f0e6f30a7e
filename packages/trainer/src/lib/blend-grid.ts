import { topNInto } from '@reelrank/model';

/**
 * The blend grid of `tuneBlendWeights` and what is fixed for a tuning run: points in grid order (rating, then
 * ease, then popularity weight), the popularity prior (>= 0) and the movies EASE covers (empty without EASE).
 */
export interface BlendGridSpec {
  k: number;
  nMovies: number;
  ratingWeights: number[];
  easeWeights: number[];
  popularityWeights: number[];
  hasEase: boolean;
  prior: Float32Array;
  easeCovered: Int32Array;
}

/**
 * One batch of tuning users: their component score rows (batch × nMovies, row-major; `easeRows` empty without
 * EASE), their train movies and relevant held-out movies as offset lists, their relevant counts, and `gains`,
 * where user b's row of [precision, NDCG] per grid point is written (batch × points × 2).
 */
export interface BlendGridBatch {
  implicitRows: Float32Array;
  ratingRows: Float32Array;
  easeRows: Float32Array;
  seenOffsets: Int32Array;
  seenMovies: Int32Array;
  relevantOffsets: Int32Array;
  relevantMovies: Int32Array;
  relevantCount: Int32Array;
  gains: Float64Array;
}

export function blendGridPoints(spec: BlendGridSpec): number {
  return spec.ratingWeights.length * spec.easeWeights.length * spec.popularityWeights.length;
}

/**
 * Scores the grid for users of a batch (`blendGridUser`) with scratch buffers of one thread: the main
 * thread's scorer and each worker's (blend-grid-worker.js) are built the same way, so the figures do not
 * depend on which thread scored a user.
 */
export function blendGridScorer(spec: BlendGridSpec): (batch: BlendGridBatch, b: number) => void {
  const { k, nMovies, ratingWeights, easeWeights, popularityWeights, hasEase, prior, easeCovered } = spec;
  const nPoints = blendGridPoints(spec);
  const row = new Float32Array(nMovies);
  const base = new Float32Array(nMovies);
  const maxPopularity = Math.max(...popularityWeights);
  const mask = new Uint8Array(nMovies);
  const isRelevant = new Uint8Array(nMovies);
  const candidates = new Int32Array(nMovies);
  const candidateScores = new Float32Array(nMovies);
  const noneExcluded = new Uint8Array(nMovies);
  // Each movie's score at maxPopularity (NaN: seen), without EASE and for the current EASE weight.
  const baseUpper = new Float32Array(nMovies);
  const upper = new Float32Array(nMovies);
  const topIndex = new Int32Array(k);
  const topScore = new Float64Array(k);
  const discount = Float64Array.from({ length: k }, (_, j) => 1 / Math.log2(j + 2));
  return (batch, b) => {
    const { implicitRows, ratingRows, easeRows, gains } = batch;
    const seen = batch.seenMovies.subarray(batch.seenOffsets[b], batch.seenOffsets[b + 1]);
    for (const i of seen) mask[i] = 1;
    const rel = batch.relevantMovies.subarray(batch.relevantOffsets[b], batch.relevantOffsets[b + 1]);
    for (const i of rel) isRelevant[i] = 1;
    const nRel = batch.relevantCount[b];
    let idcg = 0;
    for (let j = 0; j < Math.min(k, nRel); j++) idcg += discount[j];
    const o = b * nMovies;
    const out = b * nPoints * 2;
    let pair = 0;
    for (const rating of ratingWeights) {
      // The row without EASE once per rating weight; EASE only moves the movies it covers.
      for (let i = 0; i < nMovies; i++) {
        base[i] = implicitRows[o + i] + rating * ratingRows[o + i];
        baseUpper[i] = mask[i] ? Number.NaN : base[i] + maxPopularity * prior[i];
      }
      for (const we of easeWeights) {
        // Exact pruning: with prior >= 0 and 0 <= w_popularity <= maxPopularity, a movie in some
        // point's top K scores at least the K-th best of the w_popularity = 0 row, so only movies
        // whose score at maxPopularity reaches that bound are ranked for the popularity weights.
        // Without an EASE term the rows are the ones just computed (no copy).
        const withEase = hasEase && we !== 0;
        const scores = withEase ? row : base;
        const bounds = withEase ? upper : baseUpper;
        if (withEase) {
          row.set(base);
          upper.set(baseUpper);
          for (let c = 0; c < easeCovered.length; c++) {
            const i = easeCovered[c];
            row[i] += we * easeRows[o + i];
            if (!mask[i]) upper[i] = row[i] + maxPopularity * prior[i];
          }
        }
        const count0 = topNInto(scores, k, mask, topIndex, topScore);
        const bound = count0 === k ? scores[topIndex[k - 1]] : -Infinity;
        let n = 0;
        for (let i = 0; i < nMovies; i++) if (bounds[i] >= bound) candidates[n++] = i;
        for (let pi = 0; pi < popularityWeights.length; pi++) {
          const popularity = popularityWeights[pi];
          for (let c = 0; c < n; c++) {
            const i = candidates[c];
            candidateScores[c] = scores[i] + popularity * prior[i];
          }
          const count = topNInto(candidateScores.subarray(0, n), k, noneExcluded, topIndex, topScore);
          let hits = 0;
          let dcg = 0;
          for (let rank = 0; rank < count; rank++)
            if (isRelevant[candidates[topIndex[rank]]]) {
              hits++;
              dcg += discount[rank];
            }
          const at = out + (pair * popularityWeights.length + pi) * 2;
          gains[at] = hits / k;
          gains[at + 1] = dcg / idcg;
        }
        pair++;
      }
    }
    for (const i of seen) mask[i] = 0;
    for (const i of rel) isRelevant[i] = 0;
  };
}
