import { seededRandom } from '@reelrank/random';
import type { MfModel } from '@reelrank/model';
import { SimilarMovies } from './similar-movies.js';

function model(nMovies: number, factors: number, seed: number): MfModel {
  const random = seededRandom(seed);
  const fill = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
  const movieFactors = fill(nMovies * factors);
  movieFactors.fill(0, 3 * factors, 4 * factors); // movie 3 has no factors: cosine 0 with everything
  return {
    factors,
    globalMean: 3.5,
    userIds: Int32Array.of(1),
    movieIds: Int32Array.from({ length: nMovies }, (_, i) => 100 + i),
    userBias: new Float32Array(1),
    movieBias: fill(nMovies),
    userFactors: fill(factors),
    movieFactors,
  };
}

describe('SimilarMovies.cosinesWith', () => {
  it('gives the cosine of a movie with each anchor of a range, as cosine() does one by one', () => {
    const similarity = new SimilarMovies(model(40, 37, 5), 8);
    const items = Int32Array.from({ length: 20 }, (_, p) => (p * 7) % 40);
    for (const [from, to] of [
      [0, 8],
      [5, 13],
      [12, 14],
    ]) {
      for (const i of [0, 3, 17, 39]) {
        const cosines = Array.from(similarity.cosinesWith(i, items, from, to).subarray(0, to - from));
        const expected = Array.from(items.subarray(from, to), (j) => similarity.cosine(i, j));
        cosines.forEach((c, p) => expect(c).toBeCloseTo(expected[p], 5));
      }
    }
    // The movie with no factors is similar to nothing.
    expect(Array.from(similarity.cosinesWith(3, items, 0, 8).subarray(0, 8))).toEqual(new Array(8).fill(0));
  });
});
