import { pairHash, sampleIndices } from './sample.js';
import { RatingsBuffer } from '@reelrank/csv';

function buffer(n: number, offset = 0): RatingsBuffer {
  const ratings = new RatingsBuffer();
  for (let i = 0; i < n; i += 1) ratings.push(1 + Math.floor((i + offset) / 50), 1 + ((i + offset) % 50), 3, i);
  return ratings;
}

describe('sampleIndices', () => {
  it('when called twice on the same ratings, then it picks the same ones', () => {
    const ratings = buffer(5000);
    expect(Array.from(sampleIndices(ratings, 300))).toEqual(Array.from(sampleIndices(ratings, 300)));
  });

  it('when asked for k of n, then it returns k distinct ascending indices', () => {
    const picked = Array.from(sampleIndices(buffer(5000), 300));
    expect(picked).toHaveLength(300);
    expect(new Set(picked).size).toBe(300);
    expect(picked).toEqual([...picked].sort((a, b) => a - b));
  });

  it('when the sample size is at least the number of ratings, then every rating is returned', () => {
    expect(Array.from(sampleIndices(buffer(10), 50))).toEqual([...Array(10).keys()]);
  });

  it('when the seed changes, then the pick changes', () => {
    const ratings = buffer(2000);
    expect(Array.from(sampleIndices(ratings, 100, 1))).not.toEqual(Array.from(sampleIndices(ratings, 100, 2)));
    expect(pairHash(1, 2)).not.toBe(pairHash(2, 1));
  });
});
