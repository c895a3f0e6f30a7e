import type { MfModel } from '@reelrank/model';
import { errorByUserActivity } from './error-by-activity.js';
import type { RatingsColumns } from './ratings.js';

const columns = (rows: [number, number, number][]): RatingsColumns => ({
  userIds: Int32Array.from(rows, (r) => r[0]),
  movieIds: Int32Array.from(rows, (r) => r[1]),
  ratings: Float32Array.from(rows, (r) => r[2]),
  timestamps: new Float64Array(rows.length),
});

describe('errorByUserActivity', () => {
  // A bias-only model: user 1 predicts 4, user 2 predicts 3; movie 10 is known, 99 is not.
  const model: MfModel = {
    factors: 1,
    globalMean: 3,
    userIds: Int32Array.from([1, 2]),
    movieIds: Int32Array.from([10]),
    userBias: Float32Array.from([1, 0]),
    movieBias: Float32Array.from([0]),
    userFactors: new Float32Array(2),
    movieFactors: new Float32Array(1),
  };

  it('when users differ in training activity, then each held-out error lands in its bucket', () => {
    const train = columns([...Array.from({ length: 12 }, (_, i): [number, number, number] => [1, 100 + i, 4]), [2, 10, 3]]);
    const test = columns([
      [1, 10, 5],
      [1, 99, 4],
      [2, 10, 1],
      [3, 10, 3],
    ]);
    const buckets = errorByUserActivity(model, train, test, [0, 1, 10]);
    expect(buckets.map((b) => [b.lower, b.upper, b.users, b.rows])).toEqual([
      [0, 0, 1, 1],
      [1, 9, 1, 1],
      [10, null, 1, 2],
    ]);
    expect(buckets[0].rmse).toBeCloseTo(0, 6); // unknown user 3: μ + b_i = 3
    expect(buckets[1].rmse).toBeCloseTo(2, 6); // user 2 predicts 3, rated 1
    expect(buckets[2].rmse).toBeCloseTo(Math.sqrt(0.5), 6); // user 1: errors 1 and 0
    expect(buckets[2].mae).toBeCloseTo(0.5, 6);
  });
});
