import { gaussian, seededRandom } from '@reelrank/random';
import type { MfModel } from '@reelrank/model';
import { buildIdIndex, buildIndexing, indexRatings, type IndexedRatings } from '../lib/indexing.js';
import { ratingMetrics } from '../lib/rating-metrics.js';
import { emptyColumns, type RatingsColumns } from '../lib/ratings.js';
import { fitBaselineBiases, initModel } from '../lib/sgd-kernel.js';
import { meanOf } from '../lib/train-mf.js';

/**
 * Test data with a known answer: r(u, i) = μ + b_u + b_i + p_u·q_i + noise for a planted rank-`rank`
 * model, observed on a seeded share of the (user, movie) pairs. Ids are sparse and unsorted-looking
 * (user 7u+3, movie 11i+5) to exercise the id -> index mapping.
 */
export interface PlantedData {
  observed: RatingsColumns;
  heldOut: RatingsColumns;
  /** Noise-free value of every (user, movie) pair, row-major nUsers × nMovies. */
  truth: Float64Array;
  userId: (u: number) => number;
  movieId: (i: number) => number;
}

export function plantedData(
  options: { nUsers?: number; nMovies?: number; rank?: number; observedShare?: number; noise?: number; seed?: number } = {},
): PlantedData {
  const { nUsers = 60, nMovies = 40, rank = 2, observedShare = 0.7, noise = 0.02, seed = 7 } = options;
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const userBias = Array.from({ length: nUsers }, () => 0.3 * normal());
  const movieBias = Array.from({ length: nMovies }, () => 0.3 * normal());
  const P = Array.from({ length: nUsers * rank }, () => 0.6 * normal());
  const Q = Array.from({ length: nMovies * rank }, () => 0.6 * normal());
  const truth = new Float64Array(nUsers * nMovies);
  const userId = (u: number) => 7 * u + 3;
  const movieId = (i: number) => 11 * i + 5;
  const obs: number[][] = [];
  const held: number[][] = [];
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nMovies; i++) {
      let dot = 0;
      for (let f = 0; f < rank; f++) dot += P[u * rank + f] * Q[i * rank + f];
      const value = 3.2 + userBias[u] + movieBias[i] + dot;
      truth[u * nMovies + i] = value;
      (random() < observedShare ? obs : held).push([userId(u), movieId(i), value + noise * normal(), 1e9 + u * nMovies + i]);
    }
  }
  const toColumns = (rows: number[][]) => {
    const c = emptyColumns(rows.length);
    rows.forEach(([u, m, r, t], n) => {
      c.userIds[n] = u;
      c.movieIds[n] = m;
      c.ratings[n] = r;
      c.timestamps[n] = t;
    });
    return c;
  };
  return { observed: toColumns(obs), heldOut: toColumns(held), truth, userId, movieId };
}

/** Columns from literal [userId, movieId, rating] rows. */
export function columnsOf(rows: Array<[number, number, number]>): RatingsColumns {
  const c = emptyColumns(rows.length);
  rows.forEach(([u, m, r], n) => {
    c.userIds[n] = u;
    c.movieIds[n] = m;
    c.ratings[n] = r;
    c.timestamps[n] = n;
  });
  return c;
}

/**
 * The starting point the kernel specs share: `observed` indexed, a seeded N(0, 0.1²) model with
 * `factors` factors and ALS baseline biases (what the trainers do before their first epoch).
 */
export function initialisedModel(observed: RatingsColumns, factors: number): { model: MfModel; data: IndexedRatings } {
  const indexing = buildIndexing(observed);
  const data = indexRatings(observed, indexing);
  const model = initModel(indexing.users.ids, indexing.movies.ids, factors, meanOf(observed.ratings), 0.1, seededRandom(3));
  fitBaselineBiases(model, data, 10, 10, 15);
  return { model, data };
}

/** A model's RMSE on held-out ratings (pairs of unknown users or movies predicted by the biases). */
export function heldOutRmse(model: MfModel, heldOut: RatingsColumns): number {
  return ratingMetrics(model, indexRatings(heldOut, { users: buildIdIndex(model.userIds), movies: buildIdIndex(model.movieIds) })).rmse;
}
