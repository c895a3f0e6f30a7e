import { foldInUser } from './fold-in.js';
import { foldInUserCg } from './fold-in-cg.js';
import { makeTestModel } from './test-model.js';

describe('foldInUserCg', () => {
  const model = makeTestModel(3, 200, 16, 11);
  const ratingsOf = (n: number, shift = 0) =>
    Array.from({ length: n }, (_, a) => ({ movieIndex: (a * 7 + shift) % 200, rating: 0.5 + ((a * 3 + shift) % 10) / 2 }));

  it.each([1, 5, 17, 60, 190])('when a user has %i ratings, then it equals foldInUser', (n) => {
    const ratings = ratingsOf(n);
    for (const options of [
      {},
      { regularization: 0.09, biasRegularization: 0.05 },
      { regularization: 0, biasRegularization: 0, minimumPenalty: 0.3 },
    ]) {
      const exact = foldInUser(model, ratings, options);
      const cg = foldInUserCg(model, ratings, { ...options, tolerance: 1e-10, maxSteps: 100 });
      expect(cg.bias).toBeCloseTo(exact.bias, 5);
      for (let f = 0; f < 16; f++) expect(cg.factors[f]).toBeCloseTo(exact.factors[f], 5);
    }
  });

  it('when started from the solution of nearly the same ratings, then fewer steps reach the same answer', () => {
    const before = ratingsOf(150);
    const after = [...before.slice(1), { movieIndex: 199, rating: 5 }];
    const exact = foldInUser(model, after);
    const warm = foldInUserCg(model, after, { start: foldInUser(model, before), maxSteps: 4 });
    const cold = foldInUserCg(model, after, { maxSteps: 4 });
    const error = (u: { bias: number; factors: Float32Array }) =>
      Math.hypot(u.bias - exact.bias, ...Array.from(u.factors, (v, f) => v - exact.factors[f]));
    expect(error(warm)).toBeLessThan(error(cold));
    expect(error(warm)).toBeLessThan(1e-3);
  });

  it('when a movie index is outside the model, then it throws like foldInUser', () => {
    expect(() => foldInUserCg(makeTestModel(), [{ movieIndex: 99, rating: 4 }])).toThrow(RangeError);
  });
});
