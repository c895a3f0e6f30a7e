/**
 * `npx tsx tools/score-served.ts --split DIR --movielens DIR [--keep] [--concurrency N] [--skip-targets] [--json FILE] [--record]`
 *
 * Scores the model the API SERVES on a fixed train/test split, as a client does (see
 * tools/score-served.md):
 *   1. prepareSource: a temp source folder with DIR/train.csv as ratings.csv plus movies.csv,
 *      links.csv and tags.csv of the --movielens folder (the full catalogue).
 *   2. runStages: the real stage entry points (ingest, database, train) with MOVIELENS_SOURCE set
 *      to it and data/models in temp folders, so the workspace and the Nx cache are never touched.
 *   3. The API started as the tools start it (tools/lib/processes), ready on GET /ready.
 *   4. Over HTTP only: every test row through /predict/batch -> RMSE, MAE; every user with a
 *      relevant test movie through /recommendations -> P@10, R@10, NDCG@10, checked lists;
 *      the popularity baseline locally; all figures by the trainer's own metric functions.
 *   5. printReport: the table with the targets, stage timings; exit 1 on a missed target (unless
 *      --skip-targets) or on any API problem; the API stopped with SIGTERM and checked to close.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchRecord, writeBenchRecord } from './lib/bench-record';
import { runStageProcess, startApi, WORKSPACE_ROOT, type StageRun } from './lib/processes';
import {
  K,
  loadSplit,
  popularityBaseline,
  scoreServedRankings,
  scoreServedRatings,
  type ServedRanking,
  type ServedRatings,
  type Split,
} from './lib/served-scoring';

const TARGETS = { rmse: 0.85, mae: 0.655, ndcg: 0.205, precision: 0.16 };
const USAGE = 'usage: npx tsx tools/score-served.ts --split DIR --movielens DIR [--keep] [--concurrency N] [--skip-targets] [--json FILE] [--record]';

function options() {
  const { values } = parseArgs({
    options: {
      split: { type: 'string' },
      movielens: { type: 'string' },
      keep: { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '1' },
      'skip-targets': { type: 'boolean', default: false },
      json: { type: 'string' },
      record: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  /** A folder given as a flag that must hold `files`; no default and no fallback to another folder. */
  const folder = (flag: string, value: string | undefined, files: string[]) => {
    if (!value) throw new Error(`--${flag} DIR is required\n${USAGE}`);
    const dir = resolve(process.cwd(), value);
    for (const file of files) if (!existsSync(join(dir, file))) throw new Error(`--${flag}: ${join(dir, file)} does not exist`);
    return dir;
  };
  return {
    splitDir: folder('split', values.split, ['train.csv', 'test.csv']),
    movielensDir: folder('movielens', values.movielens, ['movies.csv', 'links.csv', 'tags.csv']),
    keep: values.keep,
    concurrency: Math.max(1, Number(values.concurrency) | 0),
    skipTargets: values['skip-targets'],
    json: values.json,
    record: values.record,
  };
}
type Options = ReturnType<typeof options>;

/** Step 1: the source folder the stages ingest, and the environment every child gets. */
function prepareSource(opts: Options) {
  const work = mkdtempSync(join(tmpdir(), 'reelrank-score-'));
  const source = join(work, 'source');
  mkdirSync(source);
  copyFileSync(join(opts.splitDir, 'train.csv'), join(source, 'ratings.csv'));
  for (const file of ['movies.csv', 'links.csv', 'tags.csv']) copyFileSync(join(opts.movielensDir, file), join(source, file));
  // Only the variables the checker sets: a stray REELRANK_TRAIN_* in this shell cannot change the model scored.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(REELRANK_|MOVIELENS_|PORT$|NX_)/.test(key)));
  Object.assign(env, {
    MOVIELENS_SOURCE: source,
    REELRANK_DATA_DIR: join(work, 'data'),
    REELRANK_MODELS_DIR: join(work, 'models'),
    REELRANK_ROOT: WORKSPACE_ROOT,
    NODE_ENV: 'production',
  });
  process.stdout.write(`split ${opts.splitDir}\ncatalogue ${opts.movielensDir}\nwork dir ${work}${opts.keep ? ' (kept)' : ''}\n`);
  return { work, env };
}

/** Step 2: ingest, database and train, each as its own process, timed. */
async function runStages(work: string, env: NodeJS.ProcessEnv): Promise<StageRun[]> {
  const runs: StageRun[] = [];
  for (const stage of ['ingest', 'database', 'trainer']) {
    process.stdout.write(`running ${stage} ... `);
    const run = await runStageProcess(stage, `packages/${stage}/src/main.ts`, env, join(work, `${stage}.log`));
    process.stdout.write(`${run.seconds.toFixed(1)} s\n`);
    runs.push(run);
  }
  return runs;
}

/** Steps 3-4: the API started, scored over HTTP, stopped; how it stopped is reported. */
async function scoreOverHttp(work: string, env: NodeJS.ProcessEnv, split: Split, opts: Options, problems: string[]) {
  // GET /ready names the model to an admin only: the API gets a token of this run's.
  const token = randomBytes(32).toString('hex');
  const apiEnv = { ...env, REELRANK_ADMIN_TOKEN: token };
  const api = await startApi({ name: 'the API', env: apiEnv, logLevel: 'info', logFile: join(work, 'api.log'), readyTimeoutMs: 120_000 });
  process.stdout.write(`API ready at ${api.url} after ${api.startSeconds.toFixed(1)} s\n`);
  const ready = (await (await fetch(`${api.url}/ready`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    model?: Record<string, unknown>;
    catalogue?: { movies?: number };
  };
  let ratings: ServedRatings;
  let ranking: ServedRanking;
  let stopped: string;
  try {
    ratings = await scoreServedRatings(api.url, split, opts.concurrency, problems);
    ranking = await scoreServedRankings(api.url, split, opts.concurrency, problems);
  } finally {
    stopped = await api.stop();
    const logged = /SIGTERM: closing the server/.test(readFileSync(join(work, 'api.log'), 'utf8'));
    const closed = await fetch(`${api.url}/health`).then(
      () => false,
      () => true,
    );
    stopped += `; server logged "SIGTERM: closing the server": ${logged ? 'yes' : 'NO'}; port closed: ${closed ? 'yes' : 'NO'}`;
    if (!logged || !closed) problems.push(`the API did not shut down cleanly: ${stopped}`);
  }
  return { ready, ratings, ranking, stopped, startSeconds: api.startSeconds };
}

const f4 = (x: number) => x.toFixed(4);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Step 5: the report; returns the exit code. */
function printReport(opts: Options, split: Split, stages: StageRun[], served: Awaited<ReturnType<typeof scoreOverHttp>>, problems: string[]): number {
  const { ratings, ranking, ready } = served;
  const rank = ranking.metrics;
  const pop = popularityBaseline(split);
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const checks = {
    rmse: ratings.rmse <= TARGETS.rmse,
    mae: ratings.mae <= TARGETS.mae,
    ndcg: rank.ndcg >= TARGETS.ndcg,
    precision: rank.precision >= TARGETS.precision,
  };
  const warm = Math.sqrt(
    (ratings.rmse ** 2 * ratings.rows - ratings.coldMovieRmse ** 2 * ratings.coldMovieRows) / (ratings.rows - ratings.coldMovieRows),
  );
  const m = ready.model ?? {};
  const out = [
    '',
    `Served model on ${opts.splitDir} (train ${split.train.ratings.length} / test ${split.test.ratings.length} ratings; ${split.indexing.users.ids.length} users, ${split.indexing.movies.ids.length} movies in train)`,
    `model ${m.version ?? '?'}, ranker ${m.ranker ?? '?'}, factors ${m.factors ?? '?'}, users ${m.users ?? '?'}, movies ${m.movies ?? '?'}, catalogue ${ready.catalogue?.movies ?? '?'}`,
    '',
    table([
      ['metric', 'served model', 'popularity (local)', 'target', 'result'],
      ['RMSE', ratings.rmse.toFixed(5), '', `<= ${TARGETS.rmse.toFixed(3)}`, pass(checks.rmse)],
      ['MAE', ratings.mae.toFixed(5), '', `<= ${TARGETS.mae.toFixed(3)}`, pass(checks.mae)],
      ['P@10', f4(rank.precision), f4(pop.precision), `>= ${TARGETS.precision.toFixed(3)}`, pass(checks.precision)],
      ['R@10', f4(rank.recall), f4(pop.recall), '', ''],
      ['NDCG@10', f4(rank.ndcg), f4(pop.ndcg), `>= ${TARGETS.ndcg.toFixed(3)}`, pass(checks.ndcg)],
      ['coverage@10', f4(rank.coverage), f4(pop.coverage), '', ''],
    ]),
    '',
    `ratings: ${ratings.rows}/${split.test.ratings.length} test rows scored via ${ratings.requests} POST /predict/batch requests in ${ratings.seconds.toFixed(2)} s (concurrency ${opts.concurrency}); ` +
      `${ratings.coldMovieRows} rows of movies absent from train (predicted through the biases; RMSE on them ${f4(ratings.coldMovieRmse)}, on the other rows ${f4(warm)}), ` +
      `${ratings.coldUserRows} rows of users absent from train, ${ratings.notFound} HTTP 404s`,
    `ranking: ${ranking.users} users with >= 1 relevant test movie (${split.relevant.skippedUnknownUserRows} relevant rows of users absent from train left out); ` +
      `${ranking.requests} POST /recommendations in ${ranking.seconds.toFixed(2)} s; strategies ${JSON.stringify(ranking.strategies)}; ` +
      `short lists ${ranking.shortLists}, seen movies returned ${ranking.seenReturned}, non-train movies returned ${ranking.nonTrainReturned}, duplicates ${ranking.duplicates}`,
    `figures by the trainer's ratingMetricsOf and rankingMetrics (K = ${K}); the popularity list is the most-rated train movies, ties by id`,
    '',
    table([
      ['stage', 'seconds'],
      ...stages.map((s) => [s.name, s.seconds.toFixed(1)]),
      ['api start -> ready', served.startSeconds.toFixed(1)],
      ['scoring /predict/batch', ratings.seconds.toFixed(1)],
      ['scoring /recommendations', ranking.seconds.toFixed(1)],
    ]),
    `trainer stage printed: ${stages[2].summary.slice(0, 600)}`,
    `API shutdown on SIGTERM: ${served.stopped}`,
  ];
  if (problems.length) out.push(`problems:\n  - ${problems.join('\n  - ')}`);
  const allPass = Object.values(checks).every(Boolean);
  out.push(
    allPass
      ? 'ALL TARGETS MET'
      : `TARGETS FAILED: ${Object.entries(checks)
          .filter(([, ok]) => !ok)
          .map(([k]) => k)
          .join(', ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  if (opts.json || opts.record) {
    const report = {
      split: opts.splitDir,
      model: ready.model ?? null,
      served: { ...ratings, ...rank, ranking: { ...ranking, metrics: undefined } },
      popularity: pop,
      targets: TARGETS,
      checks,
      stages: Object.fromEntries(stages.map((s) => [s.name, s.seconds])),
      problems,
    };
    if (opts.json) writeFileSync(resolve(process.cwd(), opts.json), `${JSON.stringify(report, null, 2)}\n`);
    const command = `npx tsx tools/score-served.ts ${process.argv.slice(2).join(' ')}`;
    if (opts.record) writeBenchRecord(benchRecord('served', command, { ...report, split: basename(opts.splitDir) }));
  }
  if (problems.length) return 1;
  return allPass || opts.skipTargets ? 0 : 1;
}

async function main(): Promise<number> {
  const opts = options();
  const { work, env } = prepareSource(opts);
  try {
    const stages = await runStages(work, env);
    const split = loadSplit(join(opts.splitDir, 'train.csv'), join(opts.splitDir, 'test.csv'));
    const problems: string[] = [];
    const served = await scoreOverHttp(work, env, split, opts, problems);
    return printReport(opts, split, stages, served, problems);
  } finally {
    if (opts.keep) process.stdout.write(`kept ${work} (source/, data/, models/, *.log)\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`score-served failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
