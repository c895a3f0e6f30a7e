import { join } from 'node:path';
import { cleanLinks, cleanMovies, cleanRatings, cleanTags, movieIdTable } from './clean.js';
import { parseMoviesFile } from './parse-movies.js';
import { type ParsedRatings, parseRatingsFile, RatingsBuffer } from '@reelrank/csv';

const fixtures = join(__dirname, '..', '__fixtures__');

function parsedOf(rows: [number, number, number, number][]): ParsedRatings {
  const ratings = new RatingsBuffer(1); // starts tiny so the test also exercises growth
  for (const [u, m, r, t] of rows) ratings.push(u, m, r, t);
  return { file: 'ratings.csv', format: 'csv', ratings, read: rows.length, malformed: 0, malformedExamples: [], reader: 'rows', canonical: false };
}

describe('cleanRatings', () => {
  const known = movieIdTable([{ movieId: 1 }, { movieId: 2 }, { movieId: 3 }]);

  it('when a (user, movie) pair repeats, then only the latest timestamp is kept', () => {
    const { ratings, counts } = cleanRatings(
      parsedOf([
        [1, 1, 2, 300],
        [1, 1, 5, 100],
        [1, 1, 4, 200],
      ]),
      known,
    );
    expect(ratings.toRows()).toEqual([{ userId: 1, movieId: 1, rating: 2, timestamp: 300 }]);
    expect(counts.dropped.duplicate).toBe(2);
  });

  it('when duplicates share a timestamp, then the later row in the file wins', () => {
    const { ratings } = cleanRatings(
      parsedOf([
        [1, 1, 2, 100],
        [1, 1, 3, 100],
      ]),
      known,
    );
    expect(ratings.toRows()[0].rating).toBe(3);
  });

  it('when ratings fall outside 0.5..5.0, then they are rejected and counted', () => {
    const { ratings, counts } = cleanRatings(
      parsedOf([
        [1, 1, 0, 1],
        [1, 2, 5.5, 1],
        [1, 3, 0.5, 1],
        [2, 1, 5, 1],
        [2, 2, -1, 1],
      ]),
      known,
    );
    expect(ratings.length).toBe(2);
    expect(counts.dropped.outOfRange).toBe(3);
  });

  it('when a rating names an unknown movie, then it is dropped and counted', () => {
    const { ratings, counts } = cleanRatings(
      parsedOf([
        [1, 99, 4, 1],
        [1, 4, 4, 1],
        [1, 1, 4, 1],
      ]),
      known,
    );
    expect(ratings.toRows().map((r) => r.movieId)).toEqual([1]);
    expect(counts.dropped.unknownMovie).toBe(2);
  });

  it('when input is unordered, then output is sorted by userId then movieId', () => {
    const { ratings, counts } = cleanRatings(
      parsedOf([
        [3, 2, 1, 1],
        [1, 3, 1, 1],
        [3, 1, 1, 1],
        [2, 2, 1, 1],
        [1, 1, 1, 1],
      ]),
      known,
    );
    expect(ratings.toRows().map((r) => [r.userId, r.movieId])).toEqual([
      [1, 1],
      [1, 3],
      [2, 2],
      [3, 1],
      [3, 2],
    ]);
    expect(counts.kept).toBe(5);
  });

  it('when user ids are huge and sparse, then the fallback sort gives the same order', () => {
    const big = 2_000_000_000;
    const { ratings } = cleanRatings(
      parsedOf([
        [big, 2, 1, 1],
        [5, 1, 1, 1],
        [big, 1, 1, 1],
        [big, 1, 2, 2],
      ]),
      known,
    );
    expect(ratings.toRows().map((r) => [r.userId, r.movieId, r.rating])).toEqual([
      [5, 1, 1],
      [big, 1, 2],
      [big, 2, 1],
    ]);
  });

  it('when the csv fixture is cleaned, then counts by reason add up to rows read', async () => {
    const movies = cleanMovies(await parseMoviesFile(join(fixtures, 'csv', 'movies.csv')));
    const { ratings, counts } = cleanRatings(await parseRatingsFile(join(fixtures, 'csv', 'ratings.csv')), movieIdTable(movies.movies));
    expect(counts.dropped).toEqual({ malformed: 3, duplicate: 2, outOfRange: 1, unknownMovie: 1 });
    expect(counts.kept).toBe(ratings.length);
    expect(counts.kept + Object.values(counts.dropped).reduce((a, b) => a + b, 0)).toBe(counts.read);
    expect(ratings.toRows().find((r) => r.userId === 1 && r.movieId === 1)?.rating).toBe(4.5);
  });
});

describe('cleanMovies / cleanLinks / cleanTags', () => {
  it('when a movie id repeats, then the first row is kept and the repeat counted', () => {
    const rows = [
      { movieId: 2, title: 'B', year: null, genres: [] },
      { movieId: 1, title: 'A', year: null, genres: [] },
      { movieId: 2, title: 'B again', year: null, genres: [] },
    ];
    const { movies, counts } = cleanMovies({ file: 'movies.csv', rows, read: 3, malformed: 0, malformedExamples: [] });
    expect(movies.map((m) => m.title)).toEqual(['A', 'B']);
    expect(counts).toMatchObject({ read: 3, kept: 2, dropped: { duplicate: 1 } });
  });

  it('when links and tags name unknown movies, then they are dropped and counted', () => {
    const known = movieIdTable([{ movieId: 1 }]);
    const links = cleanLinks(
      {
        file: 'links.csv',
        rows: [
          { movieId: 1, imdbId: '01', tmdbId: 1 },
          { movieId: 9, imdbId: '09', tmdbId: null },
        ],
        read: 2,
        malformed: 0,
        malformedExamples: [],
      },
      known,
    );
    expect(links.counts).toMatchObject({ kept: 1, dropped: { unknownMovie: 1 } });
    const tag = { userId: 1, movieId: 1, tag: 'x', timestamp: 1 };
    const tags = cleanTags(
      { file: 'tags.csv', rows: [tag, { ...tag }, { ...tag, movieId: 9 }], read: 3, malformed: 0, malformedExamples: [] },
      known,
    );
    expect(tags.tags).toEqual([tag]);
    expect(tags.counts.dropped).toMatchObject({ duplicate: 1, unknownMovie: 1 });
  });
});
