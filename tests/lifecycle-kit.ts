import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { WORKSPACE_ROOT } from '../tools/lib/processes';
import { until } from '../tools/lib/until';

/**
 * What the model-lifecycle specs share: asking every worker of a server which
 * model it serves, and the watcher as its npm script (`npm run retrain:watch`) in a process group of its own.
 */

/** GET /ready as an admin on a fresh connection (so a cluster's round-robin reaches each worker): who answered and the model it serves. */
export function readyAsAdmin(url: string, token: string): Promise<{ worker: string; version: string | null }> {
  return new Promise((done) => {
    const req = httpRequest(`${url}/ready`, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const worker = String(res.headers['x-worker-id'] ?? 'single');
        try {
          done({ worker, version: res.statusCode === 200 ? ((JSON.parse(body) as { model?: { version?: string } }).model?.version ?? null) : null });
        } catch {
          done({ worker, version: null });
        }
      });
    });
    req.setTimeout(2_000, () => req.destroy(new Error('no answer')));
    req.on('error', () => done({ worker: 'unreachable', version: null }));
    req.end();
  });
}

/**
 * Asks `url`'s /ready until `workers` distinct workers have each last answered with `version`, or fails
 * after `timeoutMs` naming what each worker served last.
 */
export async function untilEveryWorkerServes(
  url: string,
  token: string,
  version: string,
  options: { workers: number; timeoutMs: number; context: () => string },
): Promise<Map<string, string | null>> {
  const last = new Map<string, string | null>();
  const served = () => [...last.entries()].filter(([worker, v]) => worker !== 'unreachable' && v === version).length;
  await until(
    `${options.workers} worker(s) of ${url} to serve model ${version}`,
    async () => {
      for (const answer of await Promise.all(Array.from({ length: 2 * options.workers }, () => readyAsAdmin(url, token)))) {
        last.set(answer.worker, answer.version);
      }
      return served() >= options.workers;
    },
    options.timeoutMs,
    () => `last answers by worker: ${JSON.stringify(Object.fromEntries(last))}\n${options.context()}`,
  );
  return last;
}

export interface WatcherProcess {
  output(): string;
  /** The lines the watcher itself logged (the stages' own output left out). */
  lines(): string[];
  /** SIGTERM to its process group (npm and the watcher, which ends the stages it runs); resolves with npm's exit code once every process holding its output is gone. */
  stop(): Promise<number | null>;
}

/** `npm run retrain:watch` in the workspace with `env`, as an operator starts it. */
export function startWatcherScript(env: Record<string, string | undefined>): WatcherProcess {
  const child = spawn('npm', ['run', 'retrain:watch'], { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // 'close', not 'exit': npm may exit before the watcher has logged its last line.
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  return {
    output: () => output,
    lines: () => output.split('\n').filter((line) => line.includes(' retrain --watch (')),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
      return exited;
    },
  };
}
