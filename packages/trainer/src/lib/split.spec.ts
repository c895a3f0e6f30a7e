import { plantedData } from '../testing/planted-data.js';
import { splitRatings, splitRows } from './split.js';

describe('splitRows', () => {
  const { observed } = plantedData({ nUsers: 50, nMovies: 40, observedShare: 0.8 });
  const options = { seed: 11, validationFraction: 0.1, testFraction: 0.2 };

  it('when split twice with the same seed, then the parts are identical', () => {
    const a = splitRows(observed, options);
    const b = splitRows(observed, options);
    expect(Array.from(a.train)).toEqual(Array.from(b.train));
    expect(Array.from(a.validation)).toEqual(Array.from(b.validation));
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
  });

  it('when split with another seed, then the test part differs', () => {
    const a = splitRows(observed, options);
    const b = splitRows(observed, { ...options, seed: 12 });
    expect(Array.from(a.test)).not.toEqual(Array.from(b.test));
  });

  it('when split, then the parts are disjoint, cover every row and have about the asked shares', () => {
    const { train, validation, test } = splitRows(observed, options);
    const all = [...train, ...validation, ...test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: observed.ratings.length }, (_, i) => i));
    const n = observed.ratings.length;
    expect(test.length / n).toBeGreaterThan(0.17);
    expect(test.length / n).toBeLessThan(0.23);
    expect(validation.length / n).toBeGreaterThan(0.07);
    expect(validation.length / n).toBeLessThan(0.13);
  });

  it('when a user has >= 3 ratings, then most of them stay in train; fewer than 3 stay all in train', () => {
    const rows: Array<[number, number]> = [];
    for (let u = 1; u <= 30; u++) for (let m = 1; m <= (u % 6) + 1; m++) rows.push([u, m]);
    const columns = {
      userIds: Int32Array.from(rows, (r) => r[0]),
      movieIds: Int32Array.from(rows, (r) => r[1]),
      ratings: new Float32Array(rows.length).fill(4),
      timestamps: new Float64Array(rows.length),
    };
    const parts = splitRatings(columns, { seed: 3, validationFraction: 0.3, testFraction: 0.3 });
    for (let u = 1; u <= 30; u++) {
      const total = columns.userIds.filter((id) => id === u).length;
      const inTrain = parts.train.userIds.filter((id) => id === u).length;
      if (total < 3) expect(inTrain).toBe(total);
      else expect(inTrain).toBeGreaterThanOrEqual(Math.ceil(total / 2));
    }
  });
});
