import { assertEaseShape, type EaseModel } from './ease-model.js';
import type { MfModel } from './mf-model.js';

/**
 * The top-N ranker served next to the rating model. A rating model alone ranks obscure movies with
 * a few five-star ratings first (on the fixed ml-latest-small 80/20 split: NDCG@10 ~0.01 vs 0.158 for the most-rated list), so
 * the list is ordered by a blend of three signals, all linear in fixed per-movie vectors:
 *
 *   rank(u, i) = w_implicit · x_u·y_i                       implicit feedback: "will u rate i?"
 *              + w_rating   · (μ + b_u + b_i + p_u·q_i)     the rating model, unclipped: "how much?"
 *              + w_popularity · prior_i                     log(1 + train ratings of i)
 *              + w_ease · (x_u B)_i                         EASE item-item weights (ease-model.ts), optional
 *
 * x_u, y_i come from implicit ALS over who-rated-what (Hu, Koren & Volinsky 2008: confidence
 * c_ui = 1 + α·w(r_ui) on observed pairs, preference 1 on observed and 0 on every other pair).
 * Being linear, the blend is one dot product over concatenated vectors, so `rankingScoringModel`
 * turns it into a plain MfModel that every existing scorer (scoreAllMovies, TensorScorer, the
 * SIMD scorer) evaluates unchanged. The EASE term is linear too, but in the user's 0/1 row over K
 * movies, not in a short vector: it is added to those scores by `addEaseScores` (the rated movies' B rows). `predicted_rating` always stays the rating model's
 * clipped `predictRating`; this score only orders the list.
 */
export interface RankingBlendWeights {
  implicit: number;
  rating: number;
  popularity: number;
  /** Weight of the EASE scores (absent or 0: no EASE term). */
  ease?: number;
}

/** How observed ratings turn into ALS confidences (needed again to fold in a new user). */
export interface ImplicitConfidence {
  /** c = 1 + alpha · w(r). */
  alpha: number;
  /** w(r) = max(floor, 1 + ratingSlope · (r - ratingPivot)): 0 slope = every rating counts alike. */
  ratingSlope: number;
  ratingPivot: number;
  floor: number;
  /** L2 weight λ of the ALS solves. */
  regularization: number;
}

export interface RankingModel {
  /** Implicit factors per user / movie (users and movies indexed as in the MfModel). */
  factors: number;
  /** nUsers × factors, row-major. */
  userFactors: Float32Array;
  /** nMovies × factors, row-major. */
  movieFactors: Float32Array;
  /** Popularity prior per movie: log(1 + number of train ratings). */
  moviePrior: Float32Array;
  weights: RankingBlendWeights;
  confidence: ImplicitConfidence;
  /** EASE item-item weights, when the blend uses them (weights.ease > 0). */
  ease?: EaseModel;
}

/** A rated movie of a user (dense movie index). */
export interface RatedMovie {
  movieIndex: number;
  rating: number;
}

export function confidenceOf(confidence: ImplicitConfidence, rating: number): number {
  const w = 1 + confidence.ratingSlope * (rating - confidence.ratingPivot);
  return 1 + confidence.alpha * (w > confidence.floor ? w : confidence.floor);
}

export function popularityPrior(counts: ArrayLike<number>): Float32Array {
  return Float32Array.from(counts, (c) => Math.log1p(c));
}

/** Throws if the ranking arrays do not fit the rating model they serve with. */
export function assertRankingShape(model: Pick<MfModel, 'userIds' | 'movieIds'>, ranking: RankingModel): void {
  const nUsers = model.userIds.length;
  const nMovies = model.movieIds.length;
  const k = ranking.factors;
  const problems: string[] = [];
  if (!Number.isInteger(k) || k <= 0) problems.push(`ranking factors=${k}`);
  if (ranking.userFactors.length !== nUsers * k) problems.push(`ranking userFactors has ${ranking.userFactors.length}, expected ${nUsers * k}`);
  if (ranking.movieFactors.length !== nMovies * k) problems.push(`ranking movieFactors has ${ranking.movieFactors.length}, expected ${nMovies * k}`);
  if (ranking.moviePrior.length !== nMovies) problems.push(`ranking moviePrior has ${ranking.moviePrior.length}, expected ${nMovies}`);
  for (const [name, w] of Object.entries(ranking.weights)) if (!Number.isFinite(w)) problems.push(`ranking weight ${name} is not finite`);
  if (ranking.ease) {
    try {
      assertEaseShape(ranking.ease, nMovies);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length) throw new Error(`Invalid ranking model: ${problems.join('; ')}`);
}

/**
 * The blend as one MfModel over concatenated vectors [w_implicit·x_u, w_rating·p_u]·[y_i, q_i] with
 * movie bias w_rating·b_i + w_popularity·prior_i and user base w_rating·(μ + b_u), so
 * `scoreAllMovies(rankingScoringModel(m, r), u, out)` equals `scoreForRanking` (up to float32
 * rounding of the products). The API builds it once at load and hands it to its SIMD scorer.
 */
export function rankingScoringModel(model: MfModel, ranking: RankingModel): MfModel {
  const movies = rankingMovieModel(model, ranking);
  const kI = ranking.factors;
  const kR = model.factors;
  const nUsers = model.userIds.length;
  const userFactors = new Float32Array(nUsers * movies.factors);
  const userBias = new Float32Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    writeRankingUserVector(ranking, model, ranking.userFactors, u * kI, model.userFactors, u * kR, userFactors, u * movies.factors);
    userBias[u] = rankingUserBias(model, ranking, u);
  }
  return { ...movies, userIds: model.userIds, userBias, userFactors };
}

/** rankingScoringModel's movie side and global base alone: the form a server keeps, writing each user's vector when it ranks for them. */
export type RankingMovieModel = Pick<MfModel, 'factors' | 'globalMean' | 'movieIds' | 'movieBias' | 'movieFactors'>;

/**
 * The movie side of `rankingScoringModel` without its users × (k_implicit + k_rating) matrix (at
 * ml-20m's 138,493 users, 53 MB): a user's vector is written on demand by `writeRankingUserVector`
 * with base globalMean + `rankingUserBias`, bit for bit the rows rankingScoringModel stores.
 */
export function rankingMovieModel(model: MfModel, ranking: RankingModel): RankingMovieModel {
  assertRankingShape(model, ranking);
  const { rating: wR, popularity: wP } = ranking.weights;
  const kI = ranking.factors;
  const kR = model.factors;
  const k = kI + kR;
  const nMovies = model.movieIds.length;
  const movieFactors = new Float32Array(nMovies * k);
  const movieBias = new Float32Array(nMovies);
  for (let i = 0; i < nMovies; i++) {
    movieFactors.set(ranking.movieFactors.subarray(i * kI, i * kI + kI), i * k);
    movieFactors.set(model.movieFactors.subarray(i * kR, i * kR + kR), i * k + kI);
    movieBias[i] = wR * model.movieBias[i] + wP * ranking.moviePrior[i];
  }
  return { factors: k, globalMean: wR * model.globalMean, movieIds: model.movieIds, movieBias, movieFactors };
}

/** Known user u's bias in the ranking blend (w_rating·b_u, rounded to float32 as rankingScoringModel stores it). */
export function rankingUserBias(model: Pick<MfModel, 'userBias'>, ranking: RankingModel, u: number): number {
  return Math.fround(ranking.weights.rating * model.userBias[u]);
}

/**
 * Writes the combined user vector [w_implicit·x, w_rating·p] of `rankingScoringModel` into `out` at
 * `outOffset` (length ranking.factors + model.factors): for known users and for folded-in ones.
 */
export function writeRankingUserVector(
  ranking: RankingModel,
  model: Pick<MfModel, 'factors'>,
  implicitVector: Float32Array,
  implicitOffset: number,
  ratingVector: Float32Array,
  ratingOffset: number,
  out: Float32Array,
  outOffset = 0,
): Float32Array {
  const kI = ranking.factors;
  const kR = model.factors;
  const { implicit: wI, rating: wR } = ranking.weights;
  for (let f = 0; f < kI; f++) out[outOffset + f] = wI * implicitVector[implicitOffset + f];
  for (let f = 0; f < kR; f++) out[outOffset + kI + f] = wR * ratingVector[ratingOffset + f];
  return out;
}

/**
 * The ranking score of known user `userIndex` against every movie, into `out` (length nMovies), by
 * the blend formula above without its EASE term (add it with `addEaseScores` over the user's rated movies). Without a ranking model (an older artifact) it is the rating model's
 * `scoreAllMovies`. The reference single-user path: evaluation scores the same formula in batches.
 */
export function scoreForRanking(bundle: { model: MfModel; ranking?: RankingModel }, userIndex: number, out: Float32Array): Float32Array {
  const { model, ranking } = bundle;
  const nMovies = model.movieIds.length;
  const kR = model.factors;
  const P = model.userFactors;
  const Q = model.movieFactors;
  const pu = userIndex * kR;
  if (!ranking) {
    const base = model.globalMean + model.userBias[userIndex];
    for (let i = 0, qi = 0; i < nMovies; i++, qi += kR) {
      let dot = 0;
      for (let f = 0; f < kR; f++) dot += P[pu + f] * Q[qi + f];
      out[i] = base + model.movieBias[i] + dot;
    }
    return out;
  }
  const { implicit: wI, rating: wR, popularity: wP } = ranking.weights;
  const kI = ranking.factors;
  const X = ranking.userFactors;
  const Y = ranking.movieFactors;
  const xu = userIndex * kI;
  const base = model.globalMean + model.userBias[userIndex];
  for (let i = 0; i < nMovies; i++) {
    let implicit = 0;
    const yi = i * kI;
    for (let f = 0; f < kI; f++) implicit += X[xu + f] * Y[yi + f];
    let dot = 0;
    const qi = i * kR;
    for (let f = 0; f < kR; f++) dot += P[pu + f] * Q[qi + f];
    out[i] = wI * implicit + wR * (base + model.movieBias[i] + dot) + wP * ranking.moviePrior[i];
  }
  return out;
}

/** YᵀY (k × k, row-major, float64) of the movie factors: precompute once for fold-ins. */
export function implicitGram(ranking: Pick<RankingModel, 'factors' | 'movieFactors'>): Float64Array {
  return gramOf(ranking.movieFactors, ranking.factors);
}

/** VᵀV of a row-major (rows × k) matrix V. */
export function gramOf(V: Float32Array, k: number): Float64Array {
  const G = new Float64Array(k * k);
  const rows = V.length / k;
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const va = V[o + a];
      if (va === 0) continue;
      const row = a * k;
      for (let b = 0; b <= a; b++) G[row + b] += va * V[o + b];
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) G[b * k + a] = G[a * k + b];
  return G;
}

/**
 * In-place Cholesky solve of A x = b for a symmetric positive-definite A (k × k, lower triangle
 * read, overwritten by L); the solution replaces b. No allocation: the hot loop of implicit ALS.
 */
export function choleskySolveInPlace(A: Float64Array, b: Float64Array, k: number): void {
  for (let i = 0; i < k; i++) {
    const ri = i * k;
    for (let j = 0; j <= i; j++) {
      const rj = j * k;
      let sum = A[ri + j];
      for (let p = 0; p < j; p++) sum -= A[ri + p] * A[rj + p];
      if (i === j) {
        if (!(sum > 0)) throw new Error('implicit ALS system is not positive definite');
        A[ri + i] = Math.sqrt(sum);
      } else A[ri + j] = sum / A[rj + j];
    }
  }
  for (let i = 0; i < k; i++) {
    let sum = b[i];
    const ri = i * k;
    for (let p = 0; p < i; p++) sum -= A[ri + p] * b[p];
    b[i] = sum / A[ri + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let sum = b[i];
    for (let p = i + 1; p < k; p++) sum -= A[p * k + i] * b[p];
    b[i] = sum / A[i * k + i];
  }
}

/** Reusable buffers of one k-dimensional implicit ALS solve. */
export interface ImplicitSolveBuffers {
  A: Float64Array;
  b: Float64Array;
}

export function implicitSolveBuffers(k: number): ImplicitSolveBuffers {
  return { A: new Float64Array(k * k), b: new Float64Array(k) };
}

/**
 * One implicit-ALS row solve (the user step; the movie step is the same with roles swapped):
 *   x = (G + Σ_j (c_j − 1) v_j v_jᵀ + λ I)⁻¹ Σ_j c_j v_j
 * over the observed items j (rows of V at `items[from..to)` with confidences `conf[from..to)`),
 * G = VᵀV. Writes x into `out` at `outOffset`. With no observed items x = 0.
 */
export function solveImplicitRow(
  G: Float64Array,
  V: Float32Array,
  k: number,
  items: ArrayLike<number>,
  conf: ArrayLike<number>,
  from: number,
  to: number,
  regularization: number,
  out: Float32Array,
  outOffset: number,
  buffers: ImplicitSolveBuffers,
): void {
  const { A, b } = buffers;
  if (to <= from) {
    out.fill(0, outOffset, outOffset + k);
    return;
  }
  for (let a = 0; a < k; a++) {
    const row = a * k;
    for (let c = 0; c <= a; c++) A[row + c] = G[row + c];
    A[row + a] += regularization;
    b[a] = 0;
  }
  for (let n = from; n < to; n++) {
    const o = items[n] * k;
    const c = conf[n];
    const cm1 = c - 1;
    for (let a = 0; a < k; a++) {
      const va = V[o + a];
      b[a] += c * va;
      const t = cm1 * va;
      const row = a * k;
      for (let d = 0; d <= a; d++) A[row + d] += t * V[o + d];
    }
  }
  choleskySolveInPlace(A, b, k);
  for (let a = 0; a < k; a++) out[outOffset + a] = b[a];
}

/**
 * Implicit factors of a user the model has never seen, from their rated movies, with the movie
 * factors fixed: the very user step of training, so a folded-in user is scored like a known one.
 * `gram` = implicitGram(ranking) (pass it to avoid recomputing it per request).
 */
export function foldInImplicitUser(ranking: RankingModel, ratings: readonly RatedMovie[], gram: Float64Array = implicitGram(ranking)): Float32Array {
  const k = ranking.factors;
  const out = new Float32Array(k);
  const nMovies = ranking.movieFactors.length / k;
  const items = new Int32Array(ratings.length);
  const conf = new Float64Array(ratings.length);
  ratings.forEach((r, n) => {
    if (!(r.movieIndex >= 0 && r.movieIndex < nMovies)) throw new RangeError(`movie index ${r.movieIndex} is outside the model`);
    items[n] = r.movieIndex;
    conf[n] = confidenceOf(ranking.confidence, r.rating);
  });
  solveImplicitRow(gram, ranking.movieFactors, k, items, conf, 0, ratings.length, ranking.confidence.regularization, out, 0, implicitSolveBuffers(k));
  return out;
}
