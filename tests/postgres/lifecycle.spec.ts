import { loadConfig } from '@reelrank/config';
import { readCatalogue } from '@reelrank/ingest/testing';
import { liveModel, modelVersionDir, readModelManifest, readRetrainWatchState } from '@reelrank/model';
import { startApi, type ApiProcess } from '../../tools/lib/processes';
import { startWatcherScript, untilEveryWorkerServes, type WatcherProcess } from '../lifecycle-kit';
import { until } from '../../tools/lib/until';
import { freshDatabase } from './postgres-test-db';
import { AS_ADMIN, servedWorkspace, TEST_ADMIN_TOKEN } from './served-workspace';

/**
 * The model lifecycle with DATABASE_URL, as replicas run it: two API replicas (apps/api/src/main.ts,
 * started without Nx) and two watchers (`npm run retrain:watch`) share one PostgreSQL. Ratings posted to
 * one replica reach the shared store; one watcher takes the advisory lock and retrains through the real
 * Nx stages while the other is told the lock is held; the gate promotes, the leader reloads both
 * replicas, and each of them names the new version in /ready.
 */
describe('the model lifecycle on PostgreSQL: two replicas, one training leader', () => {
  let db: { url: string; drop(): Promise<void> };
  let env: Record<string, string | undefined>;
  const replicas: ApiProcess[] = [];
  const watchers: WatcherProcess[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    env = await servedWorkspace(db.url);
    replicas.push(...(await Promise.all(['replica a', 'replica b'].map((name) => startApi({ name, env, readyTimeoutMs: 120_000 })))));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(watchers.map((w) => w.stop()));
    await Promise.all(replicas.map((r) => r.stop(5_000)));
    await db?.drop();
  });

  const everything = () =>
    [...replicas.map((r) => `--- ${r.name}\n${r.output()}`), ...watchers.map((w, i) => `--- watcher ${i}\n${w.output()}`)].join('\n').slice(-20_000);

  it('when ratings are posted to one replica, then one watcher retrains while the other waits, and both replicas serve the new version', async () => {
    const config = loadConfig({ env });
    const before = liveModel(config.paths).version!;
    for (const replica of replicas)
      await untilEveryWorkerServes(replica.url, TEST_ADMIN_TOKEN, before, { workers: 1, timeoutMs: 10_000, context: everything });

    const watchEnv = {
      ...env,
      REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '3',
      REELRANK_RETRAIN_WATCH_POLL_SECONDS: '0.5',
      REELRANK_RETRAIN_WATCH_RELOAD_URLS: replicas.map((r) => r.url).join(','),
      // The default 2% holdout of 2,400 ratings is ~50: a retraining on 3 more ratings moves its NDCG by a few hundredths.
      REELRANK_GATE_RMSE_EPSILON: '0.1',
      REELRANK_GATE_NDCG_EPSILON: '0.1',
    };
    watchers.push(startWatcherScript(watchEnv), startWatcherScript(watchEnv));
    await until(
      'both watchers to look',
      () => watchers.every((w) => w.lines().some((l) => l.includes(': wait: no new ratings'))),
      60_000,
      everything,
    );

    const movieIds = readCatalogue(String(env.MOVIELENS_SOURCE))
      .slice(0, 3)
      .map((m) => m.movieId);
    const posted = await fetch(`${replicas[0].url}/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AS_ADMIN },
      body: JSON.stringify({ ratings: movieIds.map((movie_id, i) => ({ user_id: 900_001, movie_id, rating: 3 + i })) }),
    });
    expect(posted.status).toBe(201);

    await until(
      'a run to finish',
      () => {
        const run = readRetrainWatchState(config.paths.retrainStatePath).run;
        return run !== null && !run.running;
      },
      120_000,
      everything,
    );
    const run = readRetrainWatchState(config.paths.retrainStatePath).run!;
    expect(run).toMatchObject({ outcome: 'trained', previousVersion: before, error: null });
    const after = run.version!;
    expect(after).not.toBe(before);
    const manifest = readModelManifest(modelVersionDir(config.paths.registryDir, after)!);
    expect(manifest.training.posted).toMatchObject({ count: 3 });
    expect(manifest.gate).toMatchObject({ decision: 'promoted', live: { version: before } });
    expect(manifest.gate!.reason).toBe(`holdout RMSE and NDCG@10 within the epsilons of live ${before}`); // compared, not waved through

    // One leader: exactly one watcher trained, under the advisory lock; the other was told it is held.
    const lines = watchers.map((w) => w.lines());
    const leaders = lines.map((l) =>
      l.some((line) => line.includes(': train: 3 new rating(s) waiting, at least 3; holding the PostgreSQL advisory lock')),
    );
    expect(leaders.filter(Boolean)).toHaveLength(1);
    const follower = lines[leaders.indexOf(false)];
    expect(follower.some((l) => l.includes('but another process is training: another session holds the PostgreSQL advisory lock'))).toBe(true);
    expect(follower.some((l) => l.includes(': trained in '))).toBe(false);

    for (const replica of replicas) {
      await untilEveryWorkerServes(replica.url, TEST_ADMIN_TOKEN, after, { workers: 1, timeoutMs: 30_000, context: everything });
    }
    await Promise.all(watchers.map((w) => w.stop()));
  }, 240_000);
});
