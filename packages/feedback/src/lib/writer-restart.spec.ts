import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { crashWriterThread, writerThreadOf } from '../testing/writer-thread-of';
import { openSqliteRatingsStore, type SqliteRatingsStore } from './sqlite-ratings-store';

/**
 * The SQLite store's writer thread, killed for real (an uncaught exception in it, or Worker.terminate
 * while it is idle) while writes are in flight:
 * those writes fail and none of them is half stored, a new thread takes over after a back-off, and
 * every write acknowledged before or after is in the file.
 */

describe('the ratings writer thread dies', () => {
  let dir: string;
  let path: string;
  let store: SqliteRatingsStore;
  let exits: { restartInMs: number; crashesInLastMinute: number; message: string }[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-writer-restart-'));
    path = join(dir, 'x.ratings.db');
    exits = [];
    store = openSqliteRatingsStore(path, {
      busyTimeoutMs: 500,
      writerRestartMs: 300, // wide enough for the checks made while no thread runs
      onWriterExit: (e) => exits.push({ restartInMs: e.restartInMs, crashesInLastMinute: e.crashesInLastMinute, message: e.error.message }),
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Resolves with the next writer thread once one runs again. */
  const restarted = async (before: unknown) => {
    for (;;) {
      const thread = writerThreadOf(store);
      if (thread && thread !== before) return thread;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  /** A write answered: the thread is up and, now, idle (terminating it inside SQLite would abort the process). */
  const idle = () => store.put([{ userId: 7, movieId: 1, rating: 1 }]);

  const stored = () => {
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare('SELECT id, user_id AS userId, movie_id AS movieId, rating FROM ratings ORDER BY id').all();
    raw.close();
    return rows;
  };

  it('when it dies with writes in flight, then they fail (nothing of them stored), it is restarted, and every acknowledged write is kept', async () => {
    const acknowledged = await store.put([{ userId: 1, movieId: 10, rating: 4 }]);
    const first = crashWriterThread(store);
    const inFlight = [2, 3, 4].map((userId) => store.put([{ userId, movieId: 20, rating: 5 }]));
    const outcomes = await Promise.allSettled(inFlight);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'RATINGS_WRITER_DOWN' });
    expect(exits).toEqual([{ restartInMs: 300, crashesInLastMinute: 1, message: expect.stringMatching(/writer thread exited/) }]);
    // The reads never stopped.
    expect(await store.forUser(1)).toEqual([expect.objectContaining({ id: acknowledged[0].id, movieId: 10, rating: 4 })]);

    await restarted(first);
    const after = await store.put([{ userId: 6, movieId: 30, rating: 3 }]);
    expect(stored()).toEqual([
      { id: acknowledged[0].id, userId: 1, movieId: 10, rating: 4 },
      { id: after[0].id, userId: 6, movieId: 30, rating: 3 },
    ]);
  });

  it('when a write comes while no thread runs, then it is refused at once (nothing stored), and the next thread takes writes again', async () => {
    await idle();
    const first = writerThreadOf(store)!;
    await first.terminate();
    expect(writerThreadOf(store)).toBeUndefined();
    await expect(store.put([{ userId: 5, movieId: 20, rating: 5 }])).rejects.toMatchObject({ code: 'RATINGS_WRITER_DOWN' });
    // Its version (what /ready probes) says the same, so the store's status shows it; reads go on.
    await expect(store.version()).rejects.toMatchObject({ code: 'RATINGS_WRITER_DOWN', message: expect.stringMatching(/writer thread exited/) });
    expect(await store.forUser(7)).toHaveLength(1);
    await restarted(first);
    expect(await store.version()).toMatchObject({ count: 1 });
    await store.put([{ userId: 5, movieId: 21, rating: 2 }]);
    expect(stored()).toEqual([expect.objectContaining({ userId: 7, movieId: 1 }), expect.objectContaining({ userId: 5, movieId: 21, rating: 2 })]);
  });

  it('when it keeps dying, then the back-off doubles, and a store closed meanwhile starts no thread again', async () => {
    await idle();
    const first = writerThreadOf(store)!;
    await first.terminate();
    const second = await restarted(first);
    await idle();
    await second.terminate();
    expect(exits.map((e) => [e.restartInMs, e.crashesInLastMinute])).toEqual([
      [300, 1],
      [600, 2],
    ]);
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 800)); // past the 600 ms back-off
    expect(writerThreadOf(store)).toBeUndefined();
    await expect(store.put([{ userId: 1, movieId: 1, rating: 1 }])).rejects.toThrow(/closed/);
  });

  it('when nothing is configured, then the first back-off is 100 ms', async () => {
    const heard: number[] = [];
    const plain = openSqliteRatingsStore(join(dir, 'plain.ratings.db'), { onWriterExit: (e) => heard.push(e.restartInMs) });
    try {
      await plain.put([{ userId: 1, movieId: 1, rating: 1 }]);
      const first = crashWriterThread(plain);
      await expect(plain.put([{ userId: 1, movieId: 2, rating: 1 }])).rejects.toMatchObject({ code: 'RATINGS_WRITER_DOWN' });
      expect(heard).toEqual([100]);
      while (!writerThreadOf(plain) || writerThreadOf(plain) === first) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await plain.close();
    }
  });
});
