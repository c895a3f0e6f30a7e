/**
 * `npx tsx tools/score-served.ts --split DIR --movielens DIR [--keep] [--concurrency N] [--skip-targets]`
 *
 * Scores the model the API SERVES on a fixed train/test split, the way issue 3 says a checker
 * does it, as a client:
 *
 *   1. A temp source folder: DIR/train.csv copied as ratings.csv, plus movies.csv, links.csv and
 *      tags.csv of the --movielens folder (the full catalogue).
 *   2. The real stage entry points run in order, each timed, with MOVIELENS_SOURCE=<that folder>
 *      and REELRANK_DATA_DIR / REELRANK_MODELS_DIR pointing at temp folders, so the workspace's
 *      data/ and models/ (and the Nx cache) are never touched:
 *        tsx packages/ingest/src/main.ts -> tsx packages/database/src/main.ts -> tsx packages/trainer/src/main.ts
 *   3. The API (tsx apps/api/src/main.ts) with the same env and PORT=0; the URL is parsed from
 *      its "listening on <url>" log line, then GET /health and GET /ready are polled.
 *   4. Over HTTP only: every test.csv row through POST /predict/batch (chunks of 1,000) -> RMSE, MAE
 *      (rows of movies / users absent from train are counted; they are answered through the
 *      biases); then POST /recommendations {user_id, n_recommendations: 10} for every user with
 *      >= 1 relevant test movie (rating >= 4.0) -> P@10, R@10, NDCG@10 (the protocol of
 *      packages/trainer/src/lib/ranking-metrics.ts). The popularity baseline (most-rated train movies the user did not rate, ties by
 *      movie id) is computed locally from train.csv with the trainer's own `rankingMetrics`; the
 *      served lists are scored by a direct implementation AND cross-checked through `rankingMetrics`.
 *   5. Prints the table with the targets, the stage timings, and exits 1 if a target fails
 *      (or the API misbehaves: HTTP errors, 404s, seen movies in a list). SIGTERM to the server;
 *      temp folders removed unless --keep.
 *
 * Options: --split DIR (required: train.csv and test.csv), --movielens DIR (required: the catalogue
 * files movies.csv, links.csv, tags.csv of the ml-latest-small the split was cut from),
 * --keep, --concurrency N (parallel HTTP requests in the scoring loops, default 1),
 * --skip-targets (exit 0 on missed targets; still 1 on API problems), --json FILE (the figures as JSON).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startApi } from './lib/api-process';
import { rankingMetrics, relevantItems, RELEVANCE_THRESHOLD, type BatchScorer } from '../packages/trainer/src/lib/ranking-metrics.js';
import { buildIndexing, groupByUser, indexRatings } from '../packages/trainer/src/lib/indexing.js';
import type { RatingsColumns } from '../packages/trainer/src/lib/ratings.js';

const ROOT = resolve(__dirname, '..');
const K = 10;
const BATCH = 1000;
const TARGETS = { rmse: 0.85, mae: 0.655, ndcg: 0.205, precision: 0.16 };

// ---------------------------------------------------------------- arguments
const USAGE = 'usage: npx tsx tools/score-served.ts --split DIR --movielens DIR [--keep] [--concurrency N] [--skip-targets] [--json FILE]';
const { values: args } = parseArgs({
  options: {
    split: { type: 'string' },
    movielens: { type: 'string' },
    keep: { type: 'boolean' },
    concurrency: { type: 'string' },
    'skip-targets': { type: 'boolean' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
/** A folder given as a flag that must hold `files`; no default and no fallback to another folder. */
function requiredFolder(flag: string, value: string | undefined, files: string[]): string {
  if (!value) throw new Error(`--${flag} DIR is required\n${USAGE}`);
  const dir = resolve(process.cwd(), value);
  for (const file of files) if (!existsSync(join(dir, file))) throw new Error(`--${flag}: ${join(dir, file)} does not exist`);
  return dir;
}
const splitDir = requiredFolder('split', args.split, ['train.csv', 'test.csv']);
const movielensDir = requiredFolder('movielens', args.movielens, ['movies.csv']);
const keep = args.keep === true;
const concurrency = Math.max(1, Number(args.concurrency ?? 1) | 0);

// ---------------------------------------------------------------- CSV
function readRatingsCsv(path: string): RatingsColumns {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = lines[0].split(',');
  const [iu, im, ir, it] = ['userId', 'movieId', 'rating', 'timestamp'].map((h) => header.indexOf(h));
  if (iu < 0 || im < 0 || ir < 0) throw new Error(`${path}: header must hold userId,movieId,rating (got ${lines[0]})`);
  const rows = lines.slice(1).filter((l) => l.length > 0);
  const cols: RatingsColumns = {
    userIds: new Int32Array(rows.length),
    movieIds: new Int32Array(rows.length),
    ratings: new Float32Array(rows.length),
    timestamps: new Float64Array(rows.length),
  };
  rows.forEach((line, r) => {
    const f = line.split(',');
    cols.userIds[r] = Number(f[iu]);
    cols.movieIds[r] = Number(f[im]);
    cols.ratings[r] = Number(f[ir]);
    cols.timestamps[r] = it >= 0 ? Number(f[it]) : 0;
  });
  return cols;
}

// ---------------------------------------------------------------- processes
const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return; // the group may outlive its leader (npx), so no exitCode check
  try {
    process.kill(-child.pid, signal); // our own detached process group (npx/tsx -> node)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function cleanup(): void {
  for (const c of children) killGroup(c, 'SIGKILL');
  if (!keep) for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

interface StageResult {
  name: string;
  seconds: number;
  lastLine: string;
}

function tail(path: string, n = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function runStage(name: string, entry: string, env: NodeJS.ProcessEnv, logDir: string): Promise<StageResult> {
  const logPath = join(logDir, `${name}.log`);
  const log = createWriteStream(logPath);
  const t0 = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npx', ['tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let last = '';
    child.stdout!.on('data', (b: Buffer) => {
      log.write(b);
      const lines = b.toString().trim().split('\n').filter(Boolean);
      if (lines.length) last = lines[lines.length - 1];
    });
    child.stderr!.on('data', (b: Buffer) => log.write(b));
    child.on('exit', (code, signal) => {
      children.delete(child);
      const seconds = (performance.now() - t0) / 1000;
      log.end(() => {
        if (code === 0) resolvePromise({ name, seconds, lastLine: last });
        else reject(new Error(`stage ${name} failed (exit ${code ?? signal}) after ${seconds.toFixed(1)} s; log ${logPath}:\n${tail(logPath)}`));
      });
    });
  });
}

// ---------------------------------------------------------------- HTTP
async function postJson(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text.slice(0, 200) };
  }
  return { status: r.status, json };
}

/** Runs `task(i)` for i in 0..n-1 with at most `limit` in flight. */
async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

// ---------------------------------------------------------------- formatting
const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------- main
async function main(): Promise<number> {
  const trainPath = join(splitDir, 'train.csv');
  const testPath = join(splitDir, 'test.csv');
  for (const p of [trainPath, testPath, ...['movies.csv', 'links.csv', 'tags.csv'].map((f) => join(movielensDir, f))]) {
    if (!existsSync(p)) throw new Error(`missing ${p}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'reelrank-score-'));
  tempDirs.push(work);
  const source = join(work, 'source');
  const dataDir = join(work, 'data');
  const modelsDir = join(work, 'models');
  const logDir = work;
  mkdirSync(source, { recursive: true });
  copyFileSync(trainPath, join(source, 'ratings.csv'));
  for (const f of ['movies.csv', 'links.csv', 'tags.csv']) copyFileSync(join(movielensDir, f), join(source, f));
  process.stdout.write(`split ${splitDir}\ncatalogue ${movielensDir}\nwork dir ${work}${keep ? ' (kept)' : ''}\n`);

  // Only the variables the checker sets; everything else (REELRANK_TRAIN_* etc.) is dropped so a
  // stray override in this shell cannot change the model being scored.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(REELRANK_|MOVIELENS_|PORT$|NX_)/.test(k)) env[k] = v;
  Object.assign(env, {
    MOVIELENS_SOURCE: source,
    REELRANK_DATA_DIR: dataDir,
    REELRANK_MODELS_DIR: modelsDir,
    REELRANK_ROOT: ROOT,
    PORT: '0',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  });

  // ---- stages
  const stages: StageResult[] = [];
  for (const [name, entry] of [
    ['ingest', 'packages/ingest/src/main.ts'],
    ['database', 'packages/database/src/main.ts'],
    ['trainer', 'packages/trainer/src/main.ts'],
  ] as const) {
    process.stdout.write(`running ${name} ... `);
    const r = await runStage(name, entry, env, logDir);
    stages.push(r);
    process.stdout.write(`${r.seconds.toFixed(1)} s\n`);
  }
  const trainerLine = stages[2].lastLine;

  // ---- local data: train/test and the protocol's index (train movies sorted by id)
  const train = readRatingsCsv(trainPath);
  const test = readRatingsCsv(testPath);
  const indexing = buildIndexing(train);
  const nUsers = indexing.users.ids.length;
  const nMovies = indexing.movies.ids.length;
  const trainIdx = indexRatings(train, indexing);
  const testIdx = indexRatings(test, indexing);
  const trainByUser = groupByUser(trainIdx, nUsers);
  const relevant = relevantItems(testIdx, RELEVANCE_THRESHOLD);

  // ---- API
  const api = await startApi({ name: 'the API', env, logLevel: 'info', logFile: join(logDir, 'api.log'), readyTimeoutMs: 120_000 });
  process.stdout.write(`API ready at ${api.url} after ${api.startSeconds.toFixed(1)} s\n`);
  const ready = (await (await fetch(`${api.url}/ready`)).json()) as any;
  const problems: string[] = [];
  let stopped = '';
  let served: { rmse: number; mae: number; rows: number; coldMovieRows: number; coldMovieRmse: number; coldUserRows: number; reqs: number; seconds: number; notFound: number; errors: number };
  let rec: {
    users: number;
    precision: number;
    recall: number;
    ndcg: number;
    reqs: number;
    seconds: number;
    shortLists: number;
    seenReturned: number;
    nonTrainReturned: number;
    duplicates: number;
    strategies: Record<string, number>;
    crossCheck?: { precision: number; recall: number; ndcg: number };
    coverage: number;
  };
  try {
    // ---- ratings: /predict/batch over every test row
    const n = test.ratings.length;
    const predicted = new Float64Array(n).fill(NaN);
    let notFound = 0;
    let errors = 0;
    let reqs = 0;
    const chunks = Math.ceil(n / BATCH);
    const t0 = performance.now();
    await pool(chunks, concurrency, async (c) => {
      const lo = c * BATCH;
      const hi = Math.min(n, lo + BATCH);
      const pairs: { user_id: number; movie_id: number }[] = [];
      for (let r = lo; r < hi; r++) pairs.push({ user_id: test.userIds[r], movie_id: test.movieIds[r] });
      const res = await postJson(`${api.url}/predict/batch`, { pairs });
      reqs++;
      if (res.status === 200 && Array.isArray(res.json.predictions) && res.json.predictions.length === pairs.length) {
        res.json.predictions.forEach((p: any, j: number) => {
          if (p.user_id !== pairs[j].user_id || p.movie_id !== pairs[j].movie_id) throw new Error(`batch answer ${lo + j} is for another pair: ${JSON.stringify(p)}`);
          predicted[lo + j] = p.predicted_rating;
        });
        return;
      }
      // The whole batch failed (e.g. a 404 for one movie): isolate the rows with /predict.
      for (let r = lo; r < hi; r++) {
        const one = await postJson(`${api.url}/predict`, pairs[r - lo]);
        reqs++;
        if (one.status === 200) predicted[r] = one.json.predicted_rating;
        else if (one.status === 404) notFound++;
        else errors++;
      }
      if (errors) problems.push(`/predict/batch chunk ${c}: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
    });
    const seconds = (performance.now() - t0) / 1000;
    let se = 0;
    let ae = 0;
    let m = 0;
    let coldMovieRows = 0;
    let coldSe = 0;
    let coldUserRows = 0;
    let outOfRange = 0;
    for (let r = 0; r < n; r++) {
      const p = predicted[r];
      if (testIdx.movies[r] < 0) coldMovieRows++;
      if (testIdx.users[r] < 0) coldUserRows++;
      if (!Number.isFinite(p)) continue;
      if (p < 0.5 || p > 5) outOfRange++;
      const e = p - test.ratings[r];
      se += e * e;
      ae += Math.abs(e);
      m++;
      if (testIdx.movies[r] < 0) coldSe += e * e;
    }
    if (m < n) problems.push(`${n - m} of ${n} test rows got no prediction (${notFound} HTTP 404, ${errors} other errors)`);
    if (outOfRange) problems.push(`${outOfRange} predictions outside 0.5..5`);
    served = {
      rmse: Math.sqrt(se / m),
      mae: ae / m,
      rows: m,
      coldMovieRows,
      coldMovieRmse: Math.sqrt(coldSe / Math.max(1, coldMovieRows)),
      coldUserRows,
      reqs,
      seconds,
      notFound,
      errors,
    };

    // ---- ranking: /recommendations for every user with >= 1 relevant test movie
    const users = relevant.users; // dense train indices, ascending
    const lists: Int32Array[] = new Array(users.length); // per user: recommended movies as train indices (-1 = not a train movie)
    const strategies: Record<string, number> = {};
    let recReqs = 0;
    let recErrors = 0;
    const t1 = performance.now();
    await pool(users.length, concurrency, async (b) => {
      const userId = indexing.users.ids[users[b]];
      const res = await postJson(`${api.url}/recommendations`, { user_id: userId, n_recommendations: K });
      recReqs++;
      if (res.status !== 200 || !Array.isArray(res.json.recommendations)) {
        recErrors++;
        lists[b] = new Int32Array(0);
        if (recErrors <= 3) problems.push(`/recommendations user ${userId}: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`);
        return;
      }
      strategies[res.json.strategy] = (strategies[res.json.strategy] ?? 0) + 1;
      lists[b] = Int32Array.from(res.json.recommendations.map((x: any) => indexing.movies.indexOf(x.movie_id)));
    });
    const recSeconds = (performance.now() - t1) / 1000;
    if (recErrors) problems.push(`${recErrors} /recommendations requests failed`);

    // Direct implementation of the ranking protocol (ranking-metrics.ts) on the returned lists.
    const discount = Float64Array.from({ length: K }, (_, j) => 1 / Math.log2(j + 2));
    const isRel = new Uint8Array(nMovies);
    const seen = new Uint8Array(nMovies);
    const recommended = new Uint8Array(nMovies);
    let P = 0;
    let R = 0;
    let N = 0;
    let shortLists = 0;
    let seenReturned = 0;
    let nonTrainReturned = 0;
    let duplicates = 0;
    let crossOk = true;
    for (let b = 0; b < users.length; b++) {
      const u = users[b];
      const mine = trainByUser.movies.subarray(trainByUser.offsets[u], trainByUser.offsets[u + 1]);
      for (const i of mine) seen[i] = 1;
      for (const i of relevant.knownRelevant[b]) isRel[i] = 1;
      const list = lists[b];
      if (list.length < K) shortLists++;
      const dup = new Set<number>();
      let hits = 0;
      let dcg = 0;
      list.slice(0, K).forEach((i, rank) => {
        if (i < 0) {
          nonTrainReturned++;
          crossOk = false;
          return;
        }
        if (dup.has(i)) duplicates++;
        dup.add(i);
        if (seen[i]) {
          seenReturned++;
          crossOk = false;
          return; // not a candidate under the protocol: never a hit
        }
        recommended[i] = 1;
        if (isRel[i]) {
          hits++;
          dcg += discount[rank];
        }
      });
      const nRel = relevant.relevantCount[b];
      let idcg = 0;
      for (let j = 0; j < Math.min(K, nRel); j++) idcg += discount[j];
      P += hits / K;
      R += hits / nRel;
      N += dcg / idcg;
      for (const i of mine) seen[i] = 0;
      for (const i of relevant.knownRelevant[b]) isRel[i] = 0;
    }
    if (shortLists) problems.push(`${shortLists} lists shorter than ${K}`);
    if (seenReturned) problems.push(`${seenReturned} recommended movies were rated by the user in train`);
    if (nonTrainReturned) problems.push(`${nonTrainReturned} recommended movies are absent from train (outside the protocol's candidates)`);
    if (duplicates) problems.push(`${duplicates} duplicate movies inside lists`);
    let covered = 0;
    for (let i = 0; i < nMovies; i++) covered += recommended[i];
    rec = {
      users: users.length,
      precision: P / users.length,
      recall: R / users.length,
      ndcg: N / users.length,
      reqs: recReqs,
      seconds: recSeconds,
      shortLists,
      seenReturned,
      nonTrainReturned,
      duplicates,
      strategies,
      coverage: covered / nMovies,
    };
    // Cross-check with the trainer's rankingMetrics: a score row that ranks exactly the served
    // list (NaN elsewhere, which topN drops). Valid when every listed movie is a candidate.
    if (crossOk) {
      const pos = new Map<number, number>();
      users.forEach((u, b) => pos.set(u, b));
      const row = new Float64Array(nMovies);
      const scorer: BatchScorer = (batch) => (bb) => {
        row.fill(NaN);
        const list = lists[pos.get(batch[bb])!];
        list.forEach((i, rank) => (row[i] = K + 1 - rank));
        return row;
      };
      const cc = rankingMetrics({ k: K, nMovies, train: trainByUser, relevant, score: scorer, batchSize: 1 });
      rec.crossCheck = { precision: cc.precision, recall: cc.recall, ndcg: cc.ndcg };
      if (Math.abs(cc.ndcg - rec.ndcg) > 1e-9 || Math.abs(cc.precision - rec.precision) > 1e-9) problems.push('direct and rankingMetrics figures disagree');
    }
  } finally {
    stopped = await api.stop();
    const apiLog = tail(join(logDir, 'api.log'), 50);
    let portClosed = false;
    try {
      await fetch(`${api.url}/health`);
    } catch {
      portClosed = true;
    }
    stopped += `; server logged "SIGTERM: closing the server": ${/SIGTERM: closing the server/.test(apiLog) ? 'yes' : 'NO'}; port closed: ${portClosed ? 'yes' : 'NO'}`;
  }

  // ---- popularity baseline, locally, with the trainer's rankingMetrics
  const tp = performance.now();
  const counts = new Float64Array(nMovies);
  for (let r = 0; r < trainIdx.movies.length; r++) counts[trainIdx.movies[r]]++;
  const pop = rankingMetrics({ k: K, nMovies, train: trainByUser, relevant, score: () => () => counts });
  const popSeconds = (performance.now() - tp) / 1000;

  // ---- report
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const checks = {
    rmse: served.rmse <= TARGETS.rmse,
    mae: served.mae <= TARGETS.mae,
    ndcg: rec.ndcg >= TARGETS.ndcg,
    precision: rec.precision >= TARGETS.precision,
  };
  const out: string[] = [];
  out.push('');
  out.push(`Served model on ${splitDir} (train ${train.ratings.length} / test ${test.ratings.length} ratings; ${nUsers} users, ${nMovies} movies in train)`);
  out.push(
    `model ${ready?.model?.version ?? '?'}, ranker ${ready?.model?.ranker ?? '?'}, factors ${ready?.model?.factors ?? '?'}, ` +
      `users ${ready?.model?.users ?? '?'}, movies ${ready?.model?.movies ?? '?'}, catalogue ${ready?.catalogue?.movies ?? '?'}`,
  );
  out.push('');
  out.push(
    table([
      ['metric', 'served model', 'popularity (local)', 'target', 'result'],
      ['RMSE', served.rmse.toFixed(5), '', `<= ${TARGETS.rmse.toFixed(3)}`, pass(checks.rmse)],
      ['MAE', served.mae.toFixed(5), '', `<= ${TARGETS.mae.toFixed(3)}`, pass(checks.mae)],
      ['P@10', f4(rec.precision), f4(pop.precision), `>= ${TARGETS.precision.toFixed(3)}`, pass(checks.precision)],
      ['R@10', f4(rec.recall), f4(pop.recall), '', ''],
      ['NDCG@10', f4(rec.ndcg), f4(pop.ndcg), `>= ${TARGETS.ndcg.toFixed(3)}`, pass(checks.ndcg)],
      ['coverage@10', f4(rec.coverage), f4(pop.coverage), '', ''],
    ]),
  );
  out.push('');
  out.push(
    `ratings: ${served.rows}/${test.ratings.length} test rows scored via ${served.reqs} POST /predict/batch requests in ${served.seconds.toFixed(2)} s ` +
      `(${(served.reqs / served.seconds).toFixed(1)} req/s, ${Math.round(served.rows / served.seconds)} pairs/s, concurrency ${concurrency}); ` +
      `${served.coldMovieRows} rows of movies absent from train (predicted through the biases; RMSE on them ${f4(served.coldMovieRmse)}, on the other rows ${f4(Math.sqrt((served.rmse ** 2 * served.rows - served.coldMovieRmse ** 2 * served.coldMovieRows) / (served.rows - served.coldMovieRows)))}), ` +
      `${served.coldUserRows} rows of users absent from train, ${served.notFound} HTTP 404s`,
  );
  out.push(
    `ranking: ${rec.users} users with >= 1 relevant test movie (${relevant.skippedUnknownUserRows} relevant rows of users absent from train left out); ` +
      `${rec.reqs} POST /recommendations in ${rec.seconds.toFixed(2)} s (${(rec.reqs / rec.seconds).toFixed(1)} req/s); strategies ${JSON.stringify(rec.strategies)}; ` +
      `short lists ${rec.shortLists}, seen movies returned ${rec.seenReturned}, non-train movies returned ${rec.nonTrainReturned}, duplicates ${rec.duplicates}`,
  );
  out.push(
    rec.crossCheck
      ? `cross-check via packages/trainer rankingMetrics: P@10 ${f4(rec.crossCheck.precision)}, R@10 ${f4(rec.crossCheck.recall)}, NDCG@10 ${f4(rec.crossCheck.ndcg)}`
      : 'cross-check via rankingMetrics skipped (a list held a non-candidate movie)',
  );
  out.push(`popularity baseline computed locally from train.csv in ${popSeconds.toFixed(2)} s (on the fixed ml-latest-small split this protocol gives P@10 0.1215, NDCG@10 0.1578)`);
  out.push('');
  out.push(
    table([
      ['stage', 'seconds'],
      ...stages.map((s) => [s.name, s.seconds.toFixed(1)]),
      ['api start -> ready', api.startSeconds.toFixed(1)],
      ['scoring /predict/batch', served.seconds.toFixed(1)],
      ['scoring /recommendations', rec.seconds.toFixed(1)],
    ]),
  );
  out.push(`trainer stage printed: ${trainerLine.slice(0, 600)}`);
  out.push(`API shutdown on SIGTERM: ${stopped}`);
  if (problems.length) out.push(`problems:\n  - ${problems.join('\n  - ')}`);
  out.push(keep ? `kept ${work} (source/, data/, models/, *.log)` : 'temp folders removed');
  const allPass = Object.values(checks).every(Boolean);
  out.push(allPass ? 'ALL TARGETS MET' : `TARGETS FAILED: ${Object.entries(checks).filter(([, ok]) => !ok).map(([k]) => k).join(', ')}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (args.json) {
    const report = {
      split: splitDir,
      model: ready?.model ?? null,
      served: { ...served, precision: rec.precision, recall: rec.recall, ndcg: rec.ndcg, coverage: rec.coverage, rankingUsers: rec.users, recommendationsSeconds: rec.seconds, recommendationsRequests: rec.reqs, crossCheck: rec.crossCheck ?? null },
      popularity: { precision: pop.precision, recall: pop.recall, ndcg: pop.ndcg, coverage: pop.coverage },
      targets: TARGETS,
      checks,
      stages: Object.fromEntries(stages.map((st) => [st.name, st.seconds])),
      apiReadySeconds: api.startSeconds,
      problems,
    };
    writeFileSync(resolve(process.cwd(), args.json), `${JSON.stringify(report, null, 2)}\n`);
  }
  if (problems.length) return 1;
  if (!allPass && !args['skip-targets']) return 1;
  return 0;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((error: unknown) => {
    process.stderr.write(`score-served failed: ${error instanceof Error ? error.message : String(error)}\n`);
    cleanup();
    process.exit(2);
  });
