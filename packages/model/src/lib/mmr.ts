/**
 * Diversity re-ranking by maximal marginal relevance (Carbonell & Goldstein 1998): from a pool of
 * candidates ranked by relevance, pick n one at a time, each maximising
 *   (1 − λ) · rel(c) − λ · max_{p picked} sim(c, p)
 * with rel min-max scaled to 0..1 over the pool (so λ means the same whatever the score's scale) and
 * sim the cosine of item factor vectors. λ = 0 keeps the relevance order. Cost: n · pool similarity
 * evaluations (each pick updates the remaining candidates' largest similarity once).
 */

/** The n candidates MMR picks, in order; `candidates[j]` has relevance `relevance[j]`. */
export function mmrRerank(
  candidates: ArrayLike<number>,
  relevance: ArrayLike<number>,
  n: number,
  diversity: number,
  similarity: (a: number, b: number) => number,
): number[] {
  const size = candidates.length;
  const picks: number[] = [];
  if (size === 0 || n <= 0) return picks;
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < size; j++) {
    if (relevance[j] < lo) lo = relevance[j];
    if (relevance[j] > hi) hi = relevance[j];
  }
  const span = hi > lo ? hi - lo : 1;
  const taken = new Uint8Array(size);
  const closest = new Float64Array(size).fill(-1); // cosines are at least -1
  for (let step = 0; step < Math.min(n, size); step++) {
    let best = -1;
    let bestValue = -Infinity;
    for (let j = 0; j < size; j++) {
      if (taken[j]) continue;
      const penalty = step === 0 ? 0 : closest[j];
      const value = (1 - diversity) * ((relevance[j] - lo) / span) - diversity * penalty;
      if (value > bestValue) {
        bestValue = value;
        best = j;
      }
    }
    taken[best] = 1;
    const picked = candidates[best];
    picks.push(picked);
    if (diversity === 0) continue;
    for (let j = 0; j < size; j++) {
      if (taken[j]) continue;
      const s = similarity(candidates[j], picked);
      if (s > closest[j]) closest[j] = s;
    }
  }
  return picks;
}

/** Rows of `factors` (rows × k) scaled to unit length (an all-zero row stays zero). */
export function unitRows(factors: Float32Array, k: number): Float32Array {
  const unit = new Float32Array(factors.length);
  for (let o = 0; o < factors.length; o += k) {
    let norm = 0;
    for (let f = 0; f < k; f++) norm += factors[o + f] * factors[o + f];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let f = 0; f < k; f++) unit[o + f] = factors[o + f] * scale;
  }
  return unit;
}

/** Cosine of rows a and b of unit rows (unitRows). */
export function unitCosine(unit: Float32Array, k: number): (a: number, b: number) => number {
  return (a, b) => {
    let dot = 0;
    for (let f = 0, pa = a * k, pb = b * k; f < k; f++) dot += unit[pa + f] * unit[pb + f];
    return dot;
  };
}
