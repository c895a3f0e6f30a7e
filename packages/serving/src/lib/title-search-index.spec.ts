import type { CatalogMovie } from './catalog';
import { TitleSearchIndex } from './title-search-index';

const movie = (movieId: number, title: string, genres: string[] = ['Sci-Fi']): CatalogMovie => ({
  movieId,
  title,
  year: Number(/\((\d{4})\)$/.exec(title)?.[1] ?? NaN) || null,
  genres,
});

// Titles as MovieLens spells them; counts: how many people rated each.
const MOVIES: [CatalogMovie, number][] = [
  [movie(135216, 'The Star Wars Holiday Special (1978)', ['Comedy']), 3],
  [movie(260, 'Star Wars: Episode IV - A New Hope (1977)'), 251],
  [movie(1196, 'Star Wars: Episode V - The Empire Strikes Back (1980)'), 211],
  [movie(166528, 'Rogue One: A Star Wars Story (2016)'), 27],
  [movie(79006, "Empire of Dreams: The Story of the 'Star Wars' Trilogy (2004)", ['Documentary']), 1],
  [movie(2571, 'Matrix, The (1999)'), 278],
  [movie(6365, 'Matrix Reloaded, The (2003)'), 87],
  [movie(27660, 'Animatrix, The (2003)', ['Animation']), 18],
  [movie(1, 'Toy Story (1995)', ['Animation']), 215],
  [movie(3114, 'Toy Story 2 (1999)', ['Animation']), 97],
  [movie(4886, 'Monsters, Inc. (2001)', ['Animation']), 132],
  [movie(4973, "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)", ['Comedy']), 120],
  [movie(7, 'Hamlet (1948)', ['Drama']), 5],
  [movie(8, 'Hamlet (1996)', ['Drama']), 20],
  [movie(9, 'Hamlet (2000)', ['Drama']), 12],
];

function index(hidden: number[] = []) {
  const counts = new Map(MOVIES.map(([m, c]) => [m.movieId, c]));
  const hiddenIds = new Set(hidden);
  return new TitleSearchIndex(
    MOVIES.map(([m]) => m),
    (id) => counts.get(id) ?? 0,
    (id) => hiddenIds.has(id),
  );
}

const ids = (result: { movies: CatalogMovie[] }) => result.movies.map((m) => m.movieId);
const first = (query: string, hidden: number[] = []) => index(hidden).search({ query, limit: 1, offset: 0 }).movies[0]?.movieId;

describe('TitleSearchIndex (relevance)', () => {
  it.each([
    ['star wars', 260],
    ['Star Wars', 260],
    ['matrix', 2571],
    ['the matrix', 2571],
    ['Matrix, The', 2571],
    ['toy story', 1],
    ['amelie', 4973],
    ['AMÉLIE', 4973],
    ['monsters inc', 4886],
  ])('when a visitor types %p, then the first result is movie %p', (query, expected) => {
    expect(first(query)).toBe(expected);
  });

  it('when titles tie in how they match, then the more rated comes first, whole words before prefixes before substrings', () => {
    expect(ids(index().search({ query: 'star wars', limit: 10, offset: 0 }))).toEqual([260, 1196, 135216, 166528, 79006]);
    expect(ids(index().search({ query: 'matrix', limit: 10, offset: 0 }))).toEqual([2571, 6365, 27660]);
  });

  it('when the query names a year, then the movie of that year leads among equal matches', () => {
    expect(first('hamlet')).toBe(8);
    expect(first('hamlet 2000')).toBe(9);
    expect(first('Hamlet (1948)')).toBe(7);
  });

  it('when movies are hidden, then they are left out unless asked for, and the totals count what is listed', () => {
    const search = index([260, 2571]);
    expect(search.search({ query: 'star wars', limit: 1, offset: 0 })).toMatchObject({ total: 4, movies: [{ movieId: 1196 }] });
    expect(ids(search.search({ query: 'matrix', limit: 10, offset: 0 }))).toEqual([6365, 27660]);
    expect(ids(search.search({ query: 'matrix', limit: 10, offset: 0, includeHidden: true }))).toEqual([2571, 6365, 27660]);
    expect(search.search({ limit: 100, offset: 0 }).total).toBe(MOVIES.length - 2);
  });

  it('when a genre is given, then only its movies match; without a query they come in title order, paged', () => {
    const search = index();
    expect(ids(search.search({ query: 'story', genre: 'Animation', limit: 10, offset: 0 }))).toEqual([1, 3114]);
    const all = ids(search.search({ genre: 'Animation', limit: 10, offset: 0 }));
    expect(all).toEqual([27660, 4886, 1, 3114]);
    expect([0, 1, 2, 3].flatMap((offset) => ids(search.search({ genre: 'Animation', limit: 1, offset })))).toEqual(all);
  });

  it('when a movie is added or renamed, then search finds it under its new title at once', () => {
    const search = index();
    search.put(movie(200001, 'Star Wars: Episode XII (2031)'));
    search.put({ ...MOVIES[0][0], title: 'Holiday Special, The (1978)' });
    expect(ids(search.search({ query: 'star wars', limit: 10, offset: 0 }))).toEqual([260, 1196, 200001, 166528, 79006]);
    expect(search.search({ query: 'holiday special', limit: 5, offset: 0 }).movies[0]).toMatchObject({
      movieId: 135216,
      title: 'Holiday Special, The (1978)',
    });
    expect(first('holiday special')).toBe(135216);
  });
});
