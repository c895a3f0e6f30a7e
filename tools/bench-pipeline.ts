/**
 * Pipeline benchmark: the real stages, through Nx, on the deterministic synthetic MovieLens set (or a
 * MovieLens folder).
 *
 *   npm run bench:pipeline -- [--ratings 20000263 | --shape 32m | --movielens DIR] [--dir $TMPDIR/reelrank-bench] [--no-kernel] [--no-als]
 *                             [--train-only] [--als-factors 64] [--als-sweeps 3] [--kernel-epochs 20] [--kernel-factors 64] [--json PATH]
 *                             [--record]
 *
 * 1. Generates the synthetic source folder (packages/ingest synthetic.ts, seed 42; ml-20m's shape at
 *    20,000,263 ratings, users and movies scaled down for smaller --ratings; `--shape 32m`: ml-32m's
 *    shape, 32,000,204 ratings, 200,948 users, 87,585 movies) under --dir
 *    (synthetic-v<generator version>-<size>), unless it is already there. `--movielens DIR` takes a
 *    MovieLens folder instead (e.g. ml-latest-small): the data set is named after the folder.
 * 2. Runs the stages as `npm run pipeline` does (`nx run <stage>:pipeline`, the same targets and
 *    commands), one at a time and without the Nx cache, with REELRANK_DATASET=synthetic (or the folder's name),
 *    MOVIELENS_SOURCE=<the folder> and REELRANK_DATA_DIR / REELRANK_MODELS_DIR under --dir (nothing is
 *    written into the repository). Each stage is wrapped in /usr/bin/time -v: wall seconds and the peak
 *    RSS of its largest process (the stage's node process; Nx's own start-up is in the wall time).
 *    --train-only reruns only the train stage on the data of a previous run in --dir.
 * 3. Reads models/synthetic/metrics.json: epochs run, test RMSE / MAE, served-ranking P@10 / NDCG@10
 *    next to the most-rated list, the evaluated user sample and the stage's own timings.
 * 4. Floors, each in its own child process on the stage's database: the SGD kernel alone (trainMf on
 *    the parallel WASM SIMD path, --kernel-epochs epochs at k --kernel-factors, no validation) and
 *    implicit ALS alone (CG sweeps at k --als-factors): seconds per epoch / per sweep.
 * Prints one table. Timings depend on what else runs on the machine: run it on an idle one.
 * --record writes the train stage's figures to docs/benchmarks/train-<shape, nSIZE or data set>.json
 * (drawn by `npm run bench:charts` against Surprise's fit).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ML20M_SHAPE, ML32M_SHAPE, scaledMl20mShape, SYNTHETIC_GENERATOR_VERSION } from '@reelrank/ingest';
import { positiveIntFlag } from './lib/bench-kit';
import { benchRecord, writeBenchRecord } from './lib/bench-record';
import { cpuSecondsOf, peakRssKiB, spawnTimed } from './lib/time-v';
import { trainRecordResults } from './lib/train-record';

const ROOT = resolve(__dirname, '..');
const STAGES = ['ingest', 'database', 'trainer'] as const;

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

const int = positiveIntFlag;

interface Measured {
  seconds: number;
  cpuSeconds: number | null;
  peakRssBytes: number | null;
  /** The machine's 1-minute load average just before and just after. */
  loadAverage: { before: number; after: number };
  status: number;
  stderrTail: string;
}

/** Runs a command under /usr/bin/time -v (when present): wall seconds and max RSS of the largest child. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Measured {
  const before = loadavg()[0];
  const { result, seconds } = spawnTimed(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const stderr = result.stderr ?? '';
  writeFileSync(logFile, `${result.stdout ?? ''}\n${stderr}`);
  const rss = peakRssKiB(stderr);
  return {
    seconds,
    cpuSeconds: cpuSecondsOf(stderr) ?? null,
    loadAverage: { before, after: loadavg()[0] },
    peakRssBytes: rss === null ? null : rss * 1024,
    status: result.status ?? 1,
    stderrTail: stderr.split('\n').slice(-30).join('\n'),
  };
}

type Json = Record<string, any>;

async function floorPhase(phase: string, values: Record<string, string | boolean | undefined>): Promise<void> {
  // Child-process phases: imported lazily so the parent stays small.
  const { readTrainingData } = await import('@reelrank/trainer');
  const db = String(values.db);
  const t0 = performance.now();
  const { ratings } = readTrainingData(db);
  const readSeconds = (performance.now() - t0) / 1000;
  if (phase === 'kernel') {
    const { trainMf } = await import('@reelrank/trainer');
    const epochs = int('kernel-epochs', values['kernel-epochs'] as string | undefined, 20);
    const factors = int('kernel-factors', values['kernel-factors'] as string | undefined, 64);
    // The bench-train settings (pinned, not config/training.json).
    const hyper = {
      seed: 42,
      factors,
      maxEpochs: epochs,
      patience: epochs,
      learningRate: 0.015,
      learningRateDecay: 1,
      regularization: 0.05,
      biasRegularization: 0.05,
      initStd: 0.05,
    };
    const result = trainMf(ratings, null, hyper, { epochs, parallelMinRatings: 0, kernel: 'wasm' });
    const perEpoch = result.history.map((h) => h.seconds);
    process.stdout.write(
      `${JSON.stringify({ phase, readSeconds, kernel: result.kernel, threads: result.threads, epochs, factors, seconds: result.seconds, secondsPerEpoch: perEpoch.reduce((s, x) => s + x, 0) / perEpoch.length, trainRmse: result.history[result.history.length - 1].trainRmse })}\n`,
    );
  } else if (phase === 'als') {
    const { buildIndexing, implicitSettings, indexRatings, trainImplicitAls } = await import('@reelrank/trainer');
    const { loadConfig } = await import('@reelrank/config');
    const DEFAULT_IMPLICIT = implicitSettings(loadConfig().training);
    const indexing = buildIndexing(ratings);
    const data = indexRatings(ratings, indexing);
    const factors = int('als-factors', values['als-factors'] as string | undefined, 64);
    const sweeps = int('als-sweeps', values['als-sweeps'] as string | undefined, 3);
    const lines: string[] = [];
    const result = trainImplicitAls(data, indexing.users.ids.length, indexing.movies.ids.length, { ...DEFAULT_IMPLICIT, factors, sweeps }, (l) =>
      lines.push(l),
    );
    const sweepSeconds = lines.flatMap((l) => {
      const m = /sweep \d+\/\d+ ([\d.]+) s \(cpu ([\d.]+) s\)/.exec(l);
      return m ? [{ wall: Number(m[1]), cpu: Number(m[2]) }] : [];
    });
    process.stdout.write(
      `${JSON.stringify({ phase, readSeconds, factors, sweeps, cgSteps: DEFAULT_IMPLICIT.cgSteps, seconds: result.seconds, sweepSeconds, log: lines })}\n`,
    );
  } else throw new Error(`unknown --phase ${phase}`);
}

function childPhase(
  phase: 'kernel' | 'als',
  db: string,
  values: Record<string, string | boolean | undefined>,
  logFile: string,
): { measured: Measured; result: Json | null } {
  const flags = ['kernel-epochs', 'kernel-factors', 'als-factors', 'als-sweeps'].flatMap((f) =>
    values[f] === undefined ? [] : [`--${f}`, String(values[f])],
  );
  const measured = timed(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'tools/bench-pipeline.ts'), '--phase', phase, '--db', db, ...flags],
    process.env,
    logFile,
  );
  const line = readFileSync(logFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('{'));
  return { measured, result: line ? JSON.parse(line) : null };
}

const gib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024 ** 3).toFixed(2)} GiB`);
/** The goal's 3 GB is decimal (3e9 bytes), printed in GiB beside the measured peak. */
const RSS_GOAL_BYTES = 3e9;
const f4 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : 'n/a');

async function main(): Promise<void> {
  // Declarative: this tool's own flags for node:util parseArgs (alike other tools' tables by shape only).
  const { values } = parseArgs({
    options: {
      ratings: { type: 'string' },
      shape: { type: 'string' },
      dir: { type: 'string' },
      'no-kernel': { type: 'boolean' },
      'train-only': { type: 'boolean' },
      'no-als': { type: 'boolean' },
      'kernel-epochs': { type: 'string' },
      'kernel-factors': { type: 'string' },
      'als-factors': { type: 'string' },
      'als-sweeps': { type: 'string' },
      json: { type: 'string' },
      movielens: { type: 'string' },
      record: { type: 'boolean' },
      phase: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(readFileSync(__filename, 'utf8').split('*/')[0]);
    return;
  }
  if (values.phase) return floorPhase(values.phase, values);

  if (values.shape !== undefined && (values.shape !== '32m' || values.ratings !== undefined)) throw new Error('--shape takes 32m, without --ratings');
  if (values.movielens !== undefined && (values.shape !== undefined || values.ratings !== undefined))
    throw new Error('--movielens takes a MovieLens folder, without --shape or --ratings');
  const movielens = values.movielens === undefined ? null : resolve(values.movielens);
  if (movielens && !existsSync(join(movielens, 'ratings.csv'))) throw new Error(`--movielens: ${join(movielens, 'ratings.csv')} does not exist`);
  const ratings = values.shape ? ML32M_SHAPE.ratings : int('ratings', values.ratings, ML20M_SHAPE.ratings);
  const shape = values.shape ? { ...ML32M_SHAPE } : scaledMl20mShape(ratings);
  const dataset = movielens ? basename(movielens) : 'synthetic';
  const dir = resolve(values.dir ?? join(tmpdir(), 'reelrank-bench'));
  // The generator version in the folder names: a folder of an older generator is never reused.
  const size = values.shape ?? (ratings === ML20M_SHAPE.ratings ? '20m' : String(ratings));
  const tag = `v${SYNTHETIC_GENERATOR_VERSION}-${size}`;
  const source = movielens ?? join(dir, `synthetic-${tag}`);
  const work = join(dir, movielens ? `pipeline-${dataset}` : `pipeline-${tag}`);
  mkdirSync(work, { recursive: true });
  out(`# reelrank pipeline benchmark`);
  out(
    `node ${process.version}, ${cpus().length} cores; data: ${movielens ? source : `synthetic (seed 42) ${shape.ratings} ratings, ${shape.users} users, ${shape.movies} movies`}`,
  );

  // 1. The source folder (generated once, reused).
  if (movielens) err(`[bench] source ${source}`);
  else if (!existsSync(join(source, 'ratings.csv'))) {
    err(`[bench] generating ${source}`);
    const gen = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'packages/ingest/src/generate-synthetic.ts'),
        '--out',
        source,
        '--ratings',
        String(shape.ratings),
        '--users',
        String(shape.users),
        '--movies',
        String(shape.movies),
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (gen.status !== 0) throw new Error('generating the synthetic set failed');
  } else err(`[bench] reusing ${source}`);

  // 2. The stages through Nx, one at a time, never from the cache.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NX_NO_CLOUD: 'true',
    NX_DAEMON: 'false',
    NX_ISOLATE_PLUGINS: 'false', // as `npm run pipeline` runs Nx
    REELRANK_DATASET: dataset,
    MOVIELENS_SOURCE: source,
    REELRANK_DATA_DIR: join(work, 'data'),
    REELRANK_MODELS_DIR: join(work, 'models'),
  };
  const nx = join(ROOT, 'node_modules', '.bin', 'nx');
  const stages: Record<string, Measured> = {};
  for (const stage of STAGES) {
    if (values['train-only'] && stage !== 'trainer') {
      if (!existsSync(join(work, 'data', `${dataset}.db`)))
        throw new Error('--train-only needs a previous run of the ingest and database stages in --dir');
      continue;
    }
    err(`[bench] nx run ${stage}:pipeline`);
    const m = timed(
      nx,
      ['run', `${stage}:pipeline`, '--skip-nx-cache', '--excludeTaskDependencies', '--output-style=stream'],
      env,
      join(work, `${stage}.log`),
    );
    stages[stage] = m;
    if (m.status !== 0) throw new Error(`stage ${stage} failed (log ${join(work, `${stage}.log`)}):\n${m.stderrTail}`);
  }
  const modelDir = join(work, 'models', dataset);
  const metrics: Json = JSON.parse(readFileSync(join(modelDir, 'metrics.json'), 'utf8'));

  // 3. Floors in their own processes.
  const db = join(work, 'data', `${dataset}.db`);
  const kernel = values['no-kernel'] ? null : childPhase('kernel', db, values, join(work, 'kernel.log'));
  const als = values['no-als'] ? null : childPhase('als', db, values, join(work, 'als.log'));

  // 4. The table.
  const model = (name: RegExp) => (metrics.models as Json[]).find((m) => name.test(m.model)) ?? {};
  const mf = (metrics.models as Json[]).find((m) => m.model === metrics.plan?.rating?.label) ?? model(/^biased MF/);
  const served = model(/^served ranking/);
  const popular = model(/^most-rated/);
  const t = metrics.training ?? {};
  out();
  out(`| stage (nx run <stage>:pipeline) | wall s | peak RSS |`);
  out(`| --- | --- | --- |`);
  for (const stage of STAGES) if (stages[stage]) out(`| ${stage} | ${stages[stage].seconds.toFixed(1)} | ${gib(stages[stage].peakRssBytes)} |`);
  out();
  out(
    `train stage in-process: ${Number(t.seconds).toFixed(1)} s; timings ${JSON.stringify(Object.fromEntries(Object.entries(metrics.timings ?? {}).map(([k, v]) => [k, Number(Number(v).toFixed(2))])))}`,
  );
  const steps = (metrics.steps ?? {}) as Record<string, { wall: number; cpu: number }>;
  if (Object.keys(steps).length) {
    out();
    out(`| train step | wall s | cpu s |`);
    out(`| --- | --- | --- |`);
    for (const [step, time] of Object.entries(steps)) out(`| ${step} | ${time.wall.toFixed(2)} | ${time.cpu.toFixed(2)} |`);
    out();
  }
  out(
    `rating model ${t.ratingModel}, factors ${metrics.ratingHyperParameters?.factors ?? metrics.hyperParameters?.factors}; epochs run ${t.epochsRun}, best ${t.bestEpoch}; served model trained on ${t.trainedOn} (refit ${JSON.stringify(t.refit ?? null)})`,
  );
  out(
    `ranking metrics on ${metrics.test?.rankingUsersEvaluated ?? metrics.test?.rankingUsers} of ${metrics.test?.rankingUsers} test users; blend tuned on ${metrics.ranking?.tuning?.users} validation users`,
  );
  out();
  out(`| model | test RMSE | MAE | P@${metrics.k} | NDCG@${metrics.k} |`);
  out(`| --- | --- | --- | --- | --- |`);
  out(`| ${mf.model} | ${f4(mf.rmse)} | ${f4(mf.mae)} | ${f4(mf.precisionAtK)} | ${f4(mf.ndcgAtK)} |`);
  out(`| ${served.model} | | | ${f4(served.precisionAtK)} | ${f4(served.ndcgAtK)} |`);
  out(`| ${popular.model} | | | ${f4(popular.precisionAtK)} | ${f4(popular.ndcgAtK)} |`);
  out();
  if (kernel?.result) {
    const k = kernel.result;
    out(
      `floor, SGD kernel alone (${k.kernel}, ${k.threads} threads, k ${k.factors}, ${k.epochs} epochs on all ${ratings} ratings): ${k.seconds.toFixed(1)} s, ${k.secondsPerEpoch.toFixed(2)} s/epoch, peak RSS ${gib(kernel.measured.peakRssBytes)}`,
    );
  }
  if (als?.result) {
    const a = als.result;
    const walls = (a.sweepSeconds as Array<{ wall: number; cpu: number }>).map((s) => s.wall);
    const cpu = (a.sweepSeconds as Array<{ wall: number; cpu: number }>).map((s) => s.cpu);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
    out(
      `implicit ALS alone (CG ${a.cgSteps} steps, k ${a.factors}, ${a.sweeps} sweeps on all ${ratings} ratings): ${mean(walls).toFixed(2)} s/sweep wall (min ${Math.min(...walls).toFixed(2)}), ${mean(cpu).toFixed(2)} cpu-s/sweep, peak RSS ${gib(als.measured.peakRssBytes)}  [goal <= 5 s/sweep at 20M, k 64]`,
    );
  }
  const train = stages.trainer;
  out();
  out(
    `goals at 20M (here ${movielens ? t.ratings?.all : shape.ratings} ratings): train stage ${train.seconds.toFixed(1)} s [<= 60], ${gib(train.peakRssBytes)} [<= ${gib(RSS_GOAL_BYTES)} = 3 GB]; test RMSE ${f4(mf.rmse)} [<= 0.7222]; served NDCG ${f4(served.ndcgAtK)} vs most-rated ${f4(popular.ndcgAtK)} [>=]`,
  );
  const summary = {
    createdAt: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    shape: movielens ? null : shape,
    stages,
    metrics: {
      training: t,
      timings: metrics.timings,
      steps: metrics.steps,
      test: metrics.test,
      evaluationSample: metrics.evaluationSample,
      models: metrics.models,
    },
    kernelFloor: kernel ? { ...kernel.result, peakRssBytes: kernel.measured.peakRssBytes } : null,
    alsFloor: als ? { ...als.result, peakRssBytes: als.measured.peakRssBytes } : null,
  };
  const jsonPath = values.json ?? join(work, 'bench-pipeline.json');
  writeFileSync(jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
  err(`[bench] wrote ${jsonPath}`);
  if (values.record) {
    const manifest: Json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    const label = movielens ? dataset : /^\d+$/.test(size) ? `n${size}` : size;
    const synthetic = values.shape === '32m' ? 'ml-32m shape' : ratings === ML20M_SHAPE.ratings ? 'ml-20m shape' : 'ml-20m shape scaled down';
    const data = movielens ? dataset : `synthetic (seed 42), ${synthetic}`;
    const command = `npm run bench:pipeline -- ${recordedArgs(process.argv.slice(2)).join(' ')}`;
    writeBenchRecord(benchRecord(`train-${label}`, command, trainRecordResults(data, train, metrics, manifest)));
  }
}

/** The command line as a record keeps it: a scratch folder, or any absolute path, is this machine's, so the record names the flag, not the path. */
function recordedArgs(args: string[]): string[] {
  const pathFlags = new Set(['--dir', '--movielens', '--json']);
  return args.map((arg, i) => {
    const [flag, value] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [args[i - 1], arg];
    if (!pathFlags.has(flag) || (flag !== '--dir' && !isAbsolute(value))) return arg;
    const placeholder = `<${flag.slice(2)}>`;
    return arg.includes('=') ? `${flag}=${placeholder}` : placeholder;
  });
}

main().catch((error: unknown) => {
  err(`bench-pipeline failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
