/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an item-item weight
 * matrix B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, over the 0/1 who-rated-what matrix X. A user's
 * scores are x_u·B: the sum of the B rows of the movies they rated, so a new user needs no solve.
 * The dense inverse grows as K³ (and B as K²), so B covers only the K most-rated movies; every other
 * movie gets an EASE score of 0 and is ranked by the blend's other signals.
 */
export interface EaseModel {
  /** Model movie indices B covers (the K most-rated), ascending. */
  movies: Int32Array;
  /** B (K × K, row-major): row a holds what rating movies[a] adds to each covered movie; zero diagonal. */
  weights: Float32Array;
  /** The L2 weight λ it was fitted with. */
  lambda: number;
}

/** Throws if `ease` does not fit a model of `nMovies` movies. */
export function assertEaseShape(ease: EaseModel, nMovies: number): void {
  const k = ease.movies.length;
  const problems: string[] = [];
  if (ease.weights.length !== k * k) problems.push(`ease weights has ${ease.weights.length}, expected ${k * k}`);
  for (let a = 0; a < k; a++) {
    const i = ease.movies[a];
    if (!(i >= 0 && i < nMovies) || (a > 0 && i <= ease.movies[a - 1])) {
      problems.push(`ease movie ${a} (index ${i}) is outside the model or out of order`);
      break;
    }
  }
  if (problems.length) throw new Error(`Invalid EASE model: ${problems.join('; ')}`);
}

/** Position of each model movie in B (−1: not covered), length nMovies. */
export function easePositions(ease: Pick<EaseModel, 'movies'>, nMovies: number): Int32Array {
  const positions = new Int32Array(nMovies).fill(-1);
  ease.movies.forEach((i, a) => (positions[i] = a));
  return positions;
}

/** What scoring with B needs besides the model: its positions and a K-float accumulator (reused, so not re-entrant). */
export interface EaseScorer {
  ease: EaseModel;
  positions: Int32Array;
  sums: Float32Array;
}

export function easeScorer(ease: EaseModel, nMovies: number): EaseScorer {
  assertEaseShape(ease, nMovies);
  return { ease, positions: easePositions(ease, nMovies), sums: new Float32Array(ease.movies.length) };
}

/**
 * x_u·B into `scorer.sums` (one per covered movie), where x_u is 1 on the movies `rated[from..to)`
 * (model indices; uncovered ones add nothing); false when none of them is covered (all sums 0).
 */
export function fillEaseSums(scorer: EaseScorer, rated: ArrayLike<number>, from: number, to: number): boolean {
  const { ease, positions, sums } = scorer;
  const k = ease.movies.length;
  const B = ease.weights;
  sums.fill(0);
  let any = false;
  for (let p = from; p < to; p++) {
    const a = positions[rated[p]];
    if (a < 0) continue;
    any = true;
    const row = a * k;
    for (let b = 0; b < k; b++) sums[b] += B[row + b];
  }
  return any;
}

/** Adds weight · x_u·B (fillEaseSums) to `out` (length nMovies, model movie indices). Cost: covered rated movies × K. */
export function addEaseScores(
  scorer: EaseScorer,
  rated: ArrayLike<number>,
  from: number,
  to: number,
  weight: number,
  out: Float32Array,
): Float32Array {
  if (weight === 0 || !fillEaseSums(scorer, rated, from, to)) return out;
  const { movies } = scorer.ease;
  const { sums } = scorer;
  for (let b = 0; b < movies.length; b++) out[movies[b]] += weight * sums[b];
  return out;
}
