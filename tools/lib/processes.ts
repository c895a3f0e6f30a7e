import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { freePort } from './bench-kit';

/** The workspace root (tools/ lives in it). */
export const WORKSPACE_ROOT = resolve(__dirname, '..', '..');

export interface StartApiOptions {
  /** Shown in errors. */
  name: string;
  /** apps/api/src/main.ts (one process, default) or cluster.ts (a primary and `workers` workers). */
  script?: 'main.ts' | 'cluster.ts';
  /** Cluster mode: how many workers must answer /ready before the server counts as ready. */
  workers?: number;
  /** Extra environment (data set, folders, ...); HOST, PORT, NODE_ENV, LOG_LEVEL and REELRANK_METRICS_PORT (0) are set here. */
  env?: Record<string, string | undefined>;
  /** pino level of the server (default warn: load generators do not want a line per request). */
  logLevel?: string;
  /** Copy the server's stdout and stderr into this file (default: keep the last 64 kB in memory). */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface ApiProcess {
  name: string;
  child: ChildProcess;
  url: string;
  /** Seconds from spawn until every expected process answered GET /ready with 200. */
  startSeconds: number;
  /** What the server printed so far (the last 64 kB), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended ("exit 0", "killed", ...) once the log file is flushed. */
  stop(graceMs?: number): Promise<string>;
}

/**
 * Server env lifting every per-identity budget (config `identity.limits`): for load generators that are one
 * client writing as fast as they can (bench:feedback, outage tests), and for bench:abuse's fold storm
 * without budgets (what yielding alone does).
 */
export const LIFTED_BUDGETS: Record<string, string> = {
  REELRANK_LIMIT_FOLD_MAX_USERS: '1000',
  REELRANK_LIMIT_FOLD_RATINGS_PER_SECOND: '1000000',
  REELRANK_LIMIT_FOLD_RATINGS_BURST: '1000000',
  REELRANK_LIMIT_RATINGS_PER_SECOND: '1000000',
  REELRANK_LIMIT_RATINGS_BURST: '1000000',
  REELRANK_LIMIT_NEW_USERS_PER_HOUR: '1000000',
  REELRANK_LIMIT_NEW_USERS_BURST: '1000000',
};

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * The one way the tools start the API: `node --import tsx apps/api/src/<script>` on a free port of
 * 127.0.0.1 (no npx/tsx wrapper, so signals reach the server itself), then GET /ready until it
 * answers 200 (in cluster mode: until `workers` distinct x-worker-id values have answered). The
 * process is killed when the tool exits.
 */
export async function startApi(options: StartApiOptions): Promise<ApiProcess> {
  const script = options.script ?? 'main.ts';
  const workers = options.workers ?? 1;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(WORKSPACE_ROOT, 'apps', 'api', 'src', script)], {
    cwd: WORKSPACE_ROOT,
    // The metrics listener on any free port (many servers may run side by side), unless `env` names one.
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: options.logLevel ?? 'warn',
      REELRANK_METRICS_PORT: '0',
      ...options.env,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const log: WriteStream | undefined = options.logFile ? createWriteStream(options.logFile) : undefined;
  const collect = (chunk: Buffer) => {
    log?.write(chunk);
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const stop = async (graceMs = 15_000): Promise<string> => {
    if (child.exitCode !== null || child.signalCode !== null) return `already exited (${child.exitCode ?? child.signalCode})`;
    const closed = new Promise<string>((done) => child.once('exit', (code, signal) => done(`exit ${code ?? signal}`)));
    child.kill('SIGTERM');
    const timeout = new Promise<string>((done) => setTimeout(() => done('timeout'), graceMs).unref());
    let how = await Promise.race([closed, timeout]);
    if (how === 'timeout') {
      child.kill('SIGKILL');
      await closed;
      how = `did not stop within ${graceMs / 1000} s of SIGTERM; killed`;
    }
    if (log) await new Promise<void>((done) => log.end(() => done()));
    return how;
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 300_000);
  const seen = new Set<string>();
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}:\n${output}`);
    const answers = await Promise.all(Array.from({ length: workers === 1 ? 1 : 4 * workers }, () => readyProbe(url)));
    for (const answer of answers) if (answer.ready) seen.add(answer.worker ?? 'single');
    if (seen.size >= workers) {
      return { name: options.name, child, url, startSeconds: (performance.now() - started) / 1000, output: () => output, stop };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop(2_000);
  throw new Error(`${options.name} was not ready within ${(options.readyTimeoutMs ?? 300_000) / 1000} s:\n${output}`);
}

/** GET /ready on a fresh connection (so a cluster's round-robin reaches every worker). */
function readyProbe(url: string): Promise<{ ready: boolean; worker?: string }> {
  return new Promise((done) => {
    const req = httpRequest(`${url}/ready`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => done({ ready: res.statusCode === 200, worker: res.headers['x-worker-id'] as string | undefined }));
    });
    req.on('error', () => done({ ready: false })); // not listening yet
    req.end();
  });
}

export interface StageRun {
  name: string;
  seconds: number;
  /** The stage's last stdout line: its JSON summary (runStage). */
  summary: string;
}

/**
 * Runs one stage entry point (`packages/<stage>/src/main.ts`) as `node --import tsx`, its output
 * copied into `logFile`; rejects with the log's tail when it exits non-zero.
 */
export function runStageProcess(name: string, entry: string, env: NodeJS.ProcessEnv, logFile: string): Promise<StageRun> {
  const log = createWriteStream(logFile);
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(WORKSPACE_ROOT, entry)], {
      cwd: WORKSPACE_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let summary = '';
    let tail = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      const lines = chunk.toString().trim().split('\n').filter(Boolean);
      if (lines.length) summary = lines[lines.length - 1];
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      const seconds = (performance.now() - started) / 1000;
      log.end(() => {
        if (code === 0) done({ name, seconds, summary });
        else fail(new Error(`stage ${name} failed (exit ${code ?? signal}) after ${seconds.toFixed(1)} s; log ${logFile}:\n${tail}`));
      });
    });
  });
}
