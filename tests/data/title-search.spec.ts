import { join } from 'node:path';
import { streamCsv } from '@reelrank/database';
import { parseMoviesFile } from '@reelrank/ingest';
import { TitleSearchIndex, type CatalogMovie } from '@reelrank/serving';
import { requireMovieLensData } from './movielens-data';

/**
 * The served title search (relevance: exact and whole-word matches first, ties by how many people
 * rated the movie) on the real ml-latest-small titles: what a visitor types and the film they mean.
 */
const EXPECTED_FIRST: [query: string, movieId: number, title: string][] = [
  ['star wars', 260, 'Star Wars: Episode IV - A New Hope (1977)'],
  ['matrix', 2571, 'Matrix, The (1999)'],
  ['the matrix', 2571, 'Matrix, The (1999)'],
  ['toy story', 1, 'Toy Story (1995)'],
  ['toy story 2', 3114, 'Toy Story 2 (1999)'],
  ['amélie', 4973, "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"],
  ["fabuleux destin d'amelie poulain", 4973, "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"],
  ['godfather', 858, 'Godfather, The (1972)'],
  ['fellowship of the ring', 4993, 'Lord of the Rings: The Fellowship of the Ring, The (2001)'],
  ['pulp fiction', 296, 'Pulp Fiction (1994)'],
  ['terminator', 1240, 'Terminator, The (1984)'],
  ['alien', 1214, 'Alien (1979)'],
  ['aliens', 1200, 'Aliens (1986)'],
  ['batman', 592, 'Batman (1989)'],
  ['the dark knight', 58559, 'Dark Knight, The (2008)'],
  ['shawshank', 318, 'Shawshank Redemption, The (1994)'],
  ['king kong 2005', 41569, 'King Kong (2005)'],
  ['jurassic park', 480, 'Jurassic Park (1993)'],
  ['fight club', 2959, 'Fight Club (1999)'],
  ['harry potter', 4896, "Harry Potter and the Sorcerer's Stone (a.k.a. Harry Potter and the Philosopher's Stone) (2001)"],
];

describe('title search on the real ml-latest-small', () => {
  let search: TitleSearchIndex;
  let titles: Map<number, string>;

  beforeAll(async () => {
    const { source } = requireMovieLensData();
    const movies = await parseMoviesFile(join(source, 'movies.csv'));
    const counts = new Map<number, number>();
    await streamCsv(join(source, 'ratings.csv'), ['movieId'], (rows, [movieId]) => {
      for (const row of rows) counts.set(Number(row[movieId]), (counts.get(Number(row[movieId])) ?? 0) + 1);
    });
    const catalogue: CatalogMovie[] = movies.rows.map((m) => ({ movieId: m.movieId, title: m.title, year: m.year, genres: m.genres }));
    titles = new Map(catalogue.map((m) => [m.movieId, m.title]));
    search = new TitleSearchIndex(catalogue, (id) => counts.get(id) ?? 0, () => false);
  });

  it.each(EXPECTED_FIRST)('when a visitor types %p, then the first result is movie %p (%s)', (query, movieId, title) => {
    expect(titles.get(movieId)).toBe(title);
    const hit = search.search({ query, limit: 5, offset: 0 }).movies[0];
    expect({ query, first: hit?.title }).toEqual({ query, first: title });
  });

  it('when a visitor types "star wars", then the first five are all Star Wars episodes, the Holiday Special not among them', () => {
    const top = search.search({ query: 'star wars', limit: 5, offset: 0 }).movies.map((m) => m.title);
    expect(top.every((t) => t.startsWith('Star Wars: Episode'))).toBe(true);
  });
});
