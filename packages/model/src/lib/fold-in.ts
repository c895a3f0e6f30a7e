import type { MfModel } from './mf-model.js';
import { finish, type Steps } from './steps.js';

/**
 * Fold-in: a user vector for someone the model has never seen, solved at request time with the
 * item factors and biases fixed, so five ratings give personal scores without retraining.
 *
 * With x = [b_u, p_u], a_i = [1, q_i] and y_i = r_i - μ - b_i over the rated movies, minimise
 *   Σ_i (y_i - a_i·x)² + λ_b·n·b_u² + λ·n·|p_u|²
 * (the per-rating L2 weights of SGD training scale with the rating count, as in ALS-WR). The
 * normal equations (AᵀA + Λ) x = Aᵀy are a (k+1)×(k+1) symmetric positive-definite system,
 * solved by Cholesky. The result plugs into the model's own scoring functions (see foldInModel).
 */

export interface FoldInRating {
  /** Dense movie index in the model. */
  movieIndex: number;
  rating: number;
}

export interface FoldInOptions {
  /** L2 weight on the user factors per rating (the training `regularization`). */
  regularization?: number;
  /** L2 weight on the user bias per rating (the training `biasRegularization`). */
  biasRegularization?: number;
  /** Smallest total weight on each term, keeping the system well conditioned for 1-2 ratings. */
  minimumPenalty?: number;
}

export interface FoldedInUser {
  bias: number;
  factors: Float32Array;
}

export const DEFAULT_FOLD_IN: Required<FoldInOptions> = { regularization: 0.06, biasRegularization: 0.01, minimumPenalty: 0.1 };

/**
 * The ridge penalties of a user with `n` ratings, the same for every solver (exact, dual, conjugate
 * gradients): λ·n on the factors and λ_b·n on the bias, never below `minimumPenalty`. Invalid
 * options (negative, not finite) fall back to the defaults.
 */
export function foldInPenalties(options: FoldInOptions, n: number): { biasPenalty: number; factorPenalty: number } {
  const positive = (value: number | undefined, fallback: number) => (value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback);
  const regularization = positive(options.regularization, DEFAULT_FOLD_IN.regularization);
  const biasRegularization = positive(options.biasRegularization, DEFAULT_FOLD_IN.biasRegularization);
  const minimumPenalty = positive(options.minimumPenalty, DEFAULT_FOLD_IN.minimumPenalty) || DEFAULT_FOLD_IN.minimumPenalty;
  return { biasPenalty: Math.max(biasRegularization * n, minimumPenalty), factorPenalty: Math.max(regularization * n, minimumPenalty) };
}

/** Solves for [b_u, p_u]; with no ratings the user is the average user (zero bias and factors). */
export function foldInUser(model: MfModel, ratings: readonly FoldInRating[], options: FoldInOptions = {}): FoldedInUser {
  const k = model.factors;
  const dim = k + 1;
  const n = ratings.length;
  if (n === 0) return { bias: 0, factors: new Float32Array(k) };
  const A = new Float64Array(dim * dim);
  const b = new Float64Array(dim);
  const row = new Float64Array(dim);
  for (const { movieIndex, rating } of ratings) {
    if (!(movieIndex >= 0 && movieIndex < model.movieIds.length)) throw new RangeError(`movie index ${movieIndex} is outside the model`);
    row[0] = 1;
    for (let f = 0; f < k; f++) row[f + 1] = model.movieFactors[movieIndex * k + f];
    const y = rating - model.globalMean - model.movieBias[movieIndex];
    for (let r = 0; r < dim; r++) {
      b[r] += row[r] * y;
      for (let c = 0; c <= r; c++) A[r * dim + c] += row[r] * row[c];
    }
  }
  const { biasPenalty, factorPenalty } = foldInPenalties(options, n);
  A[0] += biasPenalty;
  for (let f = 1; f < dim; f++) A[f * dim + f] += factorPenalty;
  const x = solveCholesky(A, b, dim);
  return { bias: x[0], factors: Float32Array.from(x.subarray(1)) };
}

/**
 * Solves A x = b for a symmetric positive-definite A (only the lower triangle is read) by
 * Cholesky, A = L Lᵀ, then two triangular solves. A and b are not modified. Throws if A is not
 * positive definite.
 */
export function solveCholesky(A: Float64Array, b: Float64Array, dim: number): Float64Array {
  return finish(solveCholeskySteps(A, b, dim));
}

/** solveCholesky, pausable after each row of the factorisation (a row of L costs up to dim²/2 multiply-adds). */
export function* solveCholeskySteps(A: Float64Array, b: Float64Array, dim: number): Steps<Float64Array> {
  const L = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * dim + j];
      for (let p = 0; p < j; p++) sum -= L[i * dim + p] * L[j * dim + p];
      if (i === j) {
        if (!(sum > 0)) throw new Error('fold-in system is not positive definite');
        L[i * dim + i] = Math.sqrt(sum);
      } else L[i * dim + j] = sum / L[j * dim + j];
    }
    yield;
  }
  const y = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    let sum = b[i];
    for (let p = 0; p < i; p++) sum -= L[i * dim + p] * y[p];
    y[i] = sum / L[i * dim + i];
  }
  const x = new Float64Array(dim);
  for (let i = dim - 1; i >= 0; i--) {
    let sum = y[i];
    for (let p = i + 1; p < dim; p++) sum -= L[p * dim + i] * x[p];
    x[i] = sum / L[i * dim + i];
  }
  return x;
}

/**
 * A one-user view of `model` (sharing its movie arrays) whose user 0 is the folded-in user, so
 * `scoreAllMovies(view, 0, out)` and `predictRating(view, 0, i)` score them with the one formula.
 */
export function foldInModel(model: MfModel, user: FoldedInUser): MfModel {
  return {
    ...model,
    userIds: Int32Array.of(0),
    userBias: Float32Array.of(user.bias),
    userFactors: user.factors,
  };
}
