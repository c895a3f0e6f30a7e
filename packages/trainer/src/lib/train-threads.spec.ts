import { stepThreads } from './train-threads.js';

describe('stepThreads', () => {
  it('when a step has fewer train ratings than parallelMinRatings, then it runs on one thread, else on the configured threads (null: one per core)', () => {
    expect(stepThreads(99_999, { threads: 2, parallelMinRatings: 100_000 })).toBe(1);
    expect(stepThreads(100_000, { threads: 2, parallelMinRatings: 100_000 })).toBe(2);
    expect(stepThreads(100_000, { threads: null, parallelMinRatings: 0 })).toBeGreaterThanOrEqual(1);
    expect(stepThreads(199_999, {})).toBe(1);
  });
});
