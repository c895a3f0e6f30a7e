/**
 * `npm run bench:soak` (tsx tools/bench-soak.ts): load and soak test of the API.
 *
 *   1. Starts the API (apps/api/src/main.ts, a child process, one Node process) on 127.0.0.1 with
 *      the ml-latest-small model (models/ml-latest-small + data/ml-latest-small.db; build them with
 *      `npm run pipeline` (it downloads ml-latest-small; offline: `MOVIELENS_SOURCE=/path/to/ml-latest-small npm run pipeline`).
 *   2. Measures capacity: a short closed-loop autocannon burst (--capacity-seconds, --connections)
 *      on the request mix, after a warm-up.
 *   3. Soaks: --duration seconds open-loop at --fraction of that capacity (autocannon overallRate)
 *      on the same mix: POST /recommendations (random user, n 10) and POST /predict (random user and
 *      catalogue movie), half each, from a pool of 4,096 prebuilt bodies.
 *   4. Samples the server's RSS every second (VmRSS of /proc/<pid>/status) and every response's
 *      latency, and prints a table per 10 s window plus the verdict: zero errors (non-2xx, socket
 *      errors, timeouts), RSS growth first vs last 10 s < 10 %, p99 spread across windows.
 *
 * Bounded: the whole run takes capacity + duration + ~10 s and stops by itself; exit code 1 when
 * a check fails. Options: --duration=60 --capacity-seconds=8 --fraction=0.8 --connections=10 --window=10
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { seededRandom } from '@reelrank/random';
import { getAllMovies, openDatabase } from '@reelrank/database';
import { readModelManifest } from '@reelrank/model';
import { startApi } from './lib/processes';
import { rssKiB } from './lib/proc-stats';
import { parseFlags } from './lib/bench-kit';

const root = resolve(__dirname, '..');
const args = parseFlags();
const DURATION = Number(args.duration ?? 60);
const CAPACITY_SECONDS = Number(args['capacity-seconds'] ?? 8);
const FRACTION = Number(args.fraction ?? 0.8);
const CONNECTIONS = Number(args.connections ?? 10);
const WINDOW = Number(args.window ?? 10);
const DATASET = 'ml-latest-small';
const MODEL_DIR = join(root, 'models', DATASET);
const DB_PATH = join(root, 'data', `${DATASET}.db`);

// The API child is killed on exit by tools/lib/api-process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
// The whole run is bounded: a hung server or client cannot keep it alive.
setTimeout(
  () => {
    console.error('bench:soak: overall time limit reached, stopping');
    process.exit(2);
  },
  (CAPACITY_SECONDS + DURATION + 120) * 1000,
).unref();

/** 4,096 request bodies: half /recommendations, half /predict, random users (a few unknown) and catalogue movies. */
function requestPool(users: number, movieIds: number[]): Array<{ path: string; body: string }> {
  const rand = seededRandom(0x9e3779b9);
  const user = () => 1 + Math.floor(rand() * users * 1.02); // ~2 % unknown users: the cold-start path
  return Array.from({ length: 4096 }, (_, i) =>
    i % 2 === 0
      ? { path: '/recommendations', body: JSON.stringify({ user_id: user(), n_recommendations: 10 }) }
      : { path: '/predict', body: JSON.stringify({ user_id: user(), movie_id: movieIds[Math.floor(rand() * movieIds.length)] }) },
  );
}

interface Sample {
  t: number; // ms since the soak started
  latency: number; // ms
  ok: boolean;
}

function runAutocannon(
  url: string,
  pool: Array<{ path: string; body: string }>,
  options: { duration: number; overallRate?: number; onResponse?: (s: Sample) => void; started?: () => number },
) {
  let next = 0;
  const counts = { non2xx: 0, socketErrors: 0 };
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration: options.duration,
    overallRate: options.overallRate,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const item = pool[next++ % pool.length];
          return { ...request, path: item.path, body: item.body };
        },
      },
    ],
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    const ok = statusCode >= 200 && statusCode < 300;
    if (!ok) counts.non2xx += 1;
    options.onResponse?.({ t: options.started ? options.started() : 0, latency: responseTime, ok });
  });
  instance.on('reqError', () => {
    counts.socketErrors += 1;
  });
  return { done: instance as Promise<autocannon.Result>, counts };
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function main(): Promise<void> {
  if (!existsSync(join(MODEL_DIR, 'model.json')) || !existsSync(DB_PATH)) {
    console.error(
      `bench:soak needs the ml-latest-small model: ${MODEL_DIR}/model.json and ${DB_PATH}.\n` +
        'Build them with: `npm run pipeline` (it downloads ml-latest-small; offline: `MOVIELENS_SOURCE=/path/to/ml-latest-small npm run pipeline`)',
    );
    process.exit(1);
  }
  const manifest = readModelManifest(MODEL_DIR);
  const conn = openDatabase(DB_PATH, { readonly: true });
  const movieIds = getAllMovies(conn).map((m) => m.movieId);
  conn.close();
  const pool = requestPool(manifest.users, movieIds);

  const api = await startApi({ name: 'the API', readyTimeoutMs: 60_000 });
  const { child, url } = api;
  const pid = child.pid!;
  console.log(
    `API pid ${pid} at ${url}: model ${manifest.version} (${manifest.users} users, ${manifest.movies} movies), ${movieIds.length} catalogue movies`,
  );

  // Capacity: warm-up, then a closed-loop burst.
  await runAutocannon(url, pool, { duration: 2 }).done;
  const burst = runAutocannon(url, pool, { duration: CAPACITY_SECONDS });
  const capacityResult = await burst.done;
  const capacity = capacityResult.requests.average;
  const rate = Math.max(1, Math.round(capacity * FRACTION));
  console.log(
    `capacity: ${fmt(capacity, 0)} req/s over ${CAPACITY_SECONDS} s with ${CONNECTIONS} connections (p50 ${capacityResult.latency.p50} ms, p99 ${capacityResult.latency.p99} ms, non-2xx ${burst.counts.non2xx}, errors ${capacityResult.errors}); soaking ${DURATION} s at ${rate} req/s (${Math.round(FRACTION * 100)} %)`,
  );

  // Soak, sampling RSS every second.
  const samples: Sample[] = [];
  const rss: Array<{ t: number; kib: number }> = [];
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  const first = rssKiB(pid);
  if (first !== undefined) rss.push({ t: 0, kib: first });
  const sampler = setInterval(() => {
    const kib = rssKiB(pid);
    if (kib !== undefined) rss.push({ t: elapsed(), kib });
  }, 1000);
  const soak = runAutocannon(url, pool, { duration: DURATION, overallRate: rate, onResponse: (s) => samples.push(s), started: elapsed });
  const result = await soak.done;
  clearInterval(sampler);
  const seconds = elapsed() / 1000;

  // Per-window table.
  const windows = Math.ceil(DURATION / WINDOW);
  const rows: string[][] = [];
  const p99s: number[] = [];
  for (let w = 0; w < windows; w++) {
    const from = w * WINDOW * 1000;
    const to = (w + 1) * WINDOW * 1000;
    const inWindow = samples.filter((s) => s.t >= from && s.t < to);
    const lat = inWindow.map((s) => s.latency).sort((a, b) => a - b);
    const r = rss.filter((s) => s.t >= from && s.t < to).map((s) => s.kib);
    const p99 = quantile(lat, 0.99);
    if (lat.length) p99s.push(p99);
    rows.push([
      `${w * WINDOW}-${Math.min((w + 1) * WINDOW, DURATION)} s`,
      String(inWindow.length),
      fmt(inWindow.length / WINDOW, 0),
      String(inWindow.filter((s) => !s.ok).length),
      fmt(quantile(lat, 0.5), 2),
      fmt(p99, 2),
      fmt(lat.length ? lat[lat.length - 1] : NaN, 1),
      r.length ? fmt(r.reduce((a, b) => a + b, 0) / r.length / 1024, 1) : '-',
    ]);
  }
  const header = ['window', 'requests', 'req/s', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'RSS MiB'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rssFirst = mean(rss.filter((s) => s.t < WINDOW * 1000).map((s) => s.kib));
  const rssLast = mean(rss.filter((s) => s.t >= (DURATION - WINDOW) * 1000).map((s) => s.kib));
  const growth = (100 * (rssLast - rssFirst)) / rssFirst;
  const errors = soak.counts.non2xx + soak.counts.socketErrors + result.errors + result.timeouts;
  const p99Spread = Math.max(...p99s) / Math.min(...p99s);
  const checks = [
    {
      name: 'zero errors (non-2xx + socket errors + timeouts)',
      ok: errors === 0,
      value: `${soak.counts.non2xx} non-2xx, ${soak.counts.socketErrors + result.errors} socket errors, ${result.timeouts} timeouts`,
    },
    {
      name: 'RSS growth first vs last 10 s < 10 %',
      ok: growth < 10,
      value: `${fmt(rssFirst / 1024)} -> ${fmt(rssLast / 1024)} MiB (${growth >= 0 ? '+' : ''}${fmt(growth)} %)`,
    },
    {
      name: 'p99 stable (max/min window p99 < 3)',
      ok: p99Spread < 3,
      value: `${fmt(Math.min(...p99s), 2)}..${fmt(Math.max(...p99s), 2)} ms (x${fmt(p99Spread, 2)})`,
    },
    // Informational: on a shared 2-core machine the load generator competes with the server.
    {
      name: 'offered rate achieved (>= 95 %)',
      ok: samples.length / seconds >= 0.95 * rate,
      value: `${fmt(samples.length / seconds, 0)} of ${rate} req/s`,
      informational: true,
    },
  ];
  console.log('');
  console.log(
    `duration ${fmt(seconds)} s, ${samples.length} requests (${result.requests.total} sent), target ${rate} req/s = ${Math.round(FRACTION * 100)} % of ${fmt(capacity, 0)} req/s capacity, ${CONNECTIONS} connections, overall p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
  );
  for (const c of checks) console.log(`${c.ok ? 'PASS' : 'informational' in c ? 'WARN' : 'FAIL'}  ${c.name}: ${c.value}`);

  await api.stop(5000);
  process.exit(checks.every((c) => c.ok || 'informational' in c) ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`bench:soak failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
});
