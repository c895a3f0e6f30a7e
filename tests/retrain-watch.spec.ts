import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, readCatalogue } from '@reelrank/ingest/testing';
import { listModelVersions, liveModel, readRetrainWatchState } from '@reelrank/model';
import { runTraining } from '@reelrank/trainer';
import { runCli } from '@reelrank/cli';
import { startApi, WORKSPACE_ROOT, type ApiProcess } from '../tools/lib/processes';
import { quickTrainingEnv } from './workspace-env';
import { until } from '../tools/lib/until';

/**
 * `reelrank retrain --watch` end to end: two watchers (the real CLI, as two replicas on one machine
 * would run it) watch one SQLite store and one models folder; ratings are posted to a real API; one
 * watcher takes the lock and retrains through the real Nx pipeline, the other waits for it and then
 * finds nothing left to train; the registry's live version moves once, the API is told to reload
 * and serves it, and its /metrics shows the run. Then a run that fails (the stages lose their
 * source) leaves the live model serving and is retried after the back-off.
 */

const TOKEN = 'retrain-watch-spec-token-4Kp8Zr3Wt6Yb1Hq2';

interface Watcher {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startWatcher(env: NodeJS.ProcessEnv): Watcher {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'apps', 'cli', 'bin', 'reelrank.js'), 'retrain', '--watch'], {
    cwd: WORKSPACE_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

/** The lines the watcher itself logged (the stages' own output left out). */
const watchLines = (output: string) => output.split('\n').filter((line) => line.includes(' retrain --watch ('));

describe('reelrank retrain --watch', () => {
  let env: NodeJS.ProcessEnv;
  let config: AppConfig;
  let api: ApiProcess | undefined;
  let movieIds: number[];
  let source: string;
  const watchers: Watcher[] = [];

  beforeAll(async () => {
    source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 21 });
    movieIds = readCatalogue(source)
      .slice(0, 3)
      .map((m) => m.movieId);
    env = {
      ...quickTrainingEnv(source),
      REELRANK_ADMIN_TOKEN: TOKEN,
      // Every retraining here must go live: on a 2,400-rating set the 2% gate holdout is ~50 ratings, too few for
      // the default epsilons (tests/promotion-gate.spec.ts tests the gate, with the watcher's 'rejected' outcome in its unit spec).
      REELRANK_GATE_RMSE_EPSILON: '1',
      REELRANK_GATE_NDCG_EPSILON: '1',
      NX_NO_CLOUD: 'true',
      NX_DAEMON: 'false',
    };
    // The first model, built in-process, so the server can start.
    config = loadConfig({ env });
    const quiet = () => undefined;
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet, implicit: false });
    api = await startApi({ name: 'retrain-watch-spec', env: env as Record<string, string | undefined> });
  }, 180_000);

  const post = (userId: number) =>
    fetch(`${api!.url}/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ratings: movieIds.map((movie_id, i) => ({ user_id: userId, movie_id, rating: 3 + i })) }),
    });
  const liveOnServer = async () =>
    ((await (await fetch(`${api!.url}/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { live_version: string }).live_version;

  afterAll(async () => {
    for (const w of watchers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await api?.stop();
  });

  it('when servers are to be reloaded without an admin credential, or a reload URL is not one, then it says so before watching (exit 2)', async () => {
    const { REELRANK_ADMIN_TOKEN: _t, ...noToken } = env;
    let stderr = '';
    const io = (e: NodeJS.ProcessEnv) => ({ stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: e });
    expect(await runCli(['retrain', '--watch'], io({ ...noToken, REELRANK_RETRAIN_WATCH_RELOAD_URLS: api!.url }))).toBe(2);
    expect(stderr).toContain('reloading servers needs an admin credential');
    expect(await runCli(['retrain', '--watch', '--reload', 'localhost:1'], io(env))).toBe(2);
    expect(stderr).toContain('--reload must be an http(s) URL');
    expect(existsSync(config.paths.retrainStatePath)).toBe(false); // nothing looked, nothing written
  });

  it('when N ratings are posted, then exactly one of two watchers retrains once, the live version moves and the API serves it', async () => {
    const before = liveModel(config.paths).version;
    expect(before).not.toBeNull();
    const versionsBefore = listModelVersions(config.paths.registryDir).length;
    const watchEnv = {
      ...env,
      REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '3',
      REELRANK_RETRAIN_WATCH_POLL_SECONDS: '0.5',
      REELRANK_RETRAIN_WATCH_RELOAD_URLS: api!.url,
    };
    watchers.push(startWatcher(watchEnv), startWatcher(watchEnv));
    const everything = () => watchers.map((w, i) => `--- watcher ${i}\n${w.output()}`).join('\n');
    // Both look and wait: nothing posted yet.
    await until('both watchers to wait', () => watchers.every((w) => /wait: no new ratings/.test(w.output())), 60_000, everything);

    expect((await post(900_001)).status).toBe(201);

    await until('a run to finish', () => readRetrainWatchState(config.paths.retrainStatePath).run?.running === false, 180_000, everything);
    const run = readRetrainWatchState(config.paths.retrainStatePath).run!;
    expect(run).toMatchObject({ outcome: 'trained', previousVersion: before, consecutiveFailures: 0, error: null });
    const after = liveModel(config.paths).version;
    expect(after).toBe(run.version);
    expect(after).not.toBe(before);
    expect(listModelVersions(config.paths.registryDir)).toHaveLength(versionsBefore + 1);
    const manifest = JSON.parse(readFileSync(join(config.paths.modelDir, 'model.json'), 'utf8'));
    expect(manifest.training.posted).toMatchObject({ count: 3, newestId: 3 });

    // Both look again and find nothing to train; the API was told to reload.
    await until(
      'both watchers to find no new ratings after the run',
      () => watchers.every((w) => watchLines(w.output()).filter((l) => l.includes('wait: no new ratings')).length >= 2),
      60_000,
      everything,
    );
    await until(
      'the reload',
      () => watchers.some((w) => w.output().includes(`${api!.url}: model ${after} is live (reloaded; was ${before})`)),
      30_000,
      everything,
    );
    const lines = watchers.map((w) => watchLines(w.output()));
    expect(lines.flat().filter((l) => l.includes(': train: 3 new rating(s) waiting, at least 3; holding the lock file'))).toHaveLength(1);
    const trainer = lines.findIndex((l) => l.some((line) => line.includes('; holding the lock file')));
    const trainerPid = watchers[trainer].child.pid;
    expect(
      lines[1 - trainer].some((l) =>
        l.includes(`: wait: 3 new rating(s) waiting, at least 3, but another process is training: pid ${trainerPid} on `),
      ),
    ).toBe(true);
    expect(lines.flat().filter((l) => l.includes(`: trained in `) && l.includes(`live model ${after} (was ${before})`))).toHaveLength(1);
    expect(await liveOnServer()).toBe(after);
    const metrics = await (await fetch(`${api!.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toMatch(/^reelrank_retrain_last_run_outcome\{outcome="trained"\} 1$/m);
    expect(metrics).toMatch(/^reelrank_retrain_ratings_waiting 0$/m);
    expect(metrics).toMatch(/^reelrank_retrain_consecutive_failures 0$/m);

    // SIGTERM: both stop, exit 0, and no lock is left behind.
    for (const w of watchers) w.child.kill('SIGTERM');
    expect(await Promise.all(watchers.map((w) => w.exited))).toEqual([0, 0]);
    expect(existsSync(config.paths.retrainLockPath)).toBe(false);
  }, 360_000);

  it('when a run fails, then the live model keeps serving and the run is retried with back-off until it succeeds', async () => {
    const before = liveModel(config.paths).version;
    // The stages cannot read their source: the ingest stage, and so the run, fails.
    renameSync(source, `${source}.away`);
    expect((await post(900_002)).status).toBe(201);
    const watcher = startWatcher({
      ...env,
      REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '3',
      REELRANK_RETRAIN_WATCH_POLL_SECONDS: '0.5',
      REELRANK_RETRAIN_WATCH_BACKOFF_SECONDS: '2',
      REELRANK_RETRAIN_WATCH_BACKOFF_MAX_SECONDS: '4',
      REELRANK_RETRAIN_WATCH_RELOAD_URLS: api!.url,
    });
    watchers.push(watcher);
    const output = () => watcher.output();
    await until('a failed run', () => readRetrainWatchState(config.paths.retrainStatePath).run?.outcome === 'failed', 120_000, output);
    expect(readRetrainWatchState(config.paths.retrainStatePath).run).toMatchObject({
      consecutiveFailures: 1,
      error: expect.stringMatching(/^the pipeline failed \(nx exit code \d+\)/),
      version: before,
    });
    expect(liveModel(config.paths).version).toBe(before);
    expect(await liveOnServer()).toBe(before);
    await until('a look during the back-off', () => /wait: backing off after \d+ failed run\(s\): next try in/.test(output()), 30_000, output);

    renameSync(`${source}.away`, source);
    await until('a successful retry', () => readRetrainWatchState(config.paths.retrainStatePath).run?.outcome === 'trained', 180_000, output);
    const run = readRetrainWatchState(config.paths.retrainStatePath).run!;
    expect(run).toMatchObject({ consecutiveFailures: 0, previousVersion: before, error: null });
    expect(run.version).not.toBe(before);
    expect(
      watchLines(output()).some((l) => new RegExp(`: failed after .* \\(1 in a row; model ${before} keeps serving\\): the pipeline failed`).test(l)),
    ).toBe(true);
    expect(watchLines(output()).some((l) => /: train: 3 new rating\(s\) waiting, at least 3 \(retry after \d+ failed run\(s\)\)/.test(l))).toBe(true);
    await until('the reload', async () => (await liveOnServer()) === run.version, 30_000, output);
    watcher.child.kill('SIGTERM');
    expect(await watcher.exited).toBe(0);
  }, 360_000);

  it('when the watcher is stopped mid-run, then it ends the stages it started, releases the lock, and the live model keeps serving', async () => {
    const before = liveModel(config.paths).version;
    expect((await post(900_003)).status).toBe(201);
    const watcher = startWatcher({ ...env, REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '3', REELRANK_RETRAIN_WATCH_POLL_SECONDS: '0.5' });
    watchers.push(watcher);
    const output = () => watcher.output();
    await until(
      'the stages to start',
      () => existsSync(config.paths.retrainLockPath) && JSON.parse(readFileSync(config.paths.retrainLockPath, 'utf8')).childPid !== null,
      60_000,
      output,
    );
    const stages = JSON.parse(readFileSync(config.paths.retrainLockPath, 'utf8')).childPid as number;
    watcher.child.kill('SIGTERM');
    expect(await watcher.exited).toBe(0);
    // The stages' process group is gone: nothing trains on behind the stopped watcher.
    const groupAlive = () => {
      try {
        process.kill(-stages, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until('the stages to end', () => !groupAlive(), 15_000, output);
    expect(existsSync(config.paths.retrainLockPath)).toBe(false);
    expect(readRetrainWatchState(config.paths.retrainStatePath).run).toMatchObject({ outcome: 'failed', version: before });
    expect(liveModel(config.paths).version).toBe(before);
    expect(await liveOnServer()).toBe(before);
  }, 120_000);
});
