import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, PROCESSED_FIXTURE, quietLog } from '../__fixtures__/fixtures.js';
import { openDatabase, type DbConnection } from './create-db.js';
import { loadDatabase } from './load-database.js';
import { getAllMovies, getMoviesByIds, getUserRatedMovieIds, getUserRatings, listGenres, readRatingsColumns } from './queries.js';

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

describe('query plans', () => {
  it('when a user rated set is read, then the (WITHOUT ROWID) primary key is searched, not a table scan', () => {
    for (const plan of [...plansOf((c) => getUserRatedMovieIds(c, 1)), ...plansOf((c) => getUserRatings(c, 1))]) {
      expect(plan).toMatch(/SEARCH ratings USING PRIMARY KEY \(user_id=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('when movies are fetched by ids, then each id is a primary-key lookup', () => {
    const [plan] = plansOf((c) => getMoviesByIds(c, [1, 2]));
    expect(plan).toMatch(/SEARCH m USING INTEGER PRIMARY KEY \(rowid=\?\)/);
  });
});
