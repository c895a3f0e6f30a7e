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
 * --rate-20m req/s (evenly spaced sends, latency from the scheduled time).
 *
 * Options: --duration=10 --connections=10 --log-level=warn --ratings-per-user=20 --rate-20m=300
 *          --only=hello,small,20m
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { MOVIELENS_GENRES } from '@reelrank/ingest';
import { seededRandom } from '@reelrank/random';
import { loadDatabase } from '@reelrank/database';
import { computePopularity, readModelManifest, saveModelArtifacts, type MfModel } from '@reelrank/model';
import { startApi as startServer, type ApiProcess } from './lib/processes';
import { idsFromArtifacts, paced, parseFlags, quantile, sendJson } from './lib/bench-kit';

const root = resolve(__dirname, '..');
const args = parseFlags();
const DURATION = Number(args.duration ?? 10);
const CONNECTIONS = Number(args.connections ?? 10);
const LOG_LEVEL = args['log-level'] ?? 'warn';
const RATINGS_PER_USER = Number(args['ratings-per-user'] ?? 20);
const RATE_20M = Number(args['rate-20m'] ?? 300);
const ONLY = new Set((args.only ?? 'hello,small,20m').split(','));

const SHAPE_20M = { users: 138_493, movies: 26_744, factors: 64 };
const GENRES = MOVIELENS_GENRES.filter((genre) => genre !== 'IMAX');

interface Row {
  /** Server CPU time (user + system) per request, from /proc: robust against a busy machine. */
  cpuUsPerRequest?: number;
  target: string;
  endpoint: string;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  note?: string;
}

// --------------------------------------------------------------------------- child processes

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function startChild(
  name: string,
  argv: string[],
  env: Record<string, string>,
  readyPattern: RegExp,
  timeoutMs = 300_000,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((found, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      const match = readyPattern.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume(); // keep draining (warn-level logs)
        found({ child, url: match[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited with ${code}:\n${output}`));
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

const HELLO = `
const express = require('express');
const app = express();
app.get('/', (req, res) => { res.send('Hello World!'); });
const server = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts the API (tools/lib/api-process) and remembers its pid for the CPU columns. */
async function startApi(name: string, env: Record<string, string>): Promise<ApiProcess> {
  const api = await startServer({ name, env, logLevel: LOG_LEVEL, readyTimeoutMs: 600_000 });
  serverPid = api.child.pid;
  return api;
}

// --------------------------------------------------------------------------- load generation

const rand = seededRandom(12345);
const pick = <T>(list: ArrayLike<T>): T => list[Math.floor(rand() * list.length)];

interface Target {
  userIds: Int32Array;
  movieIds: Int32Array;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

let serverPid: number | undefined;

async function drive(
  url: string,
  requests: autocannon.Request[],
  options: { duration?: number; overallRate?: number; connections?: number } = {},
): Promise<autocannon.Result & { cpuUs: number }> {
  const run = async (duration: number) => {
    const messages = new Map<string, number>();
    const result = await new Promise<autocannon.Result>((done, fail) => {
      const instance = autocannon(
        {
          url,
          connections: options.connections ?? CONNECTIONS,
          duration,
          requests,
          ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        },
        (error, res) => (error ? fail(error) : done(res)),
      );
      instance.on('reqError', (error: Error) => messages.set(error.message, (messages.get(error.message) ?? 0) + 1));
    });
    if (messages.size) console.error(`  ${requests[0].method} ${requests[0].path}: request errors ${JSON.stringify([...messages])}`);
    return result;
  };
  await run(1); // warm-up (JIT, caches)
  const cpuBefore = cpuSeconds(serverPid);
  const result = await run(options.duration ?? DURATION);
  const cpuUs = ((cpuSeconds(serverPid) - cpuBefore) * 1e6) / Math.max(1, result.requests.total);
  return Object.assign(result, { cpuUs });
}

function row(target: string, endpoint: string, result: autocannon.Result & { cpuUs: number }, note?: string): Row {
  return {
    cpuUsPerRequest: result.cpuUs,
    target,
    endpoint,
    requests: result.requests.total,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    note,
  };
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

function recommendationsRequest(t: Target, n = 10): autocannon.Request[] {
  return Array.from({ length: POOL }, () => ({
    method: 'POST' as const,
    path: '/recommendations',
    headers: json,
    body: JSON.stringify({ user_id: pick(t.userIds), n_recommendations: n }),
  }));
}

/**
 * An open-loop driver at a fixed offered rate (autocannon's overallRate/connectionRate send in
 * bursts and report the waiting time as latency, measured: p99 ~370 ms where one connection saw
 * 3 ms). Requests are sent on schedule over keep-alive sockets whatever the server's speed, and each
 * latency is measured from its scheduled send time (no coordinated omission).
 */
async function pacedRun(url: string, requests: autocannon.Request[], rate: number, seconds: number): Promise<autocannon.Result & { cpuUs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const cpuBefore = cpuSeconds(serverPid);
  const elapsed = await paced(rate, seconds, async (i, scheduled) => {
    const r = requests[i % requests.length];
    const { status } = await sendJson(agent, url, r.method ?? 'GET', r.path ?? '/', r.body as string | undefined);
    latencies.push(performance.now() - scheduled);
    if (status === 0) errors++;
    else if (status < 200 || status >= 300) non2xx++;
  });
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: { total: latencies.length, average: latencies.length / elapsed },
    latency: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) },
    non2xx,
    errors,
    timeouts: 0,
    cpuUs: ((cpuSeconds(serverPid) - cpuBefore) * 1e6) / Math.max(1, latencies.length),
  } as unknown as autocannon.Result & { cpuUs: number };
}

async function benchApi(label: string, url: string, t: Target, rows: Row[], rate?: number): Promise<void> {
  rows.push(row(label, 'POST /predict', await drive(url, predictRequest(t))));
  rows.push(row(label, 'POST /recommendations (n=10)', await drive(url, recommendationsRequest(t))));
  rows.push(row(label, 'POST /recommendations/new-user (fold-in)', await drive(url, newUserRequest(t))));
  if (rate) {
    rows.push(row(label, `POST /recommendations, 2 connections`, await drive(url, recommendationsRequest(t), { connections: 2 })));
    rows.push(row(label, `POST /recommendations paced ${rate} req/s`, await pacedRun(url, recommendationsRequest(t), rate, DURATION)));
  }
}

// --------------------------------------------------------------------------- the 20M-size model

/** Generates (once, cached by shape) the synthetic 20M-size model and its database. */
async function synthetic20m(): Promise<{ modelsDir: string; dataDir: string; note: string }> {
  const base = join(tmpdir(), `reelrank-bench-20m-${SHAPE_20M.users}x${SHAPE_20M.movies}x${SHAPE_20M.factors}-r${RATINGS_PER_USER}`);
  const modelsDir = join(base, 'models');
  const dataDir = join(base, 'data');
  const done = join(base, 'complete');
  const note = `SYNTHETIC random model ${SHAPE_20M.users}x${SHAPE_20M.movies}, k=${SHAPE_20M.factors}, ${RATINGS_PER_USER} ratings/user in the DB`;
  if (existsSync(done)) return { modelsDir, dataDir, note };
  rmSync(base, { recursive: true, force: true });
  console.error(`generating ${note} in ${base} ...`);
  const started = Date.now();
  const { users, movies, factors } = SHAPE_20M;
  let state = 42;
  const r = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const fill = (n: number, std: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = gauss() * std;
    return a;
  };
  const model: MfModel = {
    factors,
    globalMean: 3.53,
    userIds: Int32Array.from({ length: users }, (_, i) => i + 1),
    movieIds: Int32Array.from({ length: movies }, (_, i) => i + 1),
    userBias: fill(users, 0.3),
    movieBias: fill(movies, 0.4),
    userFactors: fill(users * factors, 0.12),
    movieFactors: fill(movies * factors, 0.12),
  };
  // Ratings: RATINGS_PER_USER distinct movies per user, skewed towards low ids (popular head).
  const total = users * RATINGS_PER_USER;
  const ratingUsers = new Int32Array(total);
  const ratingMovies = new Int32Array(total);
  const ratingValues = new Float32Array(total);
  const processed = join(dataDir, 'processed', 'synthetic');
  mkdirSync(processed, { recursive: true });
  const lines: string[] = ['userId,movieId,rating,timestamp'];
  let at = 0;
  const chosen = new Set<number>();
  for (let u = 1; u <= users; u++) {
    chosen.clear();
    while (chosen.size < RATINGS_PER_USER) chosen.add(1 + Math.floor(movies * r() ** 2));
    for (const m of [...chosen].sort((a, b) => a - b)) {
      const rating = Math.max(0.5, Math.min(5, Math.round((3.5 + gauss()) * 2) / 2));
      ratingUsers[at] = u;
      ratingMovies[at] = m;
      ratingValues[at++] = rating;
      lines.push(`${u},${m},${rating.toFixed(1)},${1_100_000_000 + at}`);
    }
  }
  writeFileSync(join(processed, 'ratings.csv'), `${lines.join('\n')}\n`);
  const movieLines = ['movieId,title,year,genres'];
  for (let m = 1; m <= movies; m++) {
    const year = 1920 + (m % 100);
    const g = [GENRES[m % GENRES.length], GENRES[(m * 7 + 3) % GENRES.length]].filter((x, i, all) => all.indexOf(x) === i);
    movieLines.push(`${m},Synthetic Movie ${m} (${year}),${year},${g.join('|')}`);
  }
  writeFileSync(join(processed, 'movies.csv'), `${movieLines.join('\n')}\n`);
  writeFileSync(join(processed, 'report.json'), JSON.stringify({ dataset: 'synthetic', dataHash: 'bench-synthetic-20m' }));
  await loadDatabase({ processedDir: processed, dbPath: join(dataDir, 'synthetic.db'), dataset: 'synthetic', log: () => undefined });
  rmSync(join(dataDir, 'processed'), { recursive: true, force: true });
  const popularity = computePopularity({ movieIds: ratingMovies, ratings: ratingValues }, { minRatings: 20, priorWeight: 10 });
  saveModelArtifacts(join(modelsDir, 'synthetic'), {
    model,
    popularity,
    manifest: {
      dataset: 'synthetic',
      createdAt: new Date().toISOString(),
      dataHash: 'bench-synthetic-20m',
      backend: 'synthetic-random (tools/bench-api.ts)',
      hyperParameters: { factors },
      training: { note: 'not trained: random factors of the ml-20m shape, for serving benchmarks only' },
      metrics: {},
    },
    metricsReport: { note: 'synthetic benchmark model' },
  });
  writeFileSync(done, new Date().toISOString());
  console.error(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { modelsDir, dataDir, note };
}

// --------------------------------------------------------------------------- main

function printTable(rows: Row[], hello: Row | undefined): void {
  const header = ['target', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', 'vs hello', 'server CPU us/req', 'non-2xx', 'errors'];
  const body = rows.map((r) => [
    r.target,
    r.endpoint,
    r.reqPerSec.toFixed(0),
    String(r.p50),
    String(r.p99),
    hello ? `${(r.reqPerSec / hello.reqPerSec).toFixed(2)}x` : '-',
    Number.isFinite(r.cpuUsPerRequest) ? (r.cpuUsPerRequest as number).toFixed(0) : '-',
    String(r.non2xx),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  console.error(`autocannon: ${CONNECTIONS} connections, ${DURATION} s per endpoint (+1 s warm-up), 127.0.0.1; API LOG_LEVEL=${LOG_LEVEL}`);

  if (ONLY.has('hello')) {
    const hello = await startChild('hello-world', ['-e', HELLO], {}, /listening on (http:\/\/[\d.]+:\d+)/);
    serverPid = hello.child.pid;
    rows.push(row('express hello-world', 'GET /', await drive(hello.url, [{ method: 'GET', path: '/' }])));
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
    } else dirs = { ...(await synthetic20m()), dataset: 'synthetic' };
    notes.push(`20M-size: ${dirs.note}`);
    const t = idsFromArtifacts(join(dirs.dataDir, `${dirs.dataset}.db`), join(dirs.modelsDir, dirs.dataset));
    const started = Date.now();
    const api = await startApi('api 20M-size', {
      REELRANK_DATASET: dirs.dataset,
      REELRANK_DATA_DIR: dirs.dataDir,
      REELRANK_MODELS_DIR: dirs.modelsDir,
    });
    notes.push(`20M-size: server start to ready ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await benchApi(`api 20M-size${args['model-20m'] ? '' : ' (synthetic)'}`, api.url, t, rows, RATE_20M);
    await api.stop();
  }

  const hello = rows.find((r) => r.target === 'express hello-world');
  console.log('');
  printTable(rows, hello);
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
  const goal = (ok: boolean, text: string) => console.log(`- goal ${ok ? 'MET   ' : 'MISSED'} ${text}`);
  const find = (target: string, endpoint: string) => rows.find((r) => r.target.startsWith(target) && r.endpoint.startsWith(endpoint));
  const predict = find('api ml-latest-small', 'POST /predict');
  const recs = find('api ml-latest-small', 'POST /recommendations (n=10)');
  const big = rows.filter(
    (r) => r.target.startsWith('api 20M-size') && r.endpoint.startsWith('POST /recommendations') && !r.endpoint.includes('new-user'),
  );
  if (hello && predict)
    goal(predict.reqPerSec >= 0.6 * hello.reqPerSec, `/predict >= 0.6x hello-world (${(predict.reqPerSec / hello.reqPerSec).toFixed(2)}x)`);
  if (hello && recs)
    goal(
      recs.reqPerSec >= 0.15 * hello.reqPerSec && recs.p99 <= 10,
      `/recommendations ml-latest-small >= 0.15x hello-world and p99 <= 10 ms (${(recs.reqPerSec / hello.reqPerSec).toFixed(2)}x, p99 ${recs.p99} ms)`,
    );
  if (big.length) {
    const ok = big.some((r) => r.reqPerSec >= 300 && r.p99 <= 20);
    goal(
      ok,
      `/recommendations 20M-size p99 <= 20 ms at >= 300 req/s (${big.map((r) => `${r.reqPerSec.toFixed(0)} req/s p99 ${r.p99} ms`).join('; ')})`,
    );
  }
  const bad = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (bad.length) console.log(`- WARNING: non-2xx or errors in ${bad.map((r) => `${r.target} ${r.endpoint}`).join(', ')}`);
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
