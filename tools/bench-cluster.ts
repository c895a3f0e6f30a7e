/**
 * `npm run bench:cluster` (tsx tools/bench-cluster.ts): the API as one process (apps/api/src/main.ts)
 * against the cluster mode (apps/api/src/cluster.ts, REELRANK_WORKERS workers, default one per
 * core) on the trained ml-latest-small model (models/ml-latest-small + data/ml-latest-small.db;
 * build them with `npm run pipeline` (it downloads ml-latest-small; offline: `MOVIELENS_SOURCE=/path/to/ml-latest-small npm run pipeline`).
 *
 * Each target is driven by autocannon on 127.0.0.1 on POST /predict and POST /recommendations
 * (n=10): one warm-up second, then --duration seconds with --connections connections, random
 * known user ids and catalogue movie ids (a pool of 4,096 prebuilt bodies per endpoint). Prints
 * one table: req/s, p50, p99, the cores the server used (all processes of the target, from /proc)
 * and the cores autocannon used (this process), the cluster/single ratio, and the resident memory
 * (RSS) of every server process. "other load" is the CPU every other process on the machine used
 * during the run (from /proc/stat): anything above ~0.1 cores means the figures are disturbed.
 *
 * The load generator runs on the same machine: on a 2-core box it takes part of a core itself,
 * so the ratio is what this machine can show, not the ceiling of the cluster mode.
 *
 * Options: --duration=10 --connections=16 --workers=<n> (default os.availableParallelism())
 *          --log-level=warn
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { seededRandom } from '@reelrank/random';
import { startApi, type ApiProcess } from './lib/processes';
import { cpuSeconds, machineBusySeconds, processTree, rssKiB } from './lib/proc-stats';
import { idsFromArtifacts, parseFlags } from './lib/bench-kit';

const root = resolve(__dirname, '..');
const args = parseFlags();
const DURATION = Number(args.duration ?? 10);
const CONNECTIONS = Number(args.connections ?? 16);
const WORKERS = Number(args.workers ?? availableParallelism());
const LOG_LEVEL = args['log-level'] ?? 'warn';
const DATA_DIR = join(root, 'data');
const MODELS_DIR = join(root, 'models');
const DATASET = 'ml-latest-small';

/** Resident memory in MB (NaN when unreadable). */
function rssMB(pid: number): number {
  const kib = rssKiB(pid);
  return kib === undefined ? Number.NaN : Math.round(kib / 1024);
}

interface Target {
  name: string;
  child: ChildProcess;
  url: string;
  api: ApiProcess;
}

/** main.ts or cluster.ts, ready when every worker answered /ready with 200. */
async function start(name: string, script: 'main.ts' | 'cluster.ts', workers: number): Promise<Target> {
  const api = await startApi({
    name,
    script,
    workers,
    logLevel: LOG_LEVEL,
    env: { REELRANK_DATASET: DATASET, REELRANK_DATA_DIR: DATA_DIR, REELRANK_MODELS_DIR: MODELS_DIR, REELRANK_WORKERS: String(workers) },
  });
  return { name, child: api.child, url: api.url, api };
}

const rand = seededRandom(12345);
const pick = <T>(list: ArrayLike<T>): T => list[Math.floor(rand() * list.length)];
const json = { 'content-type': 'application/json' };

interface Measured {
  reqPerSec: number;
  p50: number;
  p99: number;
  cpuUs: number;
  /** The load generator's own CPU (this process), in cores. */
  loadgenCores: number;
  /** CPU used by everything else on the machine during the run, in cores (should be ~0). */
  otherCores: number;
  non2xx: number;
  errors: number;
}

async function drive(target: Target, requests: autocannon.Request[]): Promise<Measured> {
  const run = (duration: number) =>
    new Promise<autocannon.Result>((done, fail) => {
      autocannon({ url: target.url, connections: CONNECTIONS, duration, requests }, (error, res) => (error ? fail(error) : done(res)));
    });
  await run(1); // warm-up
  const pids = processTree(target.child.pid!);
  const before = cpuSeconds(pids);
  const ownBefore = process.cpuUsage();
  const machineBefore = machineBusySeconds();
  const started = performance.now();
  const result = await run(DURATION);
  const own = process.cpuUsage(ownBefore);
  const wall = (performance.now() - started) / 1000;
  const loadgenCores = (own.user + own.system) / 1e6 / wall;
  const serverSeconds = cpuSeconds(pids) - before;
  const otherCores = Math.max(0, (machineBusySeconds() - machineBefore - serverSeconds) / wall - loadgenCores);
  const cpuUs = (serverSeconds * 1e6) / Math.max(1, result.requests.total);
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs,
    loadgenCores,
    otherCores,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  if (!existsSync(join(DATA_DIR, `${DATASET}.db`)) || !existsSync(join(MODELS_DIR, DATASET, 'model.json'))) {
    console.error(
      `no ${DATASET} model: build it with \`npm run pipeline\` (it downloads ml-latest-small; offline: \`MOVIELENS_SOURCE=/path/to/ml-latest-small npm run pipeline\`)`,
    );
    process.exit(1);
  }
  const { userIds, movieIds } = idsFromArtifacts(join(DATA_DIR, `${DATASET}.db`), join(MODELS_DIR, DATASET));
  const POOL = 4096;
  const endpoints: Array<[string, autocannon.Request[]]> = [
    [
      'POST /predict',
      Array.from({ length: POOL }, () => ({
        method: 'POST' as const,
        path: '/predict',
        headers: json,
        body: JSON.stringify({ user_id: pick(userIds), movie_id: pick(movieIds) }),
      })),
    ],
    [
      'POST /recommendations (n=10)',
      Array.from({ length: POOL }, () => ({
        method: 'POST' as const,
        path: '/recommendations',
        headers: json,
        body: JSON.stringify({ user_id: pick(userIds), n_recommendations: 10 }),
      })),
    ],
  ];
  console.error(
    `autocannon on 127.0.0.1: ${CONNECTIONS} connections, 1 s warm-up + ${DURATION} s per endpoint; ${availableParallelism()} cores; cluster of ${WORKERS} workers; API LOG_LEVEL=${LOG_LEVEL}`,
  );

  const results = new Map<string, Measured>(); // `${target}|${endpoint}`
  const memory: string[] = [];
  const exits: string[] = [];
  for (const [name, script, workers] of [
    ['single', 'main.ts', 1],
    ['cluster', 'cluster.ts', WORKERS],
  ] as const) {
    const target = await start(name, script, workers);
    for (const [endpoint, requests] of endpoints) {
      results.set(`${name}|${endpoint}`, await drive(target, requests));
      console.error(`  ${name} ${endpoint}: ${results.get(`${name}|${endpoint}`)!.reqPerSec.toFixed(0)} req/s`);
    }
    const tree = processTree(target.child.pid!);
    memory.push(
      name === 'single'
        ? `single process: RSS ${rssMB(tree[0])} MB`
        : `cluster: primary RSS ${rssMB(tree[0])} MB, workers ${tree.slice(1).map(rssMB).join(' + ')} MB = ${tree.map(rssMB).reduce((a, b) => a + b, 0)} MB in all`,
    );
    exits.push(`${name}: SIGTERM -> ${await target.api.stop()}`);
  }

  const header = [
    'endpoint',
    'single req/s',
    'cluster req/s',
    'ratio',
    'single p50/p99 ms',
    'cluster p50/p99 ms',
    'server cores single/cluster',
    'autocannon cores single/cluster',
    'other load cores single/cluster',
    'non-2xx+errors',
  ];
  const rows = endpoints.map(([endpoint]) => {
    const s = results.get(`single|${endpoint}`)!;
    const c = results.get(`cluster|${endpoint}`)!;
    return [
      endpoint,
      s.reqPerSec.toFixed(0),
      c.reqPerSec.toFixed(0),
      `${(c.reqPerSec / s.reqPerSec).toFixed(2)}x`,
      `${s.p50}/${s.p99}`,
      `${c.p50}/${c.p99}`,
      `${((s.cpuUs * s.reqPerSec) / 1e6).toFixed(2)}/${((c.cpuUs * c.reqPerSec) / 1e6).toFixed(2)}`,
      `${s.loadgenCores.toFixed(2)}/${c.loadgenCores.toFixed(2)}`,
      `${s.otherCores.toFixed(2)}/${c.otherCores.toFixed(2)}`,
      String(s.non2xx + s.errors + c.non2xx + c.errors),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const m of memory) console.log(`- ${m}`);
  for (const e of exits) console.log(`- ${e}`);
  console.log(`- ${availableParallelism()} cores shared by the server processes and autocannon (${CONNECTIONS} connections, ${DURATION} s)`);
  const disturbed = [...results.values()].some((r) => r.otherCores > 0.15);
  if (disturbed) console.log('- WARNING: other processes used CPU during the run (column "other load"); rerun on a quiet machine');
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
