import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, PROCESSED_FIXTURE, quietLog } from '../__fixtures__/fixtures.js';
import { openDatabase, type DbConnection } from './create-db.js';
import { loadDatabase } from './load-database.js';
import { getAllMovies, getMoviesByIds, getUserRatedMovieIds, getUserRatings, listGenres, readRatingsColumns, searchMovies } from './queries.js';

let dir: string;
let dbPath: string;
let conn: DbConnection;

beforeAll(async () => {
  dir = makeTempDir();
  dbPath = join(dir, 'fixture.db');
  await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log });
  conn = openDatabase(dbPath, { readonly: true });
});
afterAll(() => {
  conn.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `run` on a fresh connection and returns the query plan of every SQL text it prepared. */
function plansOf(run: (c: DbConnection) => unknown): string[] {
  const fresh = openDatabase(dbPath, { readonly: true });
  try {
    const spy = jest.spyOn(fresh.sqlite, 'prepare');
    run(fresh);
    const sqls = spy.mock.calls.map(([sql]) => sql);
    spy.mockRestore();
    return sqls.map((sql) => {
      // Placeholder values: the plan does not depend on them.
      const named = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map(([, name]) => [name, name === 'limit' ? 1 : 'x']));
      const positional = Array<number>((sql.match(/\?/g) ?? []).length).fill(1);
      const explain = fresh.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`);
      const rows = (Object.keys(named).length > 0 ? explain.all(named) : explain.all(...positional)) as { detail: string }[];
      return `${sql}\n  ${rows.map((r) => r.detail).join('\n  ')}`;
    });
  } finally {
    fresh.close();
  }
}

describe('readRatingsColumns', () => {
  it('when all ratings are read, then they come ordered by user then movie with exact values', () => {
    const cols = readRatingsColumns(conn);
    expect(Array.from(cols.userIds)).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 3, 10]);
    expect(Array.from(cols.movieIds)).toEqual([1, 6, 12, 2, 10, 1, 6, 11, 21, 20]);
    expect(Array.from(cols.ratings)).toEqual([4, 5, 3.5, 0.5, 4.5, 3, 2, 5, 1.5, 3]);
    expect(cols.timestamps[0]).toBe(964982703);
    expect(cols.timestamps[9]).toBe(1700000000);
    expect(cols.userIds).toBeInstanceOf(Int32Array);
    expect(cols.ratings).toBeInstanceOf(Float32Array);
  });

  it('when called twice on one connection, then the statements are prepared only once', () => {
    const fresh = openDatabase(dbPath, { readonly: true });
    try {
      const spy = jest.spyOn(fresh.sqlite, 'prepare');
      readRatingsColumns(fresh);
      const first = spy.mock.calls.length;
      readRatingsColumns(fresh);
      expect(spy.mock.calls.length).toBe(first);
    } finally {
      fresh.close();
    }
  });
});

describe('movie lookups', () => {
  it('when all movies are listed, then they are ordered by id with parsed genres', () => {
    const movies = getAllMovies(conn);
    expect(movies.map((m) => m.movieId)).toEqual([1, 2, 6, 10, 11, 12, 20, 21]);
    expect(movies[2]).toEqual({ movieId: 6, title: 'Matrix, The (1999)', year: 1999, genres: ['Action', 'Sci-Fi', 'Thriller'] });
  });

  it('when movies are fetched by ids, then they come in the order asked and unknown ids are skipped', () => {
    expect(getMoviesByIds(conn, [21, 999, 1, 6]).map((m) => m.movieId)).toEqual([21, 1, 6]);
    expect(getMoviesByIds(conn, [])).toEqual([]);
  });

  it('when a user has ratings, then both rating queries return them by movie id', () => {
    expect(getUserRatings(conn, 1)).toEqual([
      { movieId: 1, rating: 4, timestamp: 964982703 },
      { movieId: 6, rating: 5, timestamp: 964981247 },
      { movieId: 12, rating: 3.5, timestamp: 964982224 },
    ]);
    expect(getUserRatedMovieIds(conn, 3)).toEqual([1, 6, 11, 21]);
    expect(getUserRatedMovieIds(conn, 12345)).toEqual([]);
  });

  it('when genres are listed, then each appears once, sorted', () => {
    expect(listGenres(conn)).toEqual(['Action', 'Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy', 'Romance', 'Sci-Fi', 'Thriller']);
  });
});

describe('searchMovies', () => {
  const ids = (r: { movies: { movieId: number }[] }) => r.movies.map((m) => m.movieId);

  it('when the query is a title prefix, then prefix matches come before substring matches', () => {
    // "matrix" starts "Matrix, The" and "Matrix Reloaded, The"; nothing else contains it.
    expect(ids(searchMovies(conn, { query: 'The Matrix', limit: 10 }))).toEqual([6, 12]);
    expect(ids(searchMovies(conn, { query: 'matrix, the', limit: 10 }))).toEqual([6, 12]);
    // "to": "top gun" and "toy story" start with it, in title order.
    expect(ids(searchMovies(conn, { query: 'to', limit: 10 }))).toEqual([21, 1]);
    // "m": the two "matrix" titles start with it; amelie, jumanji, spider-man only contain it.
    expect(ids(searchMovies(conn, { query: 'm', limit: 10 }))).toEqual([6, 12, 11, 2, 10]);
  });

  it('when the query only occurs inside titles, then substring matches are found', () => {
    const result = searchMovies(conn, { query: 'story', limit: 10 });
    expect(ids(result)).toEqual([1]);
    expect(result.total).toBe(1);
  });

  it('when the query has accents or different case, then it still matches', () => {
    expect(ids(searchMovies(conn, { query: 'AMELIE', limit: 10 }))).toEqual([11]);
    expect(ids(searchMovies(conn, { query: 'spider-man: "home', limit: 10 }))).toEqual([10]);
  });

  it('when paging across the prefix and substring parts, then pages join up without gaps or repeats', () => {
    const all = ids(searchMovies(conn, { query: 't', limit: 100 }));
    expect(all.length).toBeGreaterThan(3);
    const paged: number[] = [];
    for (let offset = 0; offset < all.length; offset += 2) paged.push(...ids(searchMovies(conn, { query: 't', limit: 2, offset })));
    expect(paged).toEqual(all);
    // Prefix matches ("top gun", "toy story") first, in title order, then the rest.
    expect(all.slice(0, 2)).toEqual([21, 1]);
  });

  it('when a genre is given, then only movies of that genre are returned, with or without a query', () => {
    const scifi = searchMovies(conn, { genre: 'Sci-Fi', limit: 10 });
    expect(scifi.total).toBe(3);
    expect(ids(scifi)).toEqual([6, 12, 10]); // by normalised title: matrix, matrix reloaded, spider-man
    expect(ids(searchMovies(conn, { query: 'matrix', genre: 'Thriller', limit: 10 }))).toEqual([6]);
    expect(searchMovies(conn, { genre: 'Nope', limit: 10 })).toEqual({ total: 0, movies: [] });
  });

  it('when neither query nor genre is given, then all movies are paged by title', () => {
    const result = searchMovies(conn, { limit: 3, offset: 1 });
    expect(result.total).toBe(8);
    expect(result.movies).toHaveLength(3);
  });
});

describe('query plans', () => {
  it('when a user rated set is read, then the (WITHOUT ROWID) primary key is searched, not a table scan', () => {
    for (const plan of [...plansOf((c) => getUserRatedMovieIds(c, 1)), ...plansOf((c) => getUserRatings(c, 1))]) {
      expect(plan).toMatch(/SEARCH ratings USING PRIMARY KEY \(user_id=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('when movies of a genre are looked up, then the movie_genres primary-key index is used', () => {
    const plans = plansOf((c) => searchMovies(c, { genre: 'Sci-Fi', limit: 5 }));
    for (const plan of plans) expect(plan).toMatch(/SEARCH (g|movie_genres) USING COVERING INDEX sqlite_autoindex_movie_genres_1 \(genre=\?\)/);
    expect(plans.join('\n')).toMatch(/SEARCH m USING INTEGER PRIMARY KEY \(rowid=\?\)/);
  });

  it('when titles are searched by prefix, then the title_search index gives a range scan', () => {
    const plans = plansOf((c) => searchMovies(c, { query: 'matrix', limit: 5 }));
    const prefixPlans = plans.filter((p) => !p.includes('instr('));
    expect(prefixPlans).toHaveLength(2); // count and page
    for (const plan of prefixPlans)
      expect(plan).toMatch(/SEARCH m USING (COVERING )?INDEX movies_title_search_idx \(title_search>\? AND title_search<\?\)/);
    expect(prefixPlans.join('\n')).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
  });

  it('when movies are fetched by ids, then each id is a primary-key lookup', () => {
    const [plan] = plansOf((c) => getMoviesByIds(c, [1, 2]));
    expect(plan).toMatch(/SEARCH m USING INTEGER PRIMARY KEY \(rowid=\?\)/);
  });
});
