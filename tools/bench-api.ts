/**
 * `npm run bench:api` (tsx tools/bench-api.ts): HTTP benchmark of the API against an Express
 * hello-world started in the same run as the reference.
 *
 *   1. Express 5 hello-world (GET /) in a child process.
 *   2. The API (apps/api/src/main.ts, a child process) on the ml-latest-small model
 *      (models/ml-latest-small + data/ml-latest-small.db; build them with
 *      `npm run pipeline` (it downloads ml-latest-small; offline: `MOVIELENS_SOURCE=/path/to/ml-latest-small npm run pipeline`).
 *   3. The API on a 20M-size model: 138,493 users x 26,744 movies x 64 factors. Unless
 *      --model-20m=<modelsDir>:<dataDir> points at a trained one, a SYNTHETIC model of that shape
 *      (random factors, saved with saveModelArtifacts) and a matching SQLite database (26,744 movies
 *      and --ratings-per-user random ratings per user) are generated once into the OS temp folder.
 *
 * Each target is driven by autocannon on 127.0.0.1 (one warm-up second, then --duration seconds,
 * --connections connections), with random user ids over the model's users and random catalogue
 * movie ids in the request bodies (a pool of 4,096 prebuilt requests per endpoint, cycled). Prints a table: endpoint, req/s, p50, p99, ratio vs hello-world.
 *
 * On the 20M-size model /recommendations is also driven with 2 connections and open-loop at
 * --rate-20m req/s (evenly spaced sends, latency from the scheduled time), from a pool of 65,536
 * requests (more users than the API's answer cache holds) that all connections walk through together
 * (autocannon would replay the same list on every connection: 15 of 16 answers from the cache), so
 * the rankings are measured, not the cache; then, with the API stopped, the served top 10 is compared with the exact 32-bit ranking
 * for 10,000 seeded sampled users of the same model (tools/lib/ranking-agreement-run.ts). The notes
 * give the API's start-to-ready time and its resident memory once ready and after the runs.
 *
 * Options: --duration=10 --connections=10 --log-level=warn --ratings-per-user=20 --rate-20m=300
 *          --only=hello,small,20m --record (results to docs/benchmarks/api.json, drawn by `npm run bench:charts`)
 *
 * The parts: tools/lib/load-driver.ts (autocannon runs, the paced driver, the table),
 * tools/lib/synthetic-serving-model.ts (the synthetic 20M-size model), tools/lib/processes.ts (the API).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { seededRandom } from '@reelrank/random';
import { readModelManifest } from '@reelrank/model';
import { startApi as startServer, WORKSPACE_ROOT as root, type ApiProcess } from './lib/processes';
import { idsFromArtifacts, parseFlags } from './lib/bench-kit';
import { drive, pacedRequests, printTable, row, type Measured, type Row } from './lib/load-driver';
import { rssKiB } from './lib/proc-stats';
import { measureAgreement, printAgreementTable } from './lib/ranking-agreement-run';
import { syntheticServingModel } from './lib/synthetic-serving-model';
import { benchRecord, writeBenchRecord } from './lib/bench-record';

const args = parseFlags();
const DURATION = Number(args.duration ?? 10);
const CONNECTIONS = Number(args.connections ?? 10);
const LOG_LEVEL = args['log-level'] ?? 'warn';
const RATINGS_PER_USER = Number(args['ratings-per-user'] ?? 20);
const RATE_20M = Number(args['rate-20m'] ?? 300);
const ONLY = new Set((args.only ?? 'hello,small,20m').split(','));

// --------------------------------------------------------------------------- servers

/** The server being measured: its CPU time per request is reported. */
let serverPid: number | undefined;

const HELLO = `
const express = require('express');
const app = express();
app.get('/', (req, res) => { res.send('Hello World!'); });
const server = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/** The Express hello-world reference in a child process, ready once it prints its URL. */
function startHelloWorld(timeoutMs = 300_000): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', HELLO], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  process.on('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  return new Promise((found, fail) => {
    const timer = setTimeout(() => fail(new Error(`hello-world did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        found({ child, url: match[1] });
      }
    });
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`hello-world exited with ${code}:\n${output}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** Starts the API (tools/lib/processes) and remembers its pid for the CPU column. */
async function startApi(name: string, env: Record<string, string>): Promise<ApiProcess> {
  const api = await startServer({ name, env, logLevel: LOG_LEVEL, readyTimeoutMs: 600_000 });
  serverPid = api.child.pid;
  return api;
}

/**
 * One client measures capacity here, so its fold-in budget (per identity, default 200 ratings/s) is
 * raised out of its way. The limiter still runs and charges every fold: its cost stays in the figures.
 */
const CAPACITY_LIMITS = { REELRANK_LIMIT_FOLD_RATINGS_PER_SECOND: '1000000000', REELRANK_LIMIT_FOLD_RATINGS_BURST: '1000000000' };

// --------------------------------------------------------------------------- request pools

const rand = seededRandom(12345);
const pick = <T>(list: ArrayLike<T>): T => list[Math.floor(rand() * list.length)];

interface Target {
  userIds: Int32Array;
  movieIds: Int32Array;
}

const json = { 'content-type': 'application/json' };

/**
 * A pool of POOL requests with random ids, built before the run (autocannon cycles through them):
 * static bodies keep the load generator's own CPU cost as low as the hello-world's GET.
 */
const POOL = 4096;

function predictRequest(t: Target): autocannon.Request[] {
  return Array.from({ length: POOL }, () => ({
    method: 'POST' as const,
    path: '/predict',
    headers: json,
    body: JSON.stringify({ user_id: pick(t.userIds), movie_id: pick(t.movieIds) }),
  }));
}

function newUserRequest(t: Target): autocannon.Request[] {
  return Array.from({ length: POOL }, () => {
    const ids = new Set<number>();
    while (ids.size < 5) ids.add(pick(t.movieIds));
    const ratings = [...ids].map((movie_id) => ({ movie_id, rating: 0.5 + Math.floor(rand() * 10) / 2 }));
    return { method: 'POST' as const, path: '/recommendations/new-user', headers: json, body: JSON.stringify({ ratings, n_recommendations: 10 }) };
  });
}

/** The 20M-size model's pool: more users than the answer cache keeps (serving.answerCacheEntries, 10,000). */
const POOL_20M = 65_536;

function recommendationsRequest(t: Target, n = 10, pool = POOL): autocannon.Request[] {
  return Array.from({ length: pool }, () => ({
    method: 'POST' as const,
    path: '/recommendations',
    headers: json,
    body: JSON.stringify({ user_id: pick(t.userIds), n_recommendations: n }),
  }));
}

/** autocannon with this run's duration and connections against the server being measured. */
const measure = (url: string, requests: autocannon.Request[], options: { connections?: number } = {}): Promise<Measured> =>
  drive(url, requests, { duration: DURATION, connections: options.connections ?? CONNECTIONS, serverPid });

/** One request that every connection shares: each send takes the pool's next entry, so no two connections repeat each other. */
function walkedTogether(pool: autocannon.Request[]): autocannon.Request[] {
  let next = 0;
  return [{ ...pool[0], setupRequest: (request) => ({ ...request, body: pool[next++ % pool.length].body }) }];
}

async function benchApi(label: string, url: string, t: Target, rows: Row[], rate?: number): Promise<void> {
  const recommendations = () => (rate ? walkedTogether(recommendationsRequest(t, 10, POOL_20M)) : recommendationsRequest(t));
  rows.push(row(label, 'POST /predict', await measure(url, predictRequest(t))));
  rows.push(row(label, 'POST /recommendations (n=10)', await measure(url, recommendations())));
  rows.push(row(label, 'POST /recommendations/new-user (fold-in)', await measure(url, newUserRequest(t))));
  if (rate) {
    rows.push(row(label, `POST /recommendations, 2 connections`, await measure(url, recommendations(), { connections: 2 })));
    rows.push(
      row(
        label,
        `POST /recommendations paced ${rate} req/s`,
        await pacedRequests(url, recommendationsRequest(t, 10, POOL_20M), rate, DURATION, serverPid),
      ),
    );
  }
}

const mib = (kib: number | undefined) => (kib === undefined ? '?' : `${(kib / 1024).toFixed(0)} MiB`);

// --------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const rows: Row[] = [];
  let agreement: Awaited<ReturnType<typeof measureAgreement>> | undefined;
  const notes: string[] = [
    'identity checks, limits and metrics on; the fold-in budget of the one client raised (REELRANK_LIMIT_FOLD_RATINGS_*), still charged',
  ];
  console.error(`autocannon: ${CONNECTIONS} connections, ${DURATION} s per endpoint (+1 s warm-up), 127.0.0.1; API LOG_LEVEL=${LOG_LEVEL}`);

  if (ONLY.has('hello')) {
    const hello = await startHelloWorld();
    serverPid = hello.child.pid;
    rows.push(row('express hello-world', 'GET /', await measure(hello.url, [{ method: 'GET', path: '/' }])));
    await stopChild(hello.child);
  }

  if (ONLY.has('small')) {
    const dbPath = join(root, 'data', 'ml-latest-small.db');
    const modelDir = join(root, 'models', 'ml-latest-small');
    if (!existsSync(dbPath) || !existsSync(join(modelDir, 'model.json'))) {
      notes.push(
        'ml-latest-small skipped: build it with `npm run pipeline` (it downloads ml-latest-small; offline: `MOVIELENS_SOURCE=/path/to/ml-latest-small npm run pipeline`)',
      );
    } else {
      const t = idsFromArtifacts(dbPath, modelDir);
      const manifest = readModelManifest(modelDir);
      notes.push(`ml-latest-small: trained model ${manifest.version} (${manifest.users} users x ${manifest.movies} movies, k=${manifest.factors})`);
      const api = await startApi('api ml-latest-small', {
        ...CAPACITY_LIMITS,
        REELRANK_DATASET: 'ml-latest-small',
        REELRANK_DATA_DIR: join(root, 'data'),
        REELRANK_MODELS_DIR: join(root, 'models'),
      });
      await benchApi('api ml-latest-small', api.url, t, rows);
      await api.stop();
    }
  }

  if (ONLY.has('20m')) {
    let dirs: { modelsDir: string; dataDir: string; note: string; dataset: string };
    if (args['model-20m']) {
      const [modelsDir, dataDir] = args['model-20m'].split(':');
      dirs = { modelsDir, dataDir, note: `trained model from ${modelsDir}`, dataset: args['dataset-20m'] ?? 'ml-20m' };
    } else dirs = { ...(await syntheticServingModel(RATINGS_PER_USER)), dataset: 'synthetic' };
    notes.push(`20M-size: ${dirs.note}`);
    const t = idsFromArtifacts(join(dirs.dataDir, `${dirs.dataset}.db`), join(dirs.modelsDir, dirs.dataset));
    const started = Date.now();
    const api = await startApi('api 20M-size', {
      ...CAPACITY_LIMITS,
      REELRANK_DATASET: dirs.dataset,
      REELRANK_DATA_DIR: dirs.dataDir,
      REELRANK_MODELS_DIR: dirs.modelsDir,
    });
    notes.push(`20M-size: server start to ready ${((Date.now() - started) / 1000).toFixed(1)} s, RSS ${mib(rssKiB(api.child.pid!))}`);
    await benchApi(`api 20M-size${args['model-20m'] ? '' : ' (synthetic)'}`, api.url, t, rows, RATE_20M);
    notes.push(`20M-size: API RSS after the runs ${mib(rssKiB(api.child.pid!))}`);
    await api.stop();
    agreement = await measureAgreement({ label: `20M-size, ${dirs.note}`, ...dirs }, 10_000, 10, 2026);
  }

  const hello = rows.find((r) => r.target === 'express hello-world');
  console.log('');
  printTable(rows, hello);
  console.log('');
  if (agreement) {
    console.log('Served top 10 vs the exact 32-bit ranking (10,000 users sampled with seed 2026):');
    printAgreementTable([agreement]);
    console.log('');
  }
  for (const note of notes) console.log(`- ${note}`);
  const goal = (ok: boolean, text: string) => console.log(`- goal ${ok ? 'MET   ' : 'MISSED'} ${text}`);
  const find = (target: string, endpoint: string) => rows.find((r) => r.target.startsWith(target) && r.endpoint.startsWith(endpoint));
  const predict = find('api ml-latest-small', 'POST /predict');
  const recs = find('api ml-latest-small', 'POST /recommendations (n=10)');
  const big = rows.filter(
    (r) => r.target.startsWith('api 20M-size') && r.endpoint.startsWith('POST /recommendations') && !r.endpoint.includes('new-user'),
  );
  if (hello && predict)
    goal(predict.reqPerSec >= 0.7 * hello.reqPerSec, `/predict >= 0.70x hello-world (${(predict.reqPerSec / hello.reqPerSec).toFixed(2)}x)`);
  if (hello && recs)
    goal(
      recs.reqPerSec >= 0.6 * hello.reqPerSec && recs.p99 <= 10,
      `/recommendations ml-latest-small >= 0.60x hello-world and p99 <= 10 ms (${(recs.reqPerSec / hello.reqPerSec).toFixed(2)}x, p99 ${recs.p99} ms)`,
    );
  if (big.length) {
    const ok = big.some((r) => r.reqPerSec >= 300 && r.p99 <= 20);
    goal(
      ok,
      `/recommendations 20M-size p99 <= 20 ms at >= 300 req/s (${big.map((r) => `${r.reqPerSec.toFixed(0)} req/s p99 ${r.p99} ms`).join('; ')})`,
    );
    const closed = find('api 20M-size', 'POST /recommendations (n=10)');
    const pacedRow = find('api 20M-size', 'POST /recommendations paced');
    if (closed)
      goal(closed.reqPerSec >= 2000, `/recommendations 20M-size >= 2,000 req/s at ${CONNECTIONS} connections (${closed.reqPerSec.toFixed(0)} req/s)`);
    if (pacedRow) goal(pacedRow.p99 <= 8, `/recommendations 20M-size p99 <= 8 ms paced at ${RATE_20M} req/s (p99 ${pacedRow.p99} ms)`);
  }
  if (agreement)
    goal(
      agreement.identical >= 0.99,
      `20M-size served top 10 identical to the exact ranking for >= 99% of users (${(100 * agreement.identical).toFixed(2)}%)`,
    );
  const bad = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (bad.length) console.log(`- WARNING: non-2xx or errors in ${bad.map((r) => `${r.target} ${r.endpoint}`).join(', ')}`);
  if (args.record) writeBenchRecord(benchRecord('api', `npm run bench:api -- ${process.argv.slice(2).join(' ')}`.trim(), { rows, notes }));
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
