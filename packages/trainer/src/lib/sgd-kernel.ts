import type { MfModel } from '@reelrank/model';
import { gaussian, normalDraws, seededRandom, shuffleInPlace, type Random } from '@reelrank/random';
import type { IndexedRatings } from './indexing.js';

/**
 * The training loop of biased matrix factorisation (Funk / Koren SGD) over typed arrays:
 * no allocation and no TF.js per rating (`npm run bench:train`: ~35x faster than TF.js mini-batches on this machine).
 * The arrays are those of an MfModel, so the trained model is scored by @reelrank/model unchanged.
 */

export interface SgdStep {
  learningRate: number;
  regularization: number;
  biasRegularization: number;
}

/** An MfModel with zero biases and N(0, initStd²) factors, for the given sorted ids. */
export function initModel(userIds: Int32Array, movieIds: Int32Array, factors: number, globalMean: number, initStd: number, random: Random): MfModel {
  const normal = gaussian(random);
  return {
    factors,
    globalMean,
    userIds,
    movieIds,
    userBias: new Float32Array(userIds.length),
    movieBias: new Float32Array(movieIds.length),
    userFactors: normalDraws(userIds.length * factors, initStd, normal),
    movieFactors: normalDraws(movieIds.length * factors, initStd, normal),
  };
}

/**
 * Regularised alternating least squares for the biases alone (Surprise's BaselineOnly):
 * b_i = Σ(r - μ - b_u) / (λ_i + n_i), then b_u = Σ(r - μ - b_i) / (λ_u + n_u), `sweeps` times.
 * Rows must have known indices. Writes into model.userBias / model.movieBias.
 */
export function fitBaselineBiases(model: MfModel, data: IndexedRatings, sweeps: number, regItem: number, regUser: number): void {
  const { users, movies, ratings } = data;
  const mu = model.globalMean;
  const bu = model.userBias;
  const bi = model.movieBias;
  const n = ratings.length;
  // Counts do not change between sweeps: count once, then each sweep is one pass per side.
  const cntU = new Float64Array(bu.length);
  const cntI = new Float64Array(bi.length);
  for (let r = 0; r < n; r++) {
    cntU[users[r]] += 1;
    cntI[movies[r]] += 1;
  }
  const sumU = new Float64Array(bu.length);
  const sumI = new Float64Array(bi.length);
  for (let s = 0; s < sweeps; s++) {
    sumI.fill(0);
    for (let r = 0; r < n; r++) sumI[movies[r]] += ratings[r] - mu - bu[users[r]];
    for (let i = 0; i < bi.length; i++) bi[i] = sumI[i] / (regItem + cntI[i]);
    sumU.fill(0);
    for (let r = 0; r < n; r++) sumU[users[r]] += ratings[r] - mu - bi[movies[r]];
    for (let u = 0; u < bu.length; u++) bu[u] = sumU[u] / (regUser + cntU[u]);
  }
}

/**
 * One SGD epoch in the order `order` (row numbers into `data`):
 *   e = r - (μ + b_u + b_i + p_u·q_i)
 *   b_u += lr (e - λb b_u);  b_i += lr (e - λb b_i)
 *   p_u += lr (e q_i - λ p_u);  q_i += lr (e p_u - λ q_i)
 * Returns the sum of squared errors seen before each update (the epoch's running train loss).
 * svdpp-kernels.js repeats this per-rating update with the implicit term added, deliberately: it is the
 * inner loop of both fits, and a shared per-rating callback would cost a call per rating.
 */
export function sgdEpoch(model: MfModel, data: IndexedRatings, order: Int32Array, step: SgdStep): number {
  const k = model.factors;
  const P = model.userFactors;
  const Q = model.movieFactors;
  const bu = model.userBias;
  const bi = model.movieBias;
  const mu = model.globalMean;
  const { users, movies, ratings } = data;
  const lr = step.learningRate;
  const reg = step.regularization;
  const regB = step.biasRegularization;
  let sse = 0;
  // Alike svdpp-kernels.js's jsKernels().visits by deliberate: the per-rating hot loop; a shared helper per rating would cost a call per rating (and SVD++ adds z_u and g).
  for (let n = 0; n < order.length; n++) {
    const r = order[n];
    const u = users[r];
    const i = movies[r];
    const pu = u * k;
    const qi = i * k;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += P[pu + f] * Q[qi + f];
    const e = ratings[r] - (mu + bu[u] + bi[i] + dot);
    sse += e * e;
    bu[u] += lr * (e - regB * bu[u]);
    bi[i] += lr * (e - regB * bi[i]);
    for (let f = 0; f < k; f++) {
      const p = P[pu + f];
      const q = Q[qi + f];
      P[pu + f] = p + lr * (e * q - reg * p);
      Q[qi + f] = q + lr * (e * p - reg * q);
    }
  }
  return sse;
}

/** A reusable seeded shuffler of row orders, one stream per training run. */
export function createEpochOrder(length: number, seed: number): () => Int32Array {
  const random = seededRandom(seed);
  const order = Int32Array.from({ length }, (_, i) => i);
  return () => {
    shuffleInPlace(order, random);
    return order;
  };
}
