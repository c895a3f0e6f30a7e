import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteRatingsStore, type RatingsStore } from '@reelrank/feedback';
import { readRetrainWatchState, writeRetrainWatchState } from '@reelrank/model';
import { RetrainWatcher, type WatchEvent, type WatcherDeps } from './retrain-watcher';
import { tryFileLock } from './file-lock';
import type { ModelFacts } from './served-models';
import type { TrainingLock } from './training-lock';

/**
 * The watcher's loop on a real ratings store (SQLite), a real lock file and a real state file, with
 * the clock injected. The stages are a function here that "publishes" a model the way the pipeline
 * does (a new live version that read the store up to its newest id); the real Nx pipeline runs in
 * tests/retrain-watch.spec.ts.
 */

const settings = { minNewRatings: 3, intervalSeconds: 3600, pollSeconds: 10, backoffSeconds: 60, backoffMaxSeconds: 300 };
const T0 = Date.parse('2026-12-04T12:00:00Z');

function fileLock(path: string): TrainingLock {
  return {
    where: path,
    async tryAcquire() {
      const attempt = tryFileLock(path);
      return 'held' in attempt ? attempt : { heldBy: `pid ${attempt.heldBy?.pid}` };
    },
  };
}

interface Rig {
  store: RatingsStore;
  clock: { now: number };
  /** The served model (what the registry would say). */
  /** `current` is live (and built, unless `built` is set: a build the promotion gate kept out of live). */
  model: { current: ModelFacts; built?: ModelFacts };
  events: WatchEvent[][];
  watcher(index: number, stages: WatcherDeps['runStages']): RetrainWatcher;
  statePath: string;
}

function rig(): Rig {
  const dir = mkdtempSync(join(tmpdir(), 'retrain-watcher-'));
  const store = openSqliteRatingsStore(':memory:');
  const clock = { now: T0 };
  const model: Rig['model'] = { current: { version: 'mf-000000000001', createdAt: T0 - 60_000, postedNewestId: 0 } };
  const events: WatchEvent[][] = [];
  const statePath = join(dir, 'retrain-watch.json');
  return {
    store,
    clock,
    model,
    events,
    statePath,
    watcher(index, runStages) {
      events[index] = [];
      return new RetrainWatcher({
        settings,
        now: () => clock.now,
        countNewerThan: (id) => store.countNewerThan(id),
        models: () => ({ built: model.built ?? model.current, live: model.current }),
        lock: fileLock(join(dir, 'retrain.lock')),
        runStages,
        statePath,
        log: (event) => events[index].push(event),
      });
    },
  };
}

/** Lets the other side run until `done()` holds (no time limit of its own: jest's applies). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((next) => setImmediate(next));
}

const postRatings = (store: RatingsStore, n: number, user = 1) =>
  store.put(Array.from({ length: n }, (_, i) => ({ userId: user, movieId: i + 1, rating: 4 })));

/** Stages that take until `finish` is called, then publish a model that read the store up to its newest id. */
function gatedStages(r: Rig) {
  const calls: number[] = [];
  let finish = () => undefined as void;
  const stages: WatcherDeps['runStages'] = async () => {
    calls.push(r.clock.now);
    await new Promise<void>((done) => (finish = done));
    const { newestId } = await r.store.version();
    r.model.current = { version: `mf-${String(calls.length + 1).padStart(12, '0')}`, createdAt: r.clock.now, postedNewestId: newestId };
  };
  return { stages, calls, finish: () => finish() };
}

describe('RetrainWatcher', () => {
  it('when the promotion gate rejects what a run built, then the outcome is rejected, nothing reloads, and the ratings it read no longer wait', async () => {
    const r = rig();
    const reloads: number[] = [];
    const stages: WatcherDeps['runStages'] = async () => {
      r.model.built = { version: 'mf-00000000000r', createdAt: r.clock.now, postedNewestId: (await r.store.version()).newestId, rejected: true };
    };
    const watcher = new RetrainWatcher({
      settings,
      now: () => r.clock.now,
      countNewerThan: (id) => r.store.countNewerThan(id),
      models: () => ({ built: r.model.built ?? r.model.current, live: r.model.current }),
      lock: fileLock(join(mkdtempSync(join(tmpdir(), 'retrain-gate-')), 'retrain.lock')),
      runStages: stages,
      reload: async () => {
        reloads.push(1);
        return [];
      },
      statePath: r.statePath,
      log: () => undefined,
    });
    await postRatings(r.store, 3);
    await watcher.checkOnce();
    expect(readRetrainWatchState(r.statePath).run).toMatchObject({
      outcome: 'rejected',
      version: 'mf-000000000001',
      previousVersion: 'mf-000000000001',
      error: null,
    });
    expect(reloads).toEqual([]);
    // The next look counts from what the rejected build read: nothing waits, so it does not train the same ratings again.
    await watcher.checkOnce();
    expect(readRetrainWatchState(r.statePath).check).toMatchObject({ decision: 'wait', ratingsWaiting: 0 });
  });

  it('when fewer than N ratings wait, then it waits and says why; at N it trains, and the state file tells the API', async () => {
    const r = rig();
    const { stages, calls, finish } = gatedStages(r);
    const watcher = r.watcher(0, stages);
    await postRatings(r.store, 2);
    const next = await watcher.checkOnce();
    expect(next).toBe(T0 + 10_000);
    expect(r.events[0].at(-1)).toMatchObject({ event: 'decision', decision: 'wait', ratingsWaiting: 2 });
    expect(r.events[0].at(-1)!.text).toMatch(/^wait: 2 of 3 new rating\(s\) waiting; 60 s since the last training, retraining anyway in 59.0 min$/);
    expect(readRetrainWatchState(r.statePath)).toMatchObject({ check: { decision: 'wait', ratingsWaiting: 2 }, run: null });

    await postRatings(r.store, 1, 2);
    r.clock.now += 10_000;
    const running = watcher.checkOnce();
    await until(() => calls.length === 1);
    expect(readRetrainWatchState(r.statePath).run).toMatchObject({ running: true, pid: process.pid, previousVersion: 'mf-000000000001' });
    r.clock.now += 42_000;
    finish();
    await running;
    expect(calls).toEqual([T0 + 10_000]);
    expect(readRetrainWatchState(r.statePath).run).toMatchObject({
      running: false,
      outcome: 'trained',
      durationSeconds: 42,
      consecutiveFailures: 0,
      version: 'mf-000000000002',
      previousVersion: 'mf-000000000001',
      lastSuccessAt: new Date(T0 + 52_000).toISOString(),
    });
    expect(r.events[0].map((e) => e.event)).toEqual(['decision', 'training', 'finished']);
    expect(r.events[0][1].text).toMatch(/^train: 3 new rating\(s\) waiting, at least 3; holding the lock file .*retrain\.lock$/);
    // Nothing new since: it waits again.
    await watcher.checkOnce();
    expect(r.events[0].at(-1)).toMatchObject({ decision: 'wait', ratingsWaiting: 0 });
  });

  it('when two watchers see the ratings at once, then one trains and the other waits for it, and neither trains them twice', async () => {
    const r = rig();
    const { stages, calls, finish } = gatedStages(r);
    const [a, b] = [r.watcher(0, stages), r.watcher(1, stages)];
    await postRatings(r.store, 5);
    const first = a.checkOnce();
    await until(() => calls.length === 1);
    await b.checkOnce();
    expect(r.events[1].map((e) => e.event)).toEqual(['locked-out']);
    expect(r.events[1][0].text).toBe(`wait: 5 new rating(s) waiting, at least 3, but another process is training: pid ${process.pid}`);
    finish();
    await first;
    await b.checkOnce();
    expect(calls).toHaveLength(1);
    expect(r.events[1].at(-1)).toMatchObject({ decision: 'wait', ratingsWaiting: 0 });
  });

  it('when a run fails, then the live model stays, the run is recorded, and the next try waits the back-off, doubling', async () => {
    const r = rig();
    let fail = true;
    const calls: number[] = [];
    const watcher = r.watcher(0, async () => {
      calls.push(r.clock.now);
      if (fail) throw new Error('the pipeline failed (nx exit code 1)');
      r.model.current = { version: 'mf-00000000000b', createdAt: r.clock.now, postedNewestId: (await r.store.version()).newestId };
    });
    await postRatings(r.store, 3);
    await watcher.checkOnce();
    expect(readRetrainWatchState(r.statePath).run).toMatchObject({
      outcome: 'failed',
      consecutiveFailures: 1,
      error: 'the pipeline failed (nx exit code 1)',
      version: 'mf-000000000001',
    });
    expect(r.events[0].at(-1)!.text).toBe('failed after 0 s (1 in a row; model mf-000000000001 keeps serving): the pipeline failed (nx exit code 1)');
    r.clock.now += 59_000;
    await watcher.checkOnce();
    expect(calls).toEqual([T0]);
    expect(r.events[0].at(-1)!.text).toBe('wait: backing off after 1 failed run(s): next try in 1 s');
    r.clock.now += 1_000;
    await watcher.checkOnce(); // 60 s after the first failure: the second try, failing too
    expect(calls).toEqual([T0, T0 + 60_000]);
    r.clock.now += 119_000;
    await watcher.checkOnce();
    expect(calls).toHaveLength(2); // two failures: 120 s
    fail = false;
    r.clock.now += 1_000;
    await watcher.checkOnce();
    expect(calls).toEqual([T0, T0 + 60_000, T0 + 180_000]);
    expect(readRetrainWatchState(r.statePath).run).toMatchObject({ outcome: 'trained', consecutiveFailures: 0, version: 'mf-00000000000b' });
  });

  it('when the process of a run died mid-way, then the next holder of the lock counts it as a failed run and backs off', async () => {
    const r = rig();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeRetrainWatchState(r.statePath, {
      check: null,
      run: {
        running: true,
        pid: dead,
        host: hostname(),
        startedAt: new Date(T0 - 5_000).toISOString(),
        finishedAt: null,
        outcome: null,
        durationSeconds: null,
        error: null,
        consecutiveFailures: 0,
        lastSuccessAt: null,
        previousVersion: 'mf-000000000001',
        version: 'mf-000000000001',
      },
    });
    const calls: number[] = [];
    const watcher = r.watcher(0, async () => void calls.push(r.clock.now));
    await postRatings(r.store, 3);
    await watcher.checkOnce();
    expect(calls).toEqual([]);
    expect(readRetrainWatchState(r.statePath).run).toMatchObject({ running: false, outcome: 'failed', consecutiveFailures: 1, pid: dead });
    expect(r.events[0].map((e) => e.text)).toContain(
      `the run pid ${dead} started at ${new Date(T0 - 5_000).toISOString()} never finished: counted as failed run 1 in a row`,
    );
    r.clock.now += 60_000;
    await watcher.checkOnce();
    expect(calls).toEqual([T0 + 60_000]);
  });

  it('when the store cannot be read, then the loop logs it, keeps running and looks again a poll later', async () => {
    const r = rig();
    const store = r.store;
    let reads = 0;
    r.store = {
      ...store,
      countNewerThan: async (id: number) => {
        if (++reads === 1) throw new Error('ratings_store_unavailable');
        return store.countNewerThan(id);
      },
    };
    const events: WatchEvent[] = [];
    const watcher = new RetrainWatcher({
      settings,
      now: () => r.clock.now,
      countNewerThan: (id) => r.store.countNewerThan(id),
      models: () => ({ built: r.model.current, live: r.model.current }),
      lock: fileLock(join(mkdtempSync(join(tmpdir(), 'retrain-watcher-')), 'retrain.lock')),
      runStages: async () => undefined,
      statePath: r.statePath,
      log: (event) => events.push(event),
    });
    const sleeps: number[] = [];
    await watcher.run(async (ms) => {
      sleeps.push(ms);
      r.clock.now += ms;
      if (sleeps.length === 2) watcher.stop();
    });
    expect(events.map((e) => [e.event, e.text])).toEqual([
      ['error', 'cannot read the posted ratings or the models: ratings_store_unavailable; next check in 10 s'],
      ['decision', 'wait: no new ratings; 70 s since the last training'],
    ]);
    expect(sleeps).toEqual([10_000, 10_000]);
  });
});
