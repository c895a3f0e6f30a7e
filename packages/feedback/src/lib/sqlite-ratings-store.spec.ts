import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { InvalidRatingError, type StoredRating } from './ratings-store';
import { openSqliteRatingsStore, type SqliteRatingsStore } from './sqlite-ratings-store';

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

  it('stores a batch, fills in missing timestamps and lists a user by movie id', async () => {
    const s = store();
    const stored = await s.put([
      { userId: 7, movieId: 50, rating: 4.5 },
      { userId: 7, movieId: 2, rating: 1, timestamp: 1_000 },
      { userId: 8, movieId: 2, rating: 3 },
    ]);
    expect(stored.map((r) => [r.userId, r.movieId, r.rating, r.timestamp])).toEqual([
      [7, 50, 4.5, 1_700_000_000],
      [7, 2, 1, 1_000],
      [8, 2, 3, 1_700_000_000],
    ]);
    expect(stored.map((r) => r.id)).toEqual([1, 2, 3]);
    expect((await s.forUser(7)).map((r) => r.movieId)).toEqual([2, 50]);
    expect(await s.forUser(9)).toEqual([]);
  });

  it('replaces the rating of the same (user, movie) with a new, larger id', async () => {
    const s = store();
    const [first] = await s.put([{ userId: 1, movieId: 10, rating: 2 }]);
    const [second] = await s.put([{ userId: 1, movieId: 10, rating: 5 }]);
    expect(second.id).toBeGreaterThan(first.id);
    expect(await s.forUser(1)).toEqual([{ id: second.id, userId: 1, movieId: 10, rating: 5, timestamp: 1_700_000_000 }]);
    expect(await s.userVersion(1)).toBe(second.id);
  });

  it('rejects a batch with any invalid rating and stores none of it', async () => {
    const s = store();
    for (const bad of [{ rating: 4.25 }, { rating: 0 }, { rating: 5.5 }, { movieId: -1 }, { timestamp: 1.5 }]) {
      await expect(
        s.put([
          { userId: 1, movieId: 1, rating: 4 },
          { userId: 1, movieId: 2, rating: 3, ...bad },
        ]),
      ).rejects.toThrow(InvalidRatingError);
    }
    await expect(
      s.put([
        { userId: 1, movieId: 3, rating: 4 },
        { userId: 1, movieId: 3, rating: 2 },
      ]),
    ).rejects.toThrow(/twice in one batch/);
    expect(await s.version()).toEqual({ count: 0, newestId: 0 });
  });

  it('forgets a user; ids are never reused and the version never repeats', async () => {
    const s = store();
    const versions = [await s.version()];
    await s.put([
      { userId: 1, movieId: 1, rating: 4 },
      { userId: 2, movieId: 1, rating: 3 },
    ]);
    versions.push(await s.version());
    expect(await s.forgetUser(2)).toBe(1);
    versions.push(await s.version());
    expect(await s.userVersion(2)).toBe(0);
    const [again] = await s.put([{ userId: 2, movieId: 1, rating: 3 }]);
    expect(again.id).toBe(3);
    versions.push(await s.version());
    expect(await s.forgetUser(99)).toBe(0);
    expect(versions).toEqual([
      { count: 0, newestId: 0 },
      { count: 2, newestId: 2 },
      { count: 1, newestId: 1 },
      { count: 2, newestId: 3 },
    ]);
  });

  it('forgets one rating of a user; the user version moves even when it was not their newest', async () => {
    const s = store();
    await s.put([
      { userId: 5, movieId: 1, rating: 4 },
      { userId: 5, movieId: 2, rating: 3.5, timestamp: 1_000 },
      { userId: 5, movieId: 3, rating: 2 },
      { userId: 6, movieId: 1, rating: 5 },
    ]);
    const before = await s.userVersion(5);
    expect(await s.forget(5, 1)).toBe(true); // not the newest of user 5
    const after = await s.userVersion(5);
    expect(after).toBeGreaterThan(before);
    expect((await s.forUser(5)).map((r) => [r.movieId, r.rating, r.timestamp])).toEqual([
      [2, 3.5, 1_000],
      [3, 2, 1_700_000_000],
    ]);
    expect(await s.forget(5, 1)).toBe(false);
    expect(await s.userVersion(5)).toBe(after);
    expect(await s.forget(5, 3)).toBe(true);
    expect(await s.forget(5, 2)).toBe(true);
    expect(await s.userVersion(5)).toBe(0);
    expect((await s.forUser(6)).map((r) => r.movieId)).toEqual([1]);
    expect(await s.version()).toEqual({ count: 1, newestId: 4 });
  });

  it('group-commits the writes of one event-loop turn; each caller gets its own rows', async () => {
    const s = store();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.put([{ userId: i + 1, movieId: 1, rating: 0.5 + (i % 10) / 2 }])));
    expect(results.map((r) => r[0].userId)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r[0].id)).size).toBe(50);
    expect((await s.version()).count).toBe(50);
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

  it('all() streams every rating by (user, movie) in pages from one snapshot while writes go on', async () => {
    const s = store({ pageSize: 3 });
    const batch = [];
    for (let u = 4; u >= 1; u--) for (let m = 3; m >= 1; m--) batch.push({ userId: u, movieId: m * 10, rating: 3 });
    await s.put(batch);
    const seen: StoredRating[] = [];
    for await (const r of s.all()) {
      seen.push(r);
      if (seen.length === 4) await s.put([{ userId: 1, movieId: 5, rating: 2 }]); // after the snapshot: not seen
    }
    expect(seen.map((r) => [r.userId, r.movieId])).toEqual([1, 2, 3, 4].flatMap((u) => [10, 20, 30].map((m) => [u, m])));
    expect((await s.version()).count).toBe(13);
  });

  it('a :memory: store (no writer thread) keeps the same rules', async () => {
    const s = openSqliteRatingsStore(':memory:', { now: () => 5 });
    open.push(s);
    const [a, b] = await Promise.all([s.put([{ userId: 1, movieId: 2, rating: 3 }]), s.put([{ userId: 1, movieId: 2, rating: 4 }])]);
    expect(b[0].id).toBeGreaterThan(a[0].id);
    expect(await s.forUser(1)).toEqual([{ id: b[0].id, userId: 1, movieId: 2, rating: 4, timestamp: 5 }]);
    const all = [];
    for await (const r of s.all()) all.push(r.rating);
    expect(all).toEqual([4]);
    expect(await s.forgetUser(1)).toBe(1);
    expect(await s.version()).toEqual({ count: 0, newestId: 0 }); // the empty store again: same content, same version
  });
});
