import { spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { GENERATED_DATASET, generatedMovieLensSource, readCatalogue, tempWorkspace } from '@reelrank/ingest/testing';
import { modelVersionDir } from '@reelrank/model';
import { leftovers, metricsPrint, outputsOf, paths, sha } from './fingerprints';

/**
 * Crash safety of the stages, as separate processes killed with SIGKILL (no handler runs, no
 * finally block, no cleanup): each stage - ingest from a local folder, database, train - is killed
 * at points measured from an uninterrupted run (15 %, 50 %, 90 % of its wall time) and when it
 * reaches a phase (a progress line on stderr: mid-copy, mid-parse, mid-DB-load, mid-training; or
 * its temp artifact appearing on disk: mid-artifact-write), both into an empty workspace and over a
 * previous good artifact. After each kill the artifact in place must be the previous one
 * (byte-identical / logically identical), none, or the complete new one - never a partial one; then
 * a re-run must succeed, leave no temp files, and produce outputs identical to the uninterrupted run
 * with the same seed (bytes for CSVs and weights; the manifest minus timing fields; SQLite as a
 * logical dump, since its bytes are not stable).
 *
 * Plus the server: a truncated weights file + SIGHUP keeps the previous model serving; a good one
 * + SIGHUP goes live. Nx caches only targets that exit 0, so a killed stage is never cached.
 *
 * The fingerprints compared are in ./fingerprints.ts. The kill matrix
 * shares one generated source and one uninterrupted reference run per stage (beforeAll); split
 * files would generate and run them again.
 */

const REPO = resolve(__dirname, '..', '..');
const ENTRY = {
  ingest: 'packages/ingest/src/main.ts',
  database: 'packages/database/src/main.ts',
  trainer: 'packages/trainer/src/main.ts',
} as const;
type Stage = keyof typeof ENTRY;
const DATASET = GENERATED_DATASET;
/** The served model's admin: /ready names the live version to an admin only (a strong token: weak ones are refused at start-up). */
const CRASH_ADMIN_TOKEN = 'crash-spec-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';

let sourceMain: string; // generated, 120 users (the run under test)
let sourceOther: string; // generated, 60 users, another seed (the "previous" ingest/database outputs)

function stageEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(REELRANK_|MOVIELENS_|PORT$|HOST$|NX_)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    REELRANK_ROOT: root,
    REELRANK_DATA_DIR: join(root, 'data'),
    REELRANK_MODELS_DIR: join(root, 'models'),
    MOVIELENS_SOURCE: sourceMain,
    REELRANK_TRAIN_FACTORS: '8',
    REELRANK_TRAIN_MAX_EPOCHS: '6',
    REELRANK_TRAIN_SEED: '42',
    NODE_ENV: 'production',
    ...extra,
  };
}

interface RunOptions {
  env?: Record<string, string>;
  killAfterMs?: number;
  killOnLine?: RegExp;
  killOnFile?: { dir: string; pattern: RegExp };
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
  /** What triggered the kill, when one fired before the process ended. */
  killedBy?: string;
}

/** Runs one stage as its own process (node --import tsx, so a SIGKILL hits the process doing the work). */
function runStage(stage: Stage, root: string, options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY[stage]], {
      cwd: REPO,
      env: stageEnv(root, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let killedBy: string | undefined;
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    const kill = (why: string) => {
      if (killedBy || child.exitCode !== null || child.signalCode !== null) return;
      killedBy = why;
      child.kill('SIGKILL');
    };
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.killOnLine && options.killOnLine.test(stderr)) kill(`line ${options.killOnLine}`);
    });
    if (options.killAfterMs !== undefined) timer = setTimeout(() => kill(`${options.killAfterMs} ms`), options.killAfterMs);
    if (options.killOnFile) {
      const { dir, pattern } = options.killOnFile;
      mkdirSync(dir, { recursive: true });
      watcher = watch(dir, (_event, name) => {
        if (name && pattern.test(String(name))) kill(`file ${name}`);
      });
    }
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      watcher?.close();
      resolvePromise({ code, signal, stderr, ms: Date.now() - started, killedBy: signal === 'SIGKILL' ? killedBy : undefined });
    });
  });
}

// ---------------------------------------------------------------- the matrix

interface KillPoint {
  name: string;
  /** Over a previous good artifact (else into an empty workspace). */
  previous: boolean;
  options: (root: string, referenceMs: number) => RunOptions;
}

const at = (fraction: number, previous: boolean): KillPoint => ({
  name: `${Math.round(fraction * 100)}% of run`,
  previous,
  options: (_root, ms) => ({ killAfterMs: Math.round(fraction * ms) }),
});

const POINTS: Record<Stage, KillPoint[]> = {
  ingest: [
    at(0.15, false),
    { name: 'mid-copy (copying line)', previous: true, options: () => ({ killOnLine: /\[ingest\] copying/ }) },
    { name: 'mid-parse (ratings progress line)', previous: false, options: () => ({ killOnLine: /\[ingest ratings\]/ }) },
    {
      name: 'mid-write (processed temp folder appears)',
      previous: true,
      options: (root) => ({ killOnFile: { dir: join(root, 'data', 'processed'), pattern: new RegExp(`^\\.${DATASET}\\..*\\.tmp$`) } }),
    },
    at(0.5, true),
    at(0.9, true),
  ],
  database: [
    at(0.15, false),
    { name: 'mid-DB-load (ratings.csv progress line)', previous: true, options: () => ({ killOnLine: /\[database ratings\.csv (parse|insert)\]/ }) },
    {
      name: 'mid-DB-write (temp db file appears)',
      previous: false,
      options: (root) => ({ killOnFile: { dir: join(root, 'data'), pattern: new RegExp(`^\\.${DATASET}\\.db\\..*\\.tmp$`) } }),
    },
    at(0.5, true),
    at(0.9, true),
  ],
  trainer: [
    at(0.15, false),
    { name: 'mid-training (epoch 2 line)', previous: true, options: () => ({ killOnLine: /svd\+\+ epoch 2\// }) },
    { name: 'mid-ranker-refit (refit line)', previous: true, options: () => ({ killOnLine: /\[train\] refit on all/ }) },
    {
      name: 'mid-artifact-write (weights temp appears)',
      previous: true,
      options: (root) => ({ killOnFile: { dir: paths(root).model, pattern: /^\.weights-.*\.tmp$/ } }),
    },
    {
      name: 'mid-artifact-write (model.json temp appears)',
      previous: true,
      options: (root) => ({ killOnFile: { dir: paths(root).model, pattern: /^\.model\.json\..*\.tmp$/ } }),
    },
    at(0.5, false),
    at(0.9, true),
  ],
};

describe('crash safety: SIGKILL at every stage, then re-run', () => {
  let reference: string; // uninterrupted run, seed 42
  let previousIngest: string; // a different, complete earlier state (60-user slice; seed 7 model)
  const referenceMs: Record<Stage, number> = { ingest: 0, database: 0, trainer: 0 };
  const expected: Partial<Record<Stage, Record<string, unknown>>> = {};
  const previousOutputs: Partial<Record<Stage, Record<string, unknown>>> = {};
  const matrix: string[] = [];

  beforeAll(async () => {
    sourceMain = await generatedMovieLensSource({ users: 120, movies: 800, ratings: 18_000, factors: 4 });
    sourceOther = await generatedMovieLensSource({ users: 60, movies: 800, ratings: 9_000, factors: 4, seed: 7 });
    reference = tempWorkspace();
    for (const stage of ['ingest', 'database', 'trainer'] as Stage[]) {
      const run = await runStage(stage, reference);
      if (run.code !== 0) throw new Error(`reference ${stage} failed: ${run.stderr}`);
      referenceMs[stage] = run.ms;
      expected[stage] = outputsOf(stage, reference);
    }
    // The "previous good" artifacts: ingest and database from a 60-user data set, a model with seed 7.
    previousIngest = tempWorkspace();
    for (const stage of ['ingest', 'database'] as Stage[]) {
      const run = await runStage(stage, previousIngest, { env: { MOVIELENS_SOURCE: sourceOther } });
      if (run.code !== 0) throw new Error(`previous ${stage} failed: ${run.stderr}`);
      previousOutputs[stage] = outputsOf(stage, previousIngest);
    }
    cpSync(join(reference, 'data'), join(previousIngest, 'data-main'), { recursive: true });
    const seed7 = tempWorkspace();
    cpSync(join(reference, 'data'), join(seed7, 'data'), { recursive: true });
    const run = await runStage('trainer', seed7, { env: { REELRANK_TRAIN_SEED: '7' } });
    if (run.code !== 0) throw new Error(`seed-7 training failed: ${run.stderr}`);
    cpSync(paths(seed7).model, join(previousIngest, 'model-seed7'), { recursive: true });
    previousOutputs.trainer = outputsOf('trainer', seed7);
    expect(previousOutputs.trainer).not.toEqual(expected.trainer);
    expect(previousOutputs.ingest).not.toEqual(expected.ingest);
  }, 90_000);

  afterAll(() => {
    console.log(`crash matrix (stage | kill point | over previous | killed by | left in place | re-run)\n${matrix.join('\n')}`);
  });

  /** A workspace holding the stage's inputs (from the reference) and, optionally, its previous output. */
  function workspaceFor(stage: Stage, previous: boolean): string {
    const root = tempWorkspace();
    const ref = paths(reference);
    const p = paths(root);
    if (stage !== 'ingest') {
      cpSync(ref.raw, p.raw, { recursive: true });
      cpSync(ref.processed, p.processed, { recursive: true });
    }
    if (stage === 'trainer') cpSync(ref.db, p.db);
    if (previous) {
      const prev = paths(previousIngest);
      if (stage === 'ingest') {
        cpSync(prev.raw, p.raw, { recursive: true });
        cpSync(prev.processed, p.processed, { recursive: true });
      }
      if (stage === 'database') cpSync(prev.db, p.db);
      if (stage === 'trainer') cpSync(join(previousIngest, 'model-seed7'), p.model, { recursive: true });
    }
    return root;
  }

  for (const stage of ['ingest', 'database', 'trainer'] as Stage[]) {
    describe(stage, () => {
      for (const point of POINTS[stage]) {
        it(`killed at ${point.name}${point.previous ? ' over a previous artifact' : ''}: previous, none or complete; the re-run is identical`, async () => {
          // The kill must happen, at the intended point: a stage that ends before it fired proves nothing.
          // A point at a share of the reference run's time is retried earlier (half, then a quarter of
          // that time) when the run was faster than the reference; a phase point that never fired fails.
          let root = '';
          let before: Record<string, unknown> = {};
          let prevMetrics: string | null = null;
          let killed: RunResult | undefined;
          for (let attempt = 0; !killed; attempt++) {
            root = workspaceFor(stage, point.previous);
            before = outputsOf(stage, root);
            prevMetrics = stage === 'trainer' ? metricsPrint(paths(root).model) : null;
            const options = point.options(root, referenceMs[stage] / 2 ** attempt);
            const run = await runStage(stage, root, options);
            if (run.signal === 'SIGKILL' && run.killedBy) killed = run;
            else if (options.killAfterMs === undefined || attempt === 2) {
              throw new Error(
                `${stage} was not killed at ${point.name}: it ended (exit ${run.code}, signal ${run.signal}) after ${run.ms} ms before the kill fired\n${run.stderr.slice(-2000)}`,
              );
            } else rmSync(root, { recursive: true, force: true });
          }
          expect(killed.signal).toBe('SIGKILL');
          expect(killed.code).toBeNull();
          const trigger = point.options(root, referenceMs[stage]);
          expect(killed.killedBy).toMatch(trigger.killOnLine ? /^line / : trigger.killOnFile ? /^file / : / ms$/);
          if (trigger.killOnLine) expect(killed.stderr).toMatch(trigger.killOnLine);

          // 1. What is in place right after the kill: per artifact, the previous one, none, or the new one.
          const after = outputsOf(stage, root);
          const states: string[] = [];
          for (const [key, value] of Object.entries(after)) {
            const was = before[key];
            const want = expected[stage]![key];
            const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
            const state = value === null ? 'none' : same(value, was) ? 'previous' : same(value, want) ? 'new' : 'PARTIAL';
            states.push(`${key}=${state}`);
            if (state === 'PARTIAL')
              throw new Error(
                `${stage} killed at ${point.name}: ${key} is neither the previous, nor absent, nor the complete new artifact\n${JSON.stringify({ before: was, after: value, expected: want }).slice(0, 2000)}`,
              );
          }
          if (stage === 'trainer') {
            // metrics.json is written just before model.json; it may be the new one beside the old model.json.
            const metrics = metricsPrint(paths(root).model);
            expect([prevMetrics, null, metricsPrint(paths(reference).model)]).toContainEqual(metrics);
          }

          // 2. The re-run completes, leaves no temp files, and reproduces the uninterrupted run.
          const rerun = await runStage(stage, root);
          if (rerun.code !== 0) throw new Error(`re-run of ${stage} failed after a kill at ${point.name}: ${rerun.stderr}`);
          expect(outputsOf(stage, root)).toEqual(expected[stage]);
          if (stage === 'trainer') {
            expect(metricsPrint(paths(root).model)).toEqual(metricsPrint(paths(reference).model));
            expect(readdirSync(paths(root).model).filter((n) => n.startsWith('weights-'))).toHaveLength(1);
          }
          expect(leftovers(root)).toEqual([]);
          matrix.push(
            `${stage} | ${point.name} | ${point.previous ? 'yes' : 'no'} | SIGKILL on ${killed.killedBy} after ${killed.ms} ms | ${states.join(', ')} | identical`,
          );
          rmSync(root, { recursive: true, force: true });
        }, 90_000);
      }
    });
  }

  it('a killed run that leaves temp files behind: the next run ignores and removes them', async () => {
    const root = workspaceFor('database', true);
    const p = paths(root);
    // Temp names of a dead process (pid 2^22+1 is above Linux's default pid_max): one for each writer.
    const dead = 4194305;
    mkdirSync(join(root, 'data', 'processed', `.${DATASET}.${dead}.deadbeef.tmp`), { recursive: true });
    writeFileSync(join(root, 'data', 'processed', `.${DATASET}.${dead}.deadbeef.tmp`, 'ratings.csv'), 'userId,movieId\n1,');
    writeFileSync(join(root, 'data', `.${DATASET}.db.${dead}.cafebabe.tmp`), 'SQLite format 3\0garbage');
    writeFileSync(join(root, 'data', `.${DATASET}.db.${dead}.cafebabe.tmp-journal`), 'x');
    const run = await runStage('database', root);
    expect(run.code).toBe(0);
    expect(outputsOf('database', root)).toEqual(expected.database);
    expect(existsSync(join(root, 'data', `.${DATASET}.db.${dead}.cafebabe.tmp`))).toBe(false);
    const ingest = await runStage('ingest', root);
    expect(ingest.code).toBe(0);
    expect(outputsOf('ingest', root)).toEqual(expected.ingest);
    expect(leftovers(root)).toEqual([]);
    expect(existsSync(p.processed)).toBe(true);
  }, 30_000);

  it('the download killed mid-transfer: no file in place, only the .part; the re-run resumes (Range) and verifies', async () => {
    // A 3 MB "zip" served slowly (64 KiB every 20 ms) with Range support, on 127.0.0.1.
    const payload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 24;
    const digest = sha(payload);
    const ranges: string[] = [];
    const server = createHttpServer((req, res) => {
      const match = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
      const start = match ? Number(match[1]) : 0;
      ranges.push(String(req.headers.range ?? 'none'));
      res.writeHead(match ? 206 : 200, {
        'content-type': 'application/zip',
        'content-length': String(payload.length - start),
        'accept-ranges': 'bytes',
        ...(match ? { 'content-range': `bytes ${start}-${payload.length - 1}/${payload.length}` } : {}),
      });
      let offset = start;
      const pump = () => {
        if (res.destroyed) return;
        if (offset >= payload.length) return void res.end();
        const end = Math.min(offset + 64 * 1024, payload.length);
        res.write(payload.subarray(offset, end));
        offset = end;
        setTimeout(pump, 20);
      };
      pump();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ml-latest-small.zip`;
    const dir = tempWorkspace();
    const dest = join(dir, 'data', 'raw', 'ml-latest-small.zip');
    const download = (killWhenPartOver?: number) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((done) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/download-child.ts', url, dest, digest, String(payload.length)], {
          cwd: REPO,
          env: stageEnv(dir),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.resume();
        const poll = killWhenPartOver
          ? setInterval(() => {
              if (existsSync(`${dest}.part`) && statSync(`${dest}.part`).size > killWhenPartOver) child.kill('SIGKILL');
            }, 5)
          : undefined;
        child.on('close', (code, signal) => {
          if (poll) clearInterval(poll);
          done({ code, signal, out });
        });
      });
    try {
      const killed = await download(1024 * 1024);
      expect(killed.signal).toBe('SIGKILL');
      expect(existsSync(dest)).toBe(false); // never a partial file under the real name
      const partial = statSync(`${dest}.part`).size;
      expect(partial).toBeGreaterThan(1024 * 1024);
      expect(partial).toBeLessThan(payload.length);

      const rerun = await download();
      expect(rerun.code).toBe(0);
      const result = JSON.parse(rerun.out);
      expect(result).toMatchObject({ resumed: true, sha256: digest, bytes: payload.length });
      expect(sha(readFileSync(dest))).toBe(digest);
      expect(existsSync(`${dest}.part`)).toBe(false);
      expect(ranges[0]).toBe('none');
      expect(ranges[ranges.length - 1]).toMatch(/^bytes=\d+-$/);
      matrix.push(
        `ingest | mid-download (.part over 1 MiB of 3 MiB) | no | SIGKILL at ${partial} bytes | zip=none, .part kept | resumed with ${ranges[ranges.length - 1]}, sha256 verified`,
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 30_000);

  describe('the server and a truncated model', () => {
    let api: ChildProcess | undefined;
    afterAll(() => {
      if (api && api.exitCode === null) api.kill('SIGKILL');
    });

    it('on SIGHUP refuses a truncated weights file and keeps serving the previous model; a good one then goes live', async () => {
      const root = tempWorkspace();
      cpSync(join(reference, 'data'), join(root, 'data'), { recursive: true });
      cpSync(join(reference, 'models'), join(root, 'models'), { recursive: true });
      const modelDir = paths(root).model;
      const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
        cwd: REPO,
        env: stageEnv(root, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REELRANK_ADMIN_TOKEN: CRASH_ADMIN_TOKEN }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      api = child;
      const lines: Array<Record<string, any>> = [];
      let stderr = '';
      const waiters: Array<{ test: (l: Record<string, any>) => boolean; resolve: (l: Record<string, any>) => void }> = [];
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          let line: Record<string, any>;
          try {
            line = JSON.parse(text);
          } catch {
            line = { msg: text };
          }
          lines.push(line);
          for (const w of [...waiters]) {
            if (!w.test(line)) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      });
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      const waitFor = (test: (l: Record<string, any>) => boolean, what: string) =>
        new Promise<Record<string, any>>((res, rej) => {
          const seen = lines.find(test);
          if (seen) return res(seen);
          const timer = setTimeout(
            () => rej(new Error(`timed out waiting for ${what}; stderr: ${stderr}; log: ${JSON.stringify(lines).slice(0, 2000)}`)),
            20_000,
          );
          waiters.push({ test, resolve: (l) => (clearTimeout(timer), res(l)) });
        });

      const listening = await waitFor((l) => typeof l.msg === 'string' && l.msg.includes('listening on'), 'the listening line');
      const base = String(listening.url).replace('localhost', '127.0.0.1');
      const ready = async () =>
        (await (await fetch(`${base}/ready`, { headers: { authorization: `Bearer ${CRASH_ADMIN_TOKEN}` } })).json()) as {
          model: { version: string };
        };
      const movieId = readCatalogue(sourceMain)[0].movieId; // a movie of the generated catalogue (its ids have gaps)
      const predictOk = async () => {
        const r = await fetch(`${base}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: 1, movie_id: movieId }),
        });
        const body = (await r.json()) as { predicted_rating: number };
        return r.status === 200 && body.predicted_rating >= 0.5 && body.predicted_rating <= 5;
      };
      const live = (await ready()).model.version;
      expect(live).toBe((expected.trainer!.model as { version: string }).version);
      expect(await predictOk()).toBe(true);

      // The server loads the registry's live version (the train stage registered it): damage that copy.
      const servedDir = modelVersionDir(paths(root).registry, live);
      if (!servedDir) throw new Error(`the live version ${live} is not in the registry ${paths(root).registry}`);
      // Truncate the weights file in place (what a crash mid-copy by a careless deployer looks like).
      const manifest = JSON.parse(readFileSync(join(servedDir, 'model.json'), 'utf8'));
      const weights = join(servedDir, manifest.weights.file);
      truncateSync(weights, Math.floor(statSync(weights).size / 2));
      child.kill('SIGHUP');
      const refused = await waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('SIGHUP'), 'the SIGHUP log line');
      expect(refused.msg).toMatch(/reload failed; keeping the current model/);
      expect(JSON.stringify(refused.err ?? {})).toMatch(/bytes|sha256/);
      expect((await ready()).model.version).toBe(live);
      expect(await predictOk()).toBe(true);
      expect((await fetch(`${base}/health`)).status).toBe(200);

      // A garbage model.json (half a JSON document) is refused the same way.
      const goodManifest = readFileSync(join(servedDir, 'model.json'));
      writeFileSync(join(servedDir, 'model.json'), goodManifest.subarray(0, 100));
      const before = lines.length;
      child.kill('SIGHUP');
      await waitFor((l) => lines.indexOf(l) >= before && typeof l.msg === 'string' && l.msg.startsWith('SIGHUP'), 'the second SIGHUP line');
      expect((await ready()).model.version).toBe(live);
      expect(await predictOk()).toBe(true);

      // A complete new model (weights first, model.json last) + SIGHUP goes live.
      rmSync(modelDir, { recursive: true });
      cpSync(join(previousIngest, 'model-seed7'), modelDir, { recursive: true });
      const next = (previousOutputs.trainer!.model as { version: string }).version;
      const after = lines.length;
      child.kill('SIGHUP');
      const swapped = await waitFor(
        (l) => lines.indexOf(l) >= after && typeof l.msg === 'string' && l.msg.startsWith('SIGHUP'),
        'the third SIGHUP line',
      );
      expect(swapped.msg).toContain(`model ${next} is live`);
      expect((await ready()).model.version).toBe(next);
      expect(await predictOk()).toBe(true);

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((res) => (child.exitCode !== null ? res(child.exitCode) : child.on('exit', (c) => res(c))));
      expect(code).toBe(0);
    }, 60_000);
  });
});
