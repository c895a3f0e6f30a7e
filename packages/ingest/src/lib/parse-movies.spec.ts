import { join } from 'node:path';
import { parseLinkFields, parseLinksFile } from './parse-links.js';
import { parseGenres, parseMovieDatFields, parseMoviesFile, parseUItemFields, parseYear } from './parse-movies.js';
import { parseTagFields, parseTagsFile } from './parse-tags.js';

const fixtures = join(__dirname, '..', '__fixtures__');

describe('parseYear / parseGenres', () => {
  it('when a title ends in "(1995)", then the year is 1995', () => {
    expect(parseYear('Toy Story (1995)')).toBe(1995);
    expect(parseYear('Heat (1995)  ')).toBe(1995);
  });

  it('when a title ends in a range like "(1995-2000)" or "(2006–2007)", then the first year is taken', () => {
    expect(parseYear('Show (1995-2000)')).toBe(1995);
    expect(parseYear('Death Note: Desu nôto (2006–2007)')).toBe(2006);
  });

  it('when a title has no trailing year, then the year is null', () => {
    expect(parseYear('Babylon 5')).toBeNull();
    expect(parseYear('1984 (a remake)')).toBeNull();
  });

  it('when genres are "(no genres listed)", then the list is empty', () => {
    expect(parseGenres('(no genres listed)')).toEqual([]);
    expect(parseGenres('')).toEqual([]);
    expect(parseGenres('Action|Sci-Fi')).toEqual(['Action', 'Sci-Fi']);
  });
});

describe('row parsers', () => {
  it('when a movies.dat title contains "::", then the pieces are rejoined', () => {
    expect(parseMovieDatFields(['5', 'A', 'B (1990)', 'Drama'])).toEqual({ movieId: 5, title: 'A::B (1990)', year: 1990, genres: ['Drama'] });
  });

  it('when a u.item row has a flag that is not 0/1 or too few columns, then it is malformed', () => {
    expect(parseUItemFields(['1', 'T (1990)', '', '', ''])).toBeNull();
    const flags = Array.from({ length: 19 }, () => '2');
    expect(parseUItemFields(['1', 'T (1990)', '', '', '', ...flags])).toBeNull();
  });

  it('when a link has an IMDb id with leading zeros and no TMDb id, then the zeros stay and tmdbId is null', () => {
    expect(parseLinkFields(['2', '0113497', ''])).toEqual({ movieId: 2, imdbId: '0113497', tmdbId: null });
    expect(parseLinkFields(['2', 'tt0113497', '1'])).toBeNull();
  });

  it('when a tags.dat tag contains "::", then the pieces are rejoined', () => {
    expect(parseTagFields(['1', '2', 'a', 'b', '99'])).toEqual({ userId: 1, movieId: 2, tag: 'a::b', timestamp: 99 });
  });
});

describe('parseMoviesFile', () => {
  it('when movies.csv has quoted titles with commas and quotes, then titles come out unquoted and intact', async () => {
    const parsed = await parseMoviesFile(join(fixtures, 'csv', 'movies.csv'));
    const byId = new Map(parsed.rows.map((m) => [m.movieId, m]));
    expect(byId.get(11)).toEqual({ movieId: 11, title: 'American President, The (1995)', year: 1995, genres: ['Comedy', 'Drama', 'Romance'] });
    expect(byId.get(2)?.title).toBe('"Great Performances" Cats (1998)');
    expect(byId.get(3)?.title).toBe('City of Lost Children, The (Cité des enfants perdus, La) (1995)');
    expect(byId.get(4)).toEqual({ movieId: 4, title: 'Death Note: Desu nôto (2006–2007)', year: 2006, genres: [] });
    expect(byId.get(12)).toEqual({ movieId: 12, title: 'Babylon 5', year: null, genres: ['Sci-Fi'] });
    expect(parsed.read).toBe(7);
    expect(parsed.malformed).toBe(1);
  });

  it('when movies.dat is latin-1, then accented titles decode correctly and quotes are literal', async () => {
    const parsed = await parseMoviesFile(join(fixtures, 'dat', 'movies.dat'));
    expect(parsed.rows.map((m) => m.title)).toEqual([
      "One Flew Over the Cuckoo's Nest (1975)",
      'James and the Giant Peach (1996)',
      'Cité des enfants perdus, La (1995)',
      '"Quoted" Title (1990)',
    ]);
    expect(parsed.rows[1].genres).toEqual(['Animation', "Children's", 'Musical']);
  });

  it('when u.item has genre flags and latin-1 text, then genres get the ml-100k names and "unknown" means none', async () => {
    const parsed = await parseMoviesFile(join(fixtures, '100k', 'u.item'));
    const byId = new Map(parsed.rows.map((m) => [m.movieId, m]));
    expect(byId.get(302)).toEqual({
      movieId: 302,
      title: 'L.A. Confidential (1997)',
      year: 1997,
      genres: ['Crime', 'Film-Noir', 'Mystery', 'Thriller'],
    });
    expect(byId.get(51)).toEqual({ movieId: 51, title: 'Légends of the Fall (1994)', year: 1994, genres: ['Drama', 'Romance', 'War', 'Western'] });
    expect(byId.get(267)).toEqual({ movieId: 267, title: 'unknown', year: null, genres: [] });
    expect(parsed.malformed).toBe(0);
  });
});

describe('parseLinksFile / parseTagsFile', () => {
  it('when links.csv has an empty tmdbId and a bad row, then the row is kept and the bad one counted', async () => {
    const parsed = await parseLinksFile(join(fixtures, 'csv', 'links.csv'));
    expect(parsed.rows).toContainEqual({ movieId: 2, imdbId: '0113497', tmdbId: null });
    expect(parsed.read).toBe(5);
    expect(parsed.malformed).toBe(1);
  });

  it('when tags.csv has quoted tags with commas and quotes, then they come out intact and empty tags are malformed', async () => {
    const parsed = await parseTagsFile(join(fixtures, 'csv', 'tags.csv'));
    expect(parsed.rows.map((t) => t.tag)).toEqual(['funny, clever', 'says "hello"', 'orphan']);
    expect(parsed.malformed).toBe(1);
  });

  it('when tags.dat uses "::", then tags parse', async () => {
    const parsed = await parseTagsFile(join(fixtures, 'dat', 'tags.dat'));
    expect(parsed.rows).toEqual([
      { userId: 1, movieId: 1193, tag: 'classic', timestamp: 1188263867 },
      { userId: 2, movieId: 3, tag: 'weird', timestamp: 1188263868 },
    ]);
  });
});
