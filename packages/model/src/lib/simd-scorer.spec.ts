import { seededRandom } from '@reelrank/random';
import { scoreAllMovies } from './scoring.js';
import { createMovieScorer } from './simd-scorer.js';
import { makeTestModel } from './test-model.js';
import { topN } from './top-n.js';
import { topNInto } from './top-n-masked.js';

describe('createMovieScorer', () => {
  it.each([
    [3, 7, 3],
    [4, 50, 8],
    [3, 301, 64],
    [2, 97, 150],
  ])('when scoring %i users x %i movies at k=%i, then the SIMD kernel matches scoreAllMovies', (nUsers, nMovies, k) => {
    const model = makeTestModel(nUsers, nMovies, k, 7);
    const scorer = createMovieScorer(model);
    const fallback = createMovieScorer(model, { simd: false });
    expect(scorer.simd).toBe(true);
    expect(fallback.simd).toBe(false);
    const expected = new Float32Array(nMovies);
    for (let u = 0; u < nUsers; u++) {
      scoreAllMovies(model, u, expected);
      const base = model.globalMean + model.userBias[u];
      const fast = scorer.score(model.userFactors, u * k, base);
      const slow = fallback.score(model.userFactors, u * k, base);
      for (let i = 0; i < nMovies; i++) {
        expect(fast[i]).toBeCloseTo(expected[i], 5);
        expect(slow[i]).toBeCloseTo(expected[i], 5);
      }
    }
  });

  it('when called twice, then it reuses one output view (no allocation per call)', () => {
    const model = makeTestModel(2, 20, 4);
    const scorer = createMovieScorer(model);
    expect(scorer.score(model.userFactors, 0, 3)).toBe(scorer.score(model.userFactors, 4, 3));
  });
});

describe('topNInto', () => {
  it('when compared with topN on random scores with ties and masks, then the picks are identical', () => {
    const rand = seededRandom(3);
    const idx = new Int32Array(100);
    const sc = new Float64Array(100);
    for (let round = 0; round < 50; round++) {
      const size = 1 + Math.floor(rand() * 300);
      const scores = Float32Array.from({ length: size }, () => Math.round(rand() * 20) / 4);
      const mask = Uint8Array.from({ length: size }, () => (rand() < 0.2 ? 1 : 0));
      const n = 1 + Math.floor(rand() * 30);
      const count = topNInto(scores, n, mask, idx, sc);
      expect(Array.from(idx.subarray(0, count))).toEqual(topN(scores, n, mask));
    }
  });

  it('when a genre bit set is given, then only movies carrying a wanted bit are picked', () => {
    const scores = Float32Array.from([5, 4, 3, 2, 1]);
    const bits = Uint32Array.from([1, 2, 3, 4, 2]);
    const idx = new Int32Array(5);
    const count = topNInto(scores, 5, new Uint8Array(5), idx, new Float64Array(5), bits, 2);
    expect(Array.from(idx.subarray(0, count))).toEqual([1, 2, 4]);
  });
});
