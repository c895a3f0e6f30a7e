import { MatchTier, matchTier, NO_MATCH, normalizeTitle, titleKey, titleQuery } from './title-search.js';

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

describe('titleKey and titleQuery', () => {
  it.each([
    ['Matrix, The (1999)', 'matrix', ['matrix'], 1999],
    ['Star Wars: Episode IV - A New Hope (1977)', 'star wars episode iv a new hope', ['star wars episode iv a new hope'], 1977],
    ["Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 'amelie', ['amelie', 'fabuleux destin damelie poulain'], 2001],
    ['Seven (a.k.a. Se7en) (1995)', 'seven', ['seven', 'se7en'], 1995],
    ['Big Bang Theory, The (2007-)', 'big bang theory', ['big bang theory'], 2007],
    ['Untitled', 'untitled', ['untitled'], null],
  ])('when the title is %p, then the main title is %p, the parts %p and the year %p', (title, main, parts, year) => {
    expect(titleKey(title)).toMatchObject({ main, parts, year });
  });

  it.each([
    ['The Matrix', { text: 'matrix', year: null }],
    ['matrix 1999', { text: 'matrix', year: 1999 }],
    ['Matrix, The (1999)', { text: 'matrix', year: 1999 }],
    ['2001', { text: '2001', year: null }],
    ['  AMÉLIE ', { text: 'amelie', year: null }],
    ['star   wars', { text: 'star wars', year: null }],
  ])('when the query is %p, then it searches %p', (query, expected) => {
    expect(titleQuery(query)).toEqual(expected);
  });
});

describe('matchTier', () => {
  const tier = (title: string, query: string) => matchTier(titleKey(title), titleQuery(query).text);

  it('when the query is the title or an alternative title, then it is an exact match, accents and articles folded', () => {
    expect(tier('Matrix, The (1999)', 'the matrix')).toBe(MatchTier.exact);
    expect(tier("Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 'amelie')).toBe(MatchTier.exact);
    expect(tier('Seven (a.k.a. Se7en) (1995)', 'se7en')).toBe(MatchTier.exact);
  });

  it('when the title starts with the query as whole words, then that comes before whole words elsewhere, prefixes and substrings', () => {
    expect(tier('Star Wars: Episode IV - A New Hope (1977)', 'star wars')).toBe(MatchTier.startsWithWords);
    expect(tier('Rogue One: A Star Wars Story (2016)', 'star wars')).toBe(MatchTier.wholeWords);
    expect(tier('Matrix Reloaded, The (2003)', 'matri')).toBe(MatchTier.prefix);
    expect(tier('Animatrix, The (2003)', 'matrix')).toBe(MatchTier.substring);
    expect(tier('Toy Story (1995)', 'matrix')).toBe(NO_MATCH);
  });

  it('when the query is empty, then every title matches as a substring', () => {
    expect(tier('Toy Story (1995)', '')).toBe(MatchTier.substring);
  });
});
