import { resolveRatingModel } from './evaluate-split.js';
import { everyNthUser } from './ranking-blend.js';

describe('resolveRatingModel', () => {
  it('when the setting is auto, then SVD++ is used up to 5M ratings and plain MF (parallel kernel) above', () => {
    expect(resolveRatingModel('auto', 100_836, 5_000_000)).toBe('svdpp');
    expect(resolveRatingModel('auto', 20_000_263, 5_000_000)).toBe('mf');
    expect(resolveRatingModel('mf', 10, 5_000_000)).toBe('mf');
    expect(resolveRatingModel('svdpp', 20_000_263, 5_000_000)).toBe('svdpp');
  });
});

describe('everyNthUser', () => {
  it('when there are more users than the cap, then an evenly spaced aligned subset is kept; otherwise all', () => {
    const relevant = {
      users: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      knownRelevant: Array.from({ length: 10 }, (_, u) => Int32Array.from([u])),
      relevantCount: Int32Array.from({ length: 10 }, (_, u) => u + 1),
      skippedUnknownUserRows: 3,
    };
    const subset = everyNthUser(relevant, 4);
    expect(Array.from(subset.users)).toEqual([0, 2, 5, 7]);
    expect(subset.knownRelevant.map((k) => k[0])).toEqual([0, 2, 5, 7]);
    expect(Array.from(subset.relevantCount)).toEqual([1, 3, 6, 8]);
    expect(everyNthUser(relevant, 10)).toBe(relevant);
  });
});
