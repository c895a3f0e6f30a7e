import { foldInUser } from './fold-in.js';
import { foldInUserDual } from './fold-in-dual.js';
import { makeTestModel } from './test-model.js';

describe('foldInUserDual', () => {
  it.each([1, 2, 5, 9, 20])('when a user has %i ratings, then it equals foldInUser', (n) => {
    const model = makeTestModel(3, 40, 16, 11);
    const ratings = Array.from({ length: n }, (_, a) => ({ movieIndex: (a * 7) % 40, rating: 0.5 + ((a * 3) % 10) / 2 }));
    for (const options of [
      {},
      { regularization: 0.09, biasRegularization: 0.05 },
      { regularization: 0, biasRegularization: 0, minimumPenalty: 0.3 },
    ]) {
      const exact = foldInUser(model, ratings, options);
      const dual = foldInUserDual(model, ratings, options);
      expect(dual.bias).toBeCloseTo(exact.bias, 5);
      for (let f = 0; f < 16; f++) expect(dual.factors[f]).toBeCloseTo(exact.factors[f], 5);
    }
  });

  it('when a movie index is outside the model, then it throws like foldInUser', () => {
    expect(() => foldInUserDual(makeTestModel(), [{ movieIndex: 99, rating: 4 }])).toThrow(RangeError);
  });
});
