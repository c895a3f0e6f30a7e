import { createBoundScorer } from './int8-bound-scorer.js';
import { createMovieScorer } from './simd-scorer.js';
import { makeTestModel } from './test-model.js';

describe('createBoundScorer', () => {
  it.each([
    [50, 3],
    [301, 64],
    [700, 128],
    [97, 150],
  ])('when %i movies at k=%i are bounded, then every bound is at or above the exact 32-bit score and close to it', (nMovies, k) => {
    const model = makeTestModel(6, nMovies, k, 11);
    const bounds = createBoundScorer(model)!;
    const exact = createMovieScorer(model);
    expect(bounds.nMovies).toBe(nMovies);
    for (let u = 0; u < 6; u++) {
      const base = model.globalMean + model.userBias[u];
      const scores = Float32Array.from(exact.score(model.userFactors, u * k, base));
      const listed = bounds.bound(model.userFactors, u * k, base, base);
      const upper = bounds.upper;
      expect(Array.from(bounds.listed.subarray(0, listed))).toEqual(Array.from({ length: nMovies }, (_, i) => i).filter((i) => upper[i] >= base));
      let gap = 0;
      for (let i = 0; i < nMovies; i++) {
        expect(upper[i]).toBeGreaterThanOrEqual(scores[i]);
        gap += upper[i] - scores[i];
      }
      // Uniform factors in ±0.5: the rounding bound is about |u|₁/254 per unit of factor scale.
      expect(gap / nMovies).toBeLessThan(0.002 * k);
    }
  });

  it('when a movie row or the user vector is all zeros, then the bound is the biases plus the slack', () => {
    const model = makeTestModel(1, 3, 5, 2);
    model.movieFactors.fill(0, 0, 5);
    const bounds = createBoundScorer(model)!;
    expect(bounds.bound(model.userFactors, 0, 1)).toBe(3);
    const upper = bounds.upper;
    expect(upper[0]).toBeGreaterThanOrEqual(1 + model.movieBias[0]);
    expect(upper[0]).toBeCloseTo(1 + model.movieBias[0], 2);
    bounds.bound(new Float32Array(5), 0, 1, Infinity);
    const zero = bounds.upper;
    for (let i = 0; i < 3; i++) expect(zero[i]).toBeCloseTo(1 + model.movieBias[i], 2);
  });
});

describe('MovieScorer.scoreSome', () => {
  it('when some movies are scored, then each score is bit for bit the full pass', () => {
    for (const simd of [true, false]) {
      const model = makeTestModel(2, 90, 20, 5);
      const scorer = createMovieScorer(model, { simd });
      const all = Float32Array.from(scorer.score(model.userFactors, 20, 0.7));
      const some = new Float32Array(4);
      scorer.scoreSome(model.userFactors, 20, 0.7, Int32Array.of(89, 0, 41, 41), 4, some);
      expect(Array.from(some)).toEqual([all[89], all[0], all[41], all[41]]);
    }
  });
});
