import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../tools/lib/bench-kit';
import { WORKSPACE_ROOT } from '../tools/lib/processes';

/**
 * The commands a user types (`npm run pipeline`, `npm start`), run for real through Nx in this
 * repository, with the stages' data and models in a folder of their own under `.scratch/` inside the
 * workspace: inside it, so Nx caches and restores the stages exactly as on a user's clone, and with
 * one shared local cache (Nx's per-user cache, which every run of a spec and every clone shares).
 */
/** Nx colours its summary when it thinks a terminal (or CI) is watching; the specs read the words. */
const withoutColours = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

export interface NxWorkspace {
  /** The environment of every command: the folders, and what the spec adds. */
  env: Record<string, string | undefined>;
  dataDir: string;
  modelsDir: string;
  /**
   * `npm run <script> -- <args>`, to the end; exit code and the whole output. Asynchronous, so the
   * spec's own connections (to an API it started) see their sockets close meanwhile.
   */
  npmRun(script: string, args?: string[], extraEnv?: Record<string, string | undefined>): Promise<{ status: number | null; output: string }>;
  dispose(): void;
}

export function nxWorkspace(name: string, env: Record<string, string | undefined>): NxWorkspace {
  const folder = join(WORKSPACE_ROOT, '.scratch', `${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const dataDir = join(folder, 'data');
  const modelsDir = join(folder, 'models');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(modelsDir, { recursive: true });
  // The caller's own settings of these would point the stages elsewhere.
  const { REELRANK_ROOT: _r, REELRANK_RATINGS_DB: _db, DATABASE_URL: _u, ...outer } = process.env;
  const fullEnv = {
    ...outer,
    NX_NO_CLOUD: 'true',
    NX_DAEMON: 'false',
    NX_TUI: 'false',
    REELRANK_DATA_DIR: dataDir,
    REELRANK_MODELS_DIR: modelsDir,
    ...env,
  };
  return {
    env: fullEnv,
    dataDir,
    modelsDir,
    npmRun(script, args = [], extraEnv = {}) {
      const child = spawn('npm', ['run', script, '--', ...args], {
        cwd: WORKSPACE_ROOT,
        env: { ...fullEnv, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return new Promise((done) => child.once('close', (status) => done({ status, output: withoutColours(output) })));
    },
    dispose: () => rmSync(folder, { recursive: true, force: true }),
  };
}

export type NpmStartOutcome =
  { kind: 'serving'; url: string; output: () => string; stop(): Promise<number | null> } | { kind: 'exited'; code: number | null; output: string };

/**
 * `npm start -- <args>` (or `options.script`, e.g. start:cluster) on a free port of 127.0.0.1: resolves once GET /ready answers 200 (serving,
 * with a stop that sends SIGTERM to the whole process group, as a supervisor would) or once the
 * command exits (with its exit code), whichever comes first.
 */
export async function npmStart(
  env: Record<string, string | undefined>,
  args: string[] = [],
  options: { port?: number; timeoutMs?: number; script?: 'start' | 'start:cluster' } = {},
): Promise<NpmStartOutcome> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('npm', ['run', options.script ?? 'start', '--', ...args], {
    cwd: WORKSPACE_ROOT,
    // The metrics listener on a port of its own choosing: specs run side by side.
    env: { REELRANK_METRICS_PORT: '0', ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    if (ended) return { kind: 'exited', code: await exited, output: withoutColours(output) };
    // A probe never outlives the command, nor a second: what holds the port may accept and never answer.
    const probe = await Promise.race([ready(url), exited.then(() => false), new Promise<boolean>((done) => setTimeout(() => done(false), 1_000))]);
    if (probe) {
      return {
        kind: 'serving',
        url,
        output: () => withoutColours(output),
        stop: async () => {
          process.kill(-child.pid!, 'SIGTERM');
          return exited;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  process.kill(-child.pid!, 'SIGKILL');
  throw new Error(`npm run ${options.script ?? 'start'} neither served nor exited within ${(options.timeoutMs ?? 180_000) / 1000} s:\n${output}`);
}

function ready(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = httpRequest(`${url}/ready`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
    });
    req.setTimeout(1_000, () => req.destroy(new Error('no answer')));
    req.on('error', () => done(false));
    req.end();
  });
}
