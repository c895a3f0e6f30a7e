import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ratingsStoreContract } from '../testing/ratings-store-contract';
import { openSqliteRatingsStore, type SqliteRatingsStore } from './sqlite-ratings-store';

ratingsStoreContract('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-feedback-'));
  const path = join(dir, 'nested', 'x.ratings.db');
  return {
    open: (options) => openSqliteRatingsStore(path, options),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('openSqliteRatingsStore', () => {
  let dir: string;
  let path: string;
  const open: SqliteRatingsStore[] = [];
  const store = (options: Parameters<typeof openSqliteRatingsStore>[1] = {}) => {
    const s = openSqliteRatingsStore(path, { now: () => 1_700_000_000, ...options });
    open.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-feedback-'));
    path = join(dir, 'nested', 'x.ratings.db');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a WAL database, and a second process-like connection sees every commit', async () => {
    const a = store();
    const b = store();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    await a.put([{ userId: 5, movieId: 6, rating: 4 }]);
    expect((await b.forUser(5)).map((r) => r.rating)).toEqual([4]);
    await b.put([{ userId: 5, movieId: 6, rating: 1 }]);
    expect((await a.forUser(5)).map((r) => r.rating)).toEqual([1]);
    await a.close();
    const reopened = store();
    expect(await reopened.userVersion(5)).toBe(2);
  });

  it("a user's version kept in memory moves with every commit, whichever connection or process made it", async () => {
    const a = store();
    const b = store();
    expect(await a.userVersion(5)).toBe(0);
    const [first] = await b.put([{ userId: 5, movieId: 6, rating: 4 }]);
    expect(await a.userVersion(5)).toBe(first.id);
    expect(await a.userVersion(5)).toBe(first.id); // answered from memory: nothing committed since
    // A writer that is not a store at all (another program on the file): its commit is seen too.
    const raw = new Database(path);
    raw.prepare('DELETE FROM ratings WHERE user_id = 5').run();
    expect(await a.userVersion(5)).toBe(0);
    raw.close();
    const [second] = await a.put([{ userId: 5, movieId: 7, rating: 2 }]);
    expect(await a.userVersion(5)).toBe(second.id);
    expect(await b.userVersion(5)).toBe(second.id);
    expect(await a.forget(5, 7)).toBe(true);
    expect(await b.userVersion(5)).toBe(0);
  });

  it('a :memory: store (no writer thread) keeps the same rules', async () => {
    const s = openSqliteRatingsStore(':memory:', { now: () => 5 });
    open.push(s);
    const [a, b] = await Promise.all([s.put([{ userId: 1, movieId: 2, rating: 3 }]), s.put([{ userId: 1, movieId: 2, rating: 4 }])]);
    expect(b[0].id).toBeGreaterThan(a[0].id);
    expect(await s.forUser(1)).toEqual([
      { id: b[0].id, userId: 1, movieId: 2, rating: 4, timestamp: 5, source: 'unknown', sourceAddress: 'unknown', postedAt: 5 },
    ]);
    const all = [];
    for await (const r of s.all()) all.push(r.rating);
    expect(all).toEqual([4]);
    expect(await s.forgetUser(1)).toBe(1);
    expect(await s.version()).toEqual({ count: 0, newestId: 0 }); // the empty store again: same content, same version
  });
});
