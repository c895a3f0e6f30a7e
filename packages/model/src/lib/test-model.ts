import { seededRandom } from '@reelrank/random';
import type { MfModel } from './mf-model.js';

/** A small deterministic model for tests of this and other packages (not exported from index). */
export function makeTestModel(nUsers = 4, nMovies = 6, factors = 3, seed = 1): MfModel {
  const uniform = seededRandom(seed);
  const rand = () => uniform() - 0.5;
  const fill = (n: number) => Float32Array.from({ length: n }, rand);
  return {
    factors,
    globalMean: 3.5,
    userIds: Int32Array.from({ length: nUsers }, (_, i) => 10 * (i + 1)),
    movieIds: Int32Array.from({ length: nMovies }, (_, i) => 100 + 3 * i),
    userBias: fill(nUsers),
    movieBias: fill(nMovies),
    userFactors: fill(nUsers * factors),
    movieFactors: fill(nMovies * factors),
  };
}
