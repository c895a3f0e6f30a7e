import { foldInModel, foldInUser, solveCholesky } from './fold-in.js';
import type { MfModel } from './mf-model.js';
import { predictRaw, predictRating } from './scoring.js';
import { makeTestModel } from './test-model.js';

describe('fold-in', () => {
  it('when solving a small SPD system, then A x reproduces b', () => {
    const A = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]);
    const b = Float64Array.from([1, 2, 3]);
    const x = solveCholesky(A, b, 3);
    for (let r = 0; r < 3; r++) expect(A[r * 3] * x[0] + A[r * 3 + 1] * x[1] + A[r * 3 + 2] * x[2]).toBeCloseTo(b[r], 10);
  });

  it('when the matrix is not positive definite, then solving throws', () => {
    expect(() => solveCholesky(Float64Array.from([0, 0, 0, 1]), Float64Array.from([1, 1]), 2)).toThrow(/positive definite/);
  });

  it("when a trained user's own predictions are folded in with tiny regularization, then their factors are recovered", () => {
    const model = makeTestModel(3, 12, 3, 5);
    const u = 1;
    const ratings = Array.from({ length: 12 }, (_, i) => ({ movieIndex: i, rating: predictRaw(model, u, i) }));
    const folded = foldInUser(model, ratings, { regularization: 0, biasRegularization: 0, minimumPenalty: 1e-9 });
    expect(folded.bias).toBeCloseTo(model.userBias[u], 3);
    for (let f = 0; f < 3; f++) expect(folded.factors[f]).toBeCloseTo(model.userFactors[u * 3 + f], 3);
  });

  it('when a user rates factor-0 movies high and factor-1 movies low, then the folded-in user prefers unseen factor-0 movies', () => {
    const model: MfModel = {
      factors: 2,
      globalMean: 3,
      userIds: Int32Array.of(1),
      movieIds: Int32Array.from([1, 2, 3, 4, 5, 6]),
      userBias: Float32Array.of(0),
      movieBias: new Float32Array(6),
      userFactors: new Float32Array(2),
      movieFactors: Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]),
    };
    const folded = foldInUser(model, [
      { movieIndex: 0, rating: 5 },
      { movieIndex: 1, rating: 4.5 },
      { movieIndex: 3, rating: 1 },
      { movieIndex: 4, rating: 1.5 },
    ]);
    expect(folded.factors[0]).toBeGreaterThan(0.5);
    expect(folded.factors[1]).toBeLessThan(-0.5);
    const view = foldInModel(model, folded);
    expect(predictRating(view, 0, 2)).toBeGreaterThan(4);
    expect(predictRating(view, 0, 5)).toBeLessThan(2);
  });

  it('when options are missing or undefined, then the defaults apply and the system stays solvable', () => {
    const model = makeTestModel(2, 10, 6);
    const ratings = [0, 1].map((movieIndex) => ({ movieIndex, rating: 5 }));
    const folded = foldInUser(model, ratings, { regularization: undefined, biasRegularization: Number.NaN, minimumPenalty: 0 });
    expect(Number.isFinite(folded.bias)).toBe(true);
    expect(Array.from(folded.factors).every(Number.isFinite)).toBe(true);
  });

  it('when there are no ratings, then the user is the average user', () => {
    const model = makeTestModel(2, 4, 3);
    const folded = foldInUser(model, []);
    expect(folded.bias).toBe(0);
    expect(Array.from(folded.factors)).toEqual([0, 0, 0]);
  });

  it('when a rating names a movie index outside the model, then it is refused', () => {
    expect(() => foldInUser(makeTestModel(2, 4, 3), [{ movieIndex: 4, rating: 3 }])).toThrow(RangeError);
  });
});
