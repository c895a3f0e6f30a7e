import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresRatingsStore, tryPostgresTrainingLock } from '@reelrank/feedback';
import { RetrainWatcher, trainingLockOf, type WatchEvent } from '@reelrank/cli';
import { WORKSPACE_ROOT } from '../../tools/lib/processes';
import { freshDatabase } from './postgres-test-db';

/**
 * The training lock of `reelrank retrain --watch` with DATABASE_URL: a session-level advisory lock
 * on the real server. One session at a time holds it, per data set; the server frees it when the
 * holder's process dies; two watchers on one store train once between them.
 */

describe('the PostgreSQL training lock', () => {
  it('when two sessions try, then one holds it until it releases; another data set has a lock of its own', async () => {
    const db = await freshDatabase();
    try {
      const first = await tryPostgresTrainingLock(db.url, 'reelrank:retrain:a');
      expect(first).not.toBeNull();
      expect(await tryPostgresTrainingLock(db.url, 'reelrank:retrain:a')).toBeNull();
      const other = await tryPostgresTrainingLock(db.url, 'reelrank:retrain:b');
      expect(other).not.toBeNull();
      await first!.release();
      const second = await tryPostgresTrainingLock(db.url, 'reelrank:retrain:a');
      expect(second).not.toBeNull();
      await Promise.all([second!.release(), other!.release()]);
    } finally {
      await db.drop();
    }
  });

  it('when the holding process is killed, then the server frees the lock and the next one takes it', async () => {
    const db = await freshDatabase();
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `require('@reelrank/feedback').tryPostgresTrainingLock(process.env.LOCK_URL, 'reelrank:retrain:killed').then((held) => { console.log(held ? 'held' : 'busy'); setInterval(() => undefined, 1000); });`,
      ],
      { cwd: WORKSPACE_ROOT, env: { ...process.env, LOCK_URL: db.url }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const said = await new Promise<string>((done) => holder.stdout!.once('data', (chunk: Buffer) => done(chunk.toString().trim())));
      expect(said).toBe('held');
      expect(await tryPostgresTrainingLock(db.url, 'reelrank:retrain:killed')).toBeNull();
      const gone = new Promise((done) => holder.once('exit', done));
      holder.kill('SIGKILL');
      await gone;
      let taken = null;
      for (let i = 0; i < 50 && !taken; i++) {
        taken = await tryPostgresTrainingLock(db.url, 'reelrank:retrain:killed');
        if (!taken) await new Promise((next) => setTimeout(next, 100));
      }
      expect(taken).not.toBeNull();
      await taken!.release();
    } finally {
      if (holder.exitCode === null) holder.kill('SIGKILL');
      await db.drop();
    }
  });

  it('when two watchers share the server, then one trains the waiting ratings and the other is told who holds the lock', async () => {
    const db = await freshDatabase();
    const store = openPostgresRatingsStore(db.url);
    const statePath = join(mkdtempSync(join(tmpdir(), 'pg-watch-')), 'retrain-watch.json');
    const config = {
      storage: { databaseUrl: db.url, databaseConnectTimeoutMs: 5_000 },
      paths: { retrainLockPath: '/unused' },
      dataset: { dataset: 'pg-watch' },
    };
    let model = { version: 'mf-000000000001', createdAt: Date.now(), postedNewestId: 0 };
    let finish = () => undefined as void;
    let runs = 0;
    const events: WatchEvent[][] = [[], []];
    const watcher = (index: number) =>
      new RetrainWatcher({
        settings: { minNewRatings: 2, intervalSeconds: 3600, pollSeconds: 1, backoffSeconds: 1, backoffMaxSeconds: 1 },
        now: Date.now,
        countNewerThan: (id) => store.countNewerThan(id),
        models: () => ({ built: model, live: model }),
        lock: trainingLockOf(config as never),
        runStages: async () => {
          runs++;
          await new Promise<void>((done) => (finish = done));
          model = { version: 'mf-000000000002', createdAt: Date.now(), postedNewestId: (await store.version()).newestId };
        },
        statePath,
        log: (event) => events[index].push(event),
      });
    try {
      await store.put([
        { userId: 1, movieId: 1, rating: 4 },
        { userId: 1, movieId: 2, rating: 5 },
      ]);
      const [a, b] = [watcher(0), watcher(1)];
      const training = a.checkOnce();
      while (runs === 0) await new Promise((next) => setImmediate(next));
      await b.checkOnce();
      expect(events[1].map((e) => e.text)).toEqual([
        'wait: 2 new rating(s) waiting, at least 2, but another process is training: another session holds the PostgreSQL advisory lock',
      ]);
      finish();
      await training;
      await b.checkOnce();
      expect(runs).toBe(1);
      expect(events[1].at(-1)).toMatchObject({ decision: 'wait', ratingsWaiting: 0 });
      expect(events[0].find((e) => e.event === 'training')!.text).toMatch(/holding the PostgreSQL advisory lock \(\d+, -?\d+\)$/);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
