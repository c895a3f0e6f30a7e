/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an item-item weight
 * matrix B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, over the who-rated-what matrix X. A user's
 * scores are x_u·B: the sum of the B rows of the movies they rated, each scaled by what its rating
 * counts in X (`easeRatingWeight`), so a new user needs no solve.
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
  /** What a rating counts in X and x_u (easeRatingWeight); absent: every rating counts 1 (the 0/1 matrix). */
  input?: EaseInput;
}

/**
 * A rating's entry in X: 1 from `likedRating` up (what the ranking protocol calls relevant), `otherWeight`
 * below it. Every rating says the user watched the movie; the liked ones say more about what to show next.
 */
export interface EaseInput {
  likedRating: number;
  otherWeight: number;
}

/** What a rating of `rating` counts in X and x_u under `input` (1 without one). */
export function easeRatingWeight(input: EaseInput | undefined, rating: number): number {
  return !input || rating >= input.likedRating ? 1 : input.otherWeight;
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

/** A user's rated movies `items[from..to)` (model indices) and their ratings (parallel): x_u of the EASE term. */
export interface RatedSpan {
  items: ArrayLike<number>;
  ratings: ArrayLike<number>;
  from: number;
  to: number;
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
 * x_u·B into `scorer.sums` (one per covered movie), where x_u is easeRatingWeight(ratings[p]) on the
 * movies `rated[from..to)` (model indices; uncovered ones add nothing; `ratings` parallel to `rated`,
 * needed when the model weighs ratings); false when none of them is covered (all sums 0).
 */
export function fillEaseSums(scorer: EaseScorer, rated: ArrayLike<number>, from: number, to: number, ratings?: ArrayLike<number>): boolean {
  const { ease, positions, sums } = scorer;
  const k = ease.movies.length;
  const B = ease.weights;
  const { input } = ease;
  if (input && !ratings) throw new Error('EASE weighs ratings: x_u needs the ratings of the rated movies');
  sums.fill(0);
  let any = false;
  for (let p = from; p < to; p++) {
    const a = positions[rated[p]];
    if (a < 0) continue;
    const x = input ? easeRatingWeight(input, ratings![p]) : 1;
    if (x === 0) continue;
    any = true;
    const row = a * k;
    if (x === 1) for (let b = 0; b < k; b++) sums[b] += B[row + b];
    else for (let b = 0; b < k; b++) sums[b] += x * B[row + b];
  }
  return any;
}

/** Adds weight · x_u·B (fillEaseSums; `ratings` as there) to `out` (length nMovies, model movie indices). Cost: covered rated movies × K. */
export function addEaseScores(
  scorer: EaseScorer,
  rated: ArrayLike<number>,
  from: number,
  to: number,
  weight: number,
  out: Float32Array,
  ratings?: ArrayLike<number>,
): Float32Array {
  if (weight === 0 || !fillEaseSums(scorer, rated, from, to, ratings)) return out;
  const { movies } = scorer.ease;
  const { sums } = scorer;
  for (let b = 0; b < movies.length; b++) out[movies[b]] += weight * sums[b];
  return out;
}
