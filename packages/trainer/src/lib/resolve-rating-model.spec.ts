import { resolveRatingModel } from './evaluate-split.js';

describe('resolveRatingModel', () => {
  it('when the setting is auto, then SVD++ is used up to 5M ratings and plain MF (parallel kernel) above', () => {
    expect(resolveRatingModel('auto', 100_836)).toBe('svdpp');
    expect(resolveRatingModel('auto', 20_000_263)).toBe('mf');
    expect(resolveRatingModel('mf', 10)).toBe('mf');
    expect(resolveRatingModel('svdpp', 20_000_263)).toBe('svdpp');
  });
});
