import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { launchChromium } from '@reelrank/config/testing';
import { loadDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, readCatalogue, tempWorkspace } from '@reelrank/ingest/testing';
import { liveModel, readRetrainWatchState, type RetrainRun } from '@reelrank/model';
import { runTraining } from '@reelrank/trainer';
import { freePort } from './lib/bench-kit';
import { LIFTED_BUDGETS, startApi, WORKSPACE_ROOT } from './lib/processes';
import { until } from './lib/until';

/**
 * `npx tsx tools/screenshot-dashboard.ts [--out docs/images/lifecycle-dashboard.png]`: the dashboard
 * picture of the "Model lifecycle" documentation, made by running the lifecycle for real on a generated
 * data set (seed 42) in a throwaway workspace: the API serves a first model; ratings (a stream of
 * 0.5 stars among them, which drifts) are posted; `reelrank retrain --watch` retrains through Nx and the
 * gate promotes; a broken candidate (one epoch, near-zero learning rate, huge initial factors) is gated
 * out; an A/B experiment sends half the users to the earlier version; traffic with hits follows; then
 * Chromium (Debian's, through playwright-core) opens /dashboard on the metrics listener and saves a
 * full-page screenshot.
 */

const OUT = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'docs/images/lifecycle-dashboard.png';
const TOKEN = randomBytes(32).toString('base64url');
const log = (line: string) => process.stderr.write(`screenshot-dashboard: ${line}\n`);

function startWatcher(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'apps', 'cli', 'bin', 'reelrank.js'), 'retrain', '--watch'], {
    cwd: WORKSPACE_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.includes(' retrain --watch (')) log(line);
  });
  return child;
}

const stopWatcher = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });

async function main(): Promise<void> {
  const root = tempWorkspace();
  // The throwaway workspace holds only config/: its web root (the dashboard's files) is this workspace's.
  const servingFile = join(root, 'config', 'serving.json');
  writeFileSync(
    servingFile,
    JSON.stringify({ ...JSON.parse(readFileSync(servingFile, 'utf8')), webRoot: join(WORKSPACE_ROOT, 'apps', 'web', 'public') }),
  );
  const source = await generatedMovieLensSource({ users: 200, movies: 400, ratings: 16_000, seed: 42 });
  const movies = readCatalogue(source).map((m) => m.movieId);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REELRANK_ROOT: root,
    MOVIELENS_SOURCE: source,
    REELRANK_TRAIN_RATING_MODEL: 'mf',
    REELRANK_TRAIN_FACTORS: '16',
    REELRANK_TRAIN_MAX_EPOCHS: '20',
    REELRANK_TRAIN_POSTED_NEW_USERS_PER_IDENTITY: '1000',
    REELRANK_GATE_HOLDOUT_SHARE: '0.05',
    REELRANK_GATE_RMSE_EPSILON: '0.05',
    REELRANK_GATE_NDCG_EPSILON: '0.05',
    REELRANK_ADMIN_TOKEN: TOKEN,
    NX_NO_CLOUD: 'true',
    NX_DAEMON: 'false',
  };
  for (const name of ['REELRANK_DATASET', 'REELRANK_RATINGS_DB', 'REELRANK_DATA_DIR', 'REELRANK_MODELS_DIR', 'DATABASE_URL']) delete env[name];
  const config = loadConfig({ env });
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let watcher: ChildProcess | undefined;
  try {
    log(`first model on ${source} in ${root}`);
    const quiet = () => undefined;
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet });
    const first = liveModel(config.paths).version!;

    const metricsPort = await freePort();
    api = await startApi({
      name: 'dashboard api',
      env: {
        ...env,
        ...LIFTED_BUDGETS,
        REELRANK_METRICS_PORT: String(metricsPort),
        REELRANK_DRIFT_REFRESH_SECONDS: '2',
        REELRANK_DRIFT_MIN_RATINGS: '50',
      },
      readyTimeoutMs: 120_000,
    });
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${api!.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
      if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const servedVersion = async () =>
      ((await (await fetch(`${api!.url}/ready`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { model?: { version?: string } }).model
        ?.version;
    /** Users ask for recommendations; every other one rates the first of them 5 (a hit), all rate another movie 3. */
    const traffic = async (users: number[]) => {
      for (const user of users) {
        const answer = (await call('/recommendations', { user_id: user, n_recommendations: 10 })) as { recommendations: { movie_id: number }[] };
        const top = answer.recommendations[0].movie_id;
        const other = movies.find((m, i) => i >= (user * 7) % movies.length && m !== top)!;
        await call('/ratings', {
          ratings: [...(user % 2 ? [{ user_id: user, movie_id: top, rating: 5 }] : []), { user_id: user, movie_id: other, rating: 3 }],
        });
      }
    };
    /** New users posting `perUser` ratings of `stars` each. */
    const stream = async (from: number, users: number, perUser: number, stars: number) => {
      for (let u = 0; u < users; u++) {
        const ratings = Array.from({ length: perUser }, (_, i) => ({
          user_id: from + u,
          movie_id: movies[(u * 13 + i * 5) % movies.length],
          rating: stars,
        }));
        await call('/ratings', { ratings });
      }
    };

    log('traffic, then a drifted stream (every rating 0.5)');
    await traffic(Array.from({ length: 40 }, (_, i) => i + 1));
    await stream(900_001, 30, 8, 0.5);

    const watchEnv = {
      ...env,
      REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '200',
      REELRANK_RETRAIN_WATCH_POLL_SECONDS: '1',
      REELRANK_RETRAIN_WATCH_RELOAD_URLS: api.url,
    };
    const finishedRun = async (after: string | null): Promise<RetrainRun> => {
      await until(
        'the watcher to finish a run',
        () => {
          const run = readRetrainWatchState(config.paths.retrainStatePath).run;
          return run !== null && !run.running && run.startedAt !== after;
        },
        300_000,
      );
      return readRetrainWatchState(config.paths.retrainStatePath).run!;
    };
    watcher = startWatcher(watchEnv);
    const trained = await finishedRun(null);
    if (trained.outcome !== 'trained') throw new Error(`the retraining was ${trained.outcome}: ${trained.error ?? ''}`);
    await until('the API to serve the retrained model', () => servedVersion().then((v) => v === trained.version), 30_000);
    await stopWatcher(watcher);

    log('a broken candidate');
    await stream(910_001, 30, 8, 4);
    // The neighbourhood blend gives the broken rating model little weight: gated with no epsilon, any loss rejects it.
    watcher = startWatcher({
      ...watchEnv,
      REELRANK_TRAIN_MAX_EPOCHS: '1',
      REELRANK_TRAIN_LEARNING_RATE: '0.000001',
      REELRANK_TRAIN_INIT_STD: '3',
      REELRANK_GATE_RMSE_EPSILON: '0',
      REELRANK_GATE_NDCG_EPSILON: '0',
    });
    const broken = await finishedRun(trained.startedAt);
    if (broken.outcome !== 'rejected') throw new Error(`the broken candidate was ${broken.outcome}, not rejected`);
    await stopWatcher(watcher);
    // The watcher keeps watching (its next look on the dashboard).
    watcher = startWatcher({ ...watchEnv, REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS: '1000' });

    log(`an A/B experiment: half the users on ${first}`);
    await call('/admin/experiments', { challenger_version: first, share: 0.5, name: 'previous version' });
    await until(
      'both arms to answer',
      async () => {
        const versions = new Set<unknown>();
        for (let user = 1; user <= 20; user++) versions.add((await call('/recommendations', { user_id: user, n_recommendations: 1 })).model_version);
        return versions.size === 2;
      },
      10_000,
    );
    await traffic(Array.from({ length: 120 }, (_, i) => i + 41));

    log('the dashboard in Chromium');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`http://127.0.0.1:${metricsPort}/dashboard?interval=0.5`);
      await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('updated'));
      await page.waitForSelector('#chart-gate-rmse circle.gate-dot', { state: 'attached' });
      await page.waitForSelector('#drift-rows tr', { state: 'attached' });
      await page.waitForFunction(() => (document.getElementById('experiment')?.textContent ?? '').includes('challenger'));
      // Traffic for 20 s while the page polls, so its rate, latency and hit-rate charts draw a line.
      const end = Date.now() + 20_000;
      for (let round = 0; Date.now() < end; round++) await traffic(Array.from({ length: 20 }, (_, i) => 1 + ((round * 20 + i) % 200)));
      await page.waitForFunction(() => !(document.getElementById('latency-now')?.textContent ?? '–').startsWith('–'));
      await page.waitForSelector('#chart-rps path[data-series="rps"]', { state: 'attached' });
      mkdirSync(dirname(OUT), { recursive: true });
      await page.screenshot({ path: OUT, fullPage: true });
      log(`saved ${OUT}`);
    } finally {
      await browser.close();
    }
  } finally {
    if (watcher) await stopWatcher(watcher);
    await api?.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(dirname(source), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshot-dashboard: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
