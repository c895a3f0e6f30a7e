/**
 * `npm run bench:abuse` (tsx tools/bench-abuse.ts): one abusive client against a well-behaved one.
 *
 * For each scenario of tools/lib/abuse-scenarios.ts, a fresh API server (apps/api/src/main.ts, one
 * process, a fresh ratings store in the OS temp folder, the default limits unless the scenario lifts
 * them) on a data set's model, a `service` API key in its key store (`reelrank keys create --role
 * service`, the CLI an operator runs) for the abuser; then for --seconds, at once:
 *
 *   abuser   the scenario's requests at full speed (--abuser-loops closed loops, each sending its next
 *            request as soon as it has an answer) from 127.0.0.2, in a process of its
 *            own (this file with --abuser=<scenario>: its JSON tallies on stdout), so building its
 *            bodies does not delay the measuring client;
 *   good     POST /recommendations of data-set users paced at --rate req/s from 127.0.0.1 (open loop,
 *            latency from each request's scheduled send: tools/lib/bench-kit.ts `paced`);
 *   health   GET /health paced at 20/s from 127.0.0.1.
 *
 * Prints one table: per scenario the abusive requests by answer (2xx, 429, other 4xx), /health p50,
 * p99 and max and the good client's p50 and p99, against the goals (p99 <= 100 ms and <= 50 ms), the server's own event-loop delay
 * (tools/lib/event-loop-probe.mjs, loaded with NODE_OPTIONS), the server's CPU (share of one core)
 * and the machine's busy share (all cores, other jobs included: a busy machine delays every answer; the
 * reference scenario without abuse shows what the machine gives at the time), and per route what the
 * abuser got.
 *
 * Data: --dataset=synthetic-small (default; built with the stages into data/ and models/ when missing).
 * A scenario during which this process itself (which does little) was held up for a second or more is
 * run again (--retries times): the whole machine stood still then (a paused VM), and its figures say
 * nothing about the server.
 *
 * Options: --seconds=20 --rate=200 --abuser-loops=2 --only=<scenario names, comma separated> --log-level=warn --retries=2
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { openSqliteRatingsStore } from '@reelrank/feedback';
import { seededRandom } from '@reelrank/random';
import { ABUSE_SCENARIOS, type AbuseScenario } from './lib/abuse-scenarios';
import { cliOutput } from './lib/cli-output';
import { idsFromArtifacts, markdownTable, paced, parseFlags, positiveIntFlag, quantile, sendJson } from './lib/bench-kit';
import { cpuSeconds, machineBusySeconds } from './lib/proc-stats';
import { runStageProcess, startApi, WORKSPACE_ROOT } from './lib/processes';

const args = parseFlags();
const DATASET = args.dataset ?? 'synthetic-small';
const SECONDS = positiveIntFlag('seconds', args.seconds, 20);
const RATE = positiveIntFlag('rate', args.rate, 200);
const ONLY = args.only ? new Set(args.only.split(',')) : undefined;
const LOOPS = positiveIntFlag('abuser-loops', args['abuser-loops'], 2);
const HEALTH_RATE = 20;
const RETRIES = positiveIntFlag('retries', args.retries, 2);
/** A hold-up of the measuring process itself this long means the whole machine stalled. */
const STALL_MS = 1000;
const GOALS = { health: 100, good: 50 };

const dataDir = join(WORKSPACE_ROOT, 'data');
const modelsDir = join(WORKSPACE_ROOT, 'models');

async function ensureArtifacts(): Promise<void> {
  if (existsSync(join(dataDir, `${DATASET}.db`)) && existsSync(join(modelsDir, DATASET, 'model.json'))) return;
  const logDir = mkdtempSync(join(tmpdir(), 'reelrank-bench-abuse-logs-'));
  for (const stage of ['ingest', 'database', 'trainer']) {
    console.error(`building ${DATASET}: ${stage} stage (log ${join(logDir, `${stage}.log`)})`);
    await runStageProcess(stage, `packages/${stage}/src/main.ts`, { ...process.env, REELRANK_DATASET: DATASET }, join(logDir, `${stage}.log`));
  }
}

interface Outcome {
  scenario: AbuseScenario;
  byRoute: Map<string, Map<number, number>>;
  health: number[];
  good: number[];
  goodFailed: number;
  notes: string[];
  /** Over the measured window: the server's CPU share of one core, and the whole machine's busy share of all cores (others' jobs too). */
  serverCpu: number;
  machineBusy: number;
  /** The longest this (lightly loaded) measuring process was held up in the window, ms: seconds mean the whole machine stood still. */
  machineStall: number;
  /** The server's event-loop delay over the window (tools/lib/event-loop-probe.mjs): the largest of its half-second p99s, and the max. */
  loopDelay: { p99: number; max: number };
}

/** `reelrank keys create --role service` on the server's store: the key it prints once. */
async function createServiceKey(env: Record<string, string>): Promise<string> {
  const out = await cliOutput({ ...process.env, ...env }, 'keys', '--json', 'create', '--role', 'service', '--name', 'bench-abuse');
  return (JSON.parse(out) as { key: string }).key;
}

async function runScenario(scenario: AbuseScenario, ids: { userIds: Int32Array; movieIds: Int32Array }): Promise<Outcome> {
  const storeDir = mkdtempSync(join(tmpdir(), 'reelrank-bench-abuse-'));
  const adminToken = randomBytes(24).toString('hex');
  const storeEnv = {
    REELRANK_DATASET: DATASET,
    REELRANK_DATA_DIR: dataDir,
    REELRANK_MODELS_DIR: modelsDir,
    REELRANK_RATINGS_DB: join(storeDir, `${DATASET}.ratings.db`),
  };
  const serviceKey = await createServiceKey(storeEnv);
  if (scenario.seed) {
    const store = openSqliteRatingsStore(storeEnv.REELRANK_RATINGS_DB);
    try {
      await scenario.seed(store, ids.movieIds);
    } finally {
      await store.close();
    }
  }
  const api = await startApi({
    name: `api (${scenario.name})`,
    logLevel: args['log-level'] ?? 'warn',
    env: {
      ...storeEnv,
      REELRANK_ADMIN_TOKEN: adminToken,
      DATABASE_URL: undefined,
      NODE_OPTIONS: `--import ${join(__dirname, 'lib', 'event-loop-probe.mjs')}`,
      ...scenario.env,
    },
  });
  const outcome: Outcome = {
    scenario,
    byRoute: new Map(),
    health: [],
    good: [],
    goodFailed: 0,
    notes: [],
    serverCpu: NaN,
    machineBusy: NaN,
    loopDelay: { p99: NaN, max: NaN },
    machineStall: NaN,
  };
  const good = new Agent({ keepAlive: true, maxSockets: 64, localAddress: '127.0.0.1' });
  const random = seededRandom(2026);
  try {
    // Warm-up (JIT): 2 s of the good client alone, not counted.
    await paced(RATE, 2, async () => void (await sendJson(good, api.url, 'POST', '/recommendations', recommendBody(ids.userIds, random))));
    const attack = abuserProcess(scenario, api.url, { adminToken, serviceKey }, outcome);
    await attack.started;
    const before = { at: performance.now(), server: cpuSeconds([api.child.pid]), machine: machineBusySeconds(), output: api.output() };
    const ownDelay = monitorEventLoopDelay({ resolution: 20 });
    ownDelay.enable();
    const goodClient = paced(RATE, SECONDS, async (_i, at) => {
      const { status, text } = await sendJson(good, api.url, 'POST', '/recommendations', recommendBody(ids.userIds, random));
      outcome.good.push(performance.now() - at);
      if (status !== 200) {
        outcome.goodFailed++;
        if (outcome.goodFailed <= 3) outcome.notes.push(`the good client got ${status}: ${text.slice(0, 160)}`);
      }
    });
    const health = paced(HEALTH_RATE, SECONDS, async (_i, at) => {
      await sendJson(good, api.url, 'GET', '/health');
      outcome.health.push(performance.now() - at);
    });
    await Promise.all([goodClient, health]);
    const seconds = (performance.now() - before.at) / 1000;
    outcome.serverCpu = (cpuSeconds([api.child.pid]) - before.server) / seconds;
    outcome.machineBusy = (machineBusySeconds() - before.machine) / seconds / availableParallelism();
    outcome.loopDelay = loopDelays(before.output, api.output());
    ownDelay.disable();
    outcome.machineStall = Math.round(ownDelay.max / 1e6);
    await attack.done;
  } finally {
    good.destroy();
    console.error(`${scenario.name}: stopping the server: ${await api.stop()}`);
    rmSync(storeDir, { recursive: true, force: true });
  }
  return outcome;
}

/** The abusive client: this file with --abuser, its answers tallied into `outcome` when it exits. */
function abuserProcess(
  scenario: AbuseScenario,
  url: string,
  secrets: { adminToken: string; serviceKey: string },
  outcome: Outcome,
): { started: Promise<void>; done: Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      __filename,
      `--abuser=${scenario.name}`,
      `--url=${url}`,
      `--seconds=${SECONDS}`,
      `--dataset=${DATASET}`,
      `--abuser-loops=${LOOPS}`,
    ],
    { cwd: WORKSPACE_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  child.stdin.end(JSON.stringify(secrets)); // not on the command line, where `ps` shows it
  let text = '';
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    if (text.includes('started\n')) started();
  });
  const done = new Promise<void>((resolve, reject) =>
    child.on('exit', (code) => {
      const last = text.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`the abusive client of ${scenario.name} exited ${code}:\n${text}`));
      const tallies = JSON.parse(last) as { byRoute: [string, [number, number][]][]; notes: string[] };
      for (const [route, counts] of tallies.byRoute) outcome.byRoute.set(route, new Map(counts));
      outcome.notes.push(...tallies.notes);
      started(); // in case it failed before saying so
      resolve();
    }),
  );
  return { started: startedPromise, done };
}

/** --abuser=<scenario>: the abusive client itself (prepare, run until the deadline, finish), its tallies as one JSON line. */
async function abuser(name: string): Promise<void> {
  const scenario = ABUSE_SCENARIOS.find((s) => s.name === name);
  if (!scenario || !args.url) throw new Error(`--abuser needs a scenario name and --url (got ${name}, ${args.url})`);
  const byRoute = new Map<string, Map<number, number>>();
  const notes: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 16, localAddress: '127.0.0.2' });
  const secrets = JSON.parse(await readStdin()) as { adminToken: string; serviceKey: string };
  const ctx = {
    url: args.url,
    agent,
    ...idsFromArtifacts(join(dataDir, `${DATASET}.db`), join(modelsDir, DATASET)),
    random: seededRandom(2027),
    ...secrets,
    deadline: 0,
    loops: LOOPS,
    tally(route: string, status: number) {
      const counts = byRoute.get(route) ?? new Map<number, number>();
      counts.set(status, (counts.get(status) ?? 0) + 1);
      byRoute.set(route, counts);
    },
    note: (text: string) => notes.push(text),
  };
  await scenario.prepare?.(ctx);
  ctx.deadline = performance.now() + SECONDS * 1000;
  console.log('started');
  await scenario.run(ctx);
  await scenario.finish?.(ctx);
  agent.destroy();
  console.log(JSON.stringify({ byRoute: [...byRoute].map(([route, counts]) => [route, [...counts]]), notes }));
}

/** The probe's lines printed between two snapshots of the server's output (the last 64 kB, so matched by overlap). */
function loopDelays(before: string, after: string): { p99: number; max: number } {
  const tail = before.slice(-2000);
  const at = tail ? after.lastIndexOf(tail) : -1;
  const fresh = at >= 0 ? after.slice(at + tail.length) : after;
  const lines = [...fresh.matchAll(/event-loop-delay p99=([\d.]+) max=([\d.]+)/g)];
  return { p99: Math.max(...lines.map((m) => Number(m[1]))), max: Math.max(...lines.map((m) => Number(m[2]))) };
}

const recommendBody = (userIds: Int32Array, random: () => number) =>
  JSON.stringify({ user_id: userIds[Math.floor(random() * userIds.length)], n_recommendations: 10 });

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

const at = (values: number[], p: number) =>
  quantile(
    [...values].sort((a, b) => a - b),
    p,
  );
const p99 = (values: number[]) => at(values, 0.99);
const maxOf = (values: number[]) => Math.round(Math.max(...values) * 10) / 10;

function summarize(outcome: Outcome): { ok: number; limited: number; refused: number; other: number } {
  const sum = { ok: 0, limited: 0, refused: 0, other: 0 };
  for (const counts of outcome.byRoute.values()) {
    for (const [status, n] of counts) {
      if (status >= 200 && status < 300) sum.ok += n;
      else if (status === 429) sum.limited += n;
      else if (status >= 400 && status < 500) sum.refused += n;
      else sum.other += n;
    }
  }
  return sum;
}

async function main(): Promise<void> {
  await ensureArtifacts();
  const ids = idsFromArtifacts(join(dataDir, `${DATASET}.db`), join(modelsDir, DATASET));
  const scenarios = ABUSE_SCENARIOS.filter((s) => !ONLY || ONLY.has(s.name));
  if (scenarios.length === 0) throw new Error(`--only names no scenario; there are: ${ABUSE_SCENARIOS.map((s) => s.name).join(', ')}`);
  const outcomes: Outcome[] = [];
  for (const scenario of scenarios) {
    console.error(`bench:abuse: ${scenario.name} (${SECONDS} s)`);
    let outcome = await runScenario(scenario, ids);
    // A machine that stood still (every process at once: a paused VM) measures nothing about the server: run again.
    for (let retry = 1; outcome.machineStall >= STALL_MS && retry <= RETRIES; retry++) {
      console.error(`${scenario.name}: the machine stood still for ${outcome.machineStall} ms (this process too); running it again`);
      outcome = await runScenario(scenario, ids);
    }
    if (outcome.machineStall >= STALL_MS)
      outcome.notes.push(`the machine stood still for ${outcome.machineStall} ms in every try: not a measurement of the server`);
    outcomes.push(outcome);
  }

  console.log('');
  console.log(
    markdownTable(
      [
        'scenario',
        'abusive requests',
        '2xx',
        '429',
        'other 4xx',
        '5xx/errors',
        '/health p50 / p99 / max ms',
        'good p50 / p99 ms',
        'good non-2xx',
        'server loop delay p99 / max ms',
        'server CPU',
        'machine busy',
        'measuring client held up ms',
        'goals',
      ],
      outcomes.map((o) => {
        const s = summarize(o);
        const met = p99(o.health) <= GOALS.health && p99(o.good) <= GOALS.good && o.goodFailed === 0;
        if (!met) process.exitCode = 1;
        return [
          o.scenario.name,
          String(s.ok + s.limited + s.refused + s.other),
          String(s.ok),
          String(s.limited),
          String(s.refused),
          String(s.other),
          `${at(o.health, 0.5)} / ${p99(o.health)} / ${maxOf(o.health)}`,
          `${at(o.good, 0.5)} / ${p99(o.good)}`,
          String(o.goodFailed),
          `${o.loopDelay.p99} / ${o.loopDelay.max}`,
          `${Math.round(o.serverCpu * 100)} %`,
          `${Math.round(o.machineBusy * 100)} %`,
          String(o.machineStall),
          o.machineStall >= STALL_MS ? 'machine stalled' : met ? 'met' : 'MISSED',
        ];
      }),
    ),
  );
  console.log('');
  console.log(
    `- ${DATASET}; one server process; ${SECONDS} s per scenario; the good client ${RATE} POST /recommendations/s and GET /health ${HEALTH_RATE}/s from 127.0.0.1, the abuser ${LOOPS} loop(s) at full speed from 127.0.0.2; goals: /health p99 <= ${GOALS.health} ms, good p99 <= ${GOALS.good} ms, no good request refused`,
  );
  const metCount = outcomes.filter((o) => p99(o.health) <= GOALS.health && p99(o.good) <= GOALS.good && o.goodFailed === 0).length;
  console.log(`- goals met in ${metCount} of ${outcomes.length} scenarios`);
  for (const o of outcomes) {
    console.log(`- ${o.scenario.name}: ${o.scenario.what}`);
    for (const [route, counts] of o.byRoute) {
      const answers = [...counts]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${n} x ${status === 0 ? 'socket error' : status}`)
        .join(', ');
      console.log(`  - ${route}: ${answers}`);
    }
    for (const note of o.notes) console.log(`  - ${note}`);
  }
}

(args.abuser ? abuser(args.abuser) : main())
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
