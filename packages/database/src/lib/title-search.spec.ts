import { normalizeTitle, prefixUpperBound } from './title-search.js';

describe('normalizeTitle', () => {
  it.each([
    ['Matrix, The (1999)', 'matrix (1999)'],
    ['The Matrix', 'matrix'],
    ["Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)", "amelie (fabuleux destin d'amelie poulain) (2001)"],
    ['Beautiful Mind, A (2001)', 'beautiful mind (2001)'],
    ['  Toy   Story  ', 'toy story'],
    ['a', 'a'],
  ])('when the title is %p, then the search key is %p', (title, expected) => {
    expect(normalizeTitle(title)).toBe(expected);
  });
});

describe('prefixUpperBound', () => {
  it('when given a prefix, then every string with that prefix sorts between it and the bound', () => {
    const bound = prefixUpperBound('abc');
    expect(bound).toBe('abd');
    for (const s of ['abc', 'abc (1999)', 'abcz', 'abc\u{1F600}']) {
      expect(Buffer.compare(Buffer.from(s), Buffer.from('abc'))).toBeGreaterThanOrEqual(0);
      expect(Buffer.compare(Buffer.from(s), Buffer.from(bound))).toBeLessThan(0);
    }
    expect(Buffer.compare(Buffer.from('abd'), Buffer.from(bound))).toBe(0);
  });

  it('when the last character is multi-byte, then the bound increments its code point', () => {
    expect(prefixUpperBound('caf\u00e9')).toBe('caf\u00ea');
    expect(prefixUpperBound('x\ud7ff')).toBe('x\ue000');
  });
});
