import { RATING_MAX, RATING_MIN, type MfModel } from './mf-model.js';

/**
 * The one implementation of the prediction formula. The trainer's evaluation and the HTTP
 * server both call these functions, so a metric in metrics.json is what a client gets.
 */

export function clipRating(value: number): number {
  return value < RATING_MIN ? RATING_MIN : value > RATING_MAX ? RATING_MAX : value;
}

/** Unclipped μ + b_u + b_i + p_u · q_i for known user and movie indices. */
export function predictRaw(model: MfModel, userIndex: number, movieIndex: number): number {
  const k = model.factors;
  const pu = userIndex * k;
  const qi = movieIndex * k;
  const P = model.userFactors;
  const Q = model.movieFactors;
  let dot = 0;
  for (let f = 0; f < k; f++) dot += P[pu + f] * Q[qi + f];
  return model.globalMean + model.userBias[userIndex] + model.movieBias[movieIndex] + dot;
}

/**
 * Clipped prediction that falls back through the biases when the user or the movie was not
 * in the training data (index -1): μ + b_i for an unknown user, μ + b_u for an unknown movie, μ for both,
 * taken from the model's baseline predictor (`fallback`) when it has one.
 */
export function predictRating(model: MfModel, userIndex: number, movieIndex: number): number {
  if (userIndex >= 0 && movieIndex >= 0) return clipRating(predictRaw(model, userIndex, movieIndex));
  const biases = model.fallback ?? model;
  let value = biases.globalMean;
  if (userIndex >= 0) value += biases.userBias[userIndex];
  if (movieIndex >= 0) value += biases.movieBias[movieIndex];
  return clipRating(value);
}

/**
 * Unclipped scores of one user against every movie, written into `out` (length nMovies) so the
 * server can reuse one buffer per request instead of allocating.
 */
export function scoreAllMovies(model: MfModel, userIndex: number, out: Float32Array): Float32Array {
  const k = model.factors;
  const nMovies = model.movieIds.length;
  const P = model.userFactors;
  const Q = model.movieFactors;
  const B = model.movieBias;
  const base = model.globalMean + model.userBias[userIndex];
  const pu = userIndex * k;
  for (let i = 0, qi = 0; i < nMovies; i++, qi += k) {
    let dot = 0;
    for (let f = 0; f < k; f++) dot += P[pu + f] * Q[qi + f];
    out[i] = base + B[i] + dot;
  }
  return out;
}
