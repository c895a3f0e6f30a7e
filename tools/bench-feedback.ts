/**
 * `npm run bench:feedback` (tsx tools/bench-feedback.ts): ratings in, answers out, under load.
 *
 * Starts the API (apps/api/src/main.ts, or cluster.ts with --workers=N) on a data set's model with a
 * fresh ratings store in the OS temp folder (REELRANK_RATINGS_DB), then:
 *
 *   fresh  (issue 14 item 2) --users users post 5 ratings each; then POST /recommendations paced at
 *          --rate req/s for --seconds: (a) users who posted nothing (the trained answer), (b) the users
 *          who posted, each already asked once (their first answer folds them in; those are measured
 *          one at a time first), (c) the same users, each request right after a new rating of theirs
 *          was acknowledged (every request folds again). Goal: p99 <= 10 ms.
 *   load   (item 7) POST /ratings paced at --write-rate ratings/s (--batch per request; 20 % by the
 *          data set's users, 80 % by 5,000 users the model never saw) for --load-seconds, alongside
 *          POST /recommendations at --read-rate req/s (half by users who posted in the fresh phase). Goals: >= 1,000 acknowledged ratings/s, 0 errors; afterwards the server is stopped
 *          and the store is read back (its `all()` stream): every acknowledged rating must be there.
 *
 * Every rating posted is a distinct (user, movie) pair, so "there" means exactly the posted value.
 * Latencies are from each request's scheduled send time (open loop, tools/lib/bench-kit.ts `paced`).
 *
 * Data: --dataset=synthetic-small (default: the ingest stage's generator, ml-latest-small's shape) or
 * --dataset=ml-latest-small (the real one); built with the stages into data/ and models/ when missing
 * (ml-latest-small downloads unless MOVIELENS_SOURCE points at a copy).
 *
 * Store: --store=sqlite (default: a fresh file) or --store=postgres (DATABASE_URL of the API: a throwaway
 * cluster from tools/pg/throwaway.ts, or the server of --database-url=postgres://..., whose
 * posted_ratings table it writes to).
 *
 * Options: --only=fresh,load --users=200 --rate=200 --seconds=20 --load-seconds=60 --write-rate=1200
 *          --batch=10 --read-rate=200 --workers=1 --log-level=warn --store=sqlite|postgres --database-url=
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactDatabaseUrl } from '@reelrank/config';
import { openPostgresRatingsStore, openSqliteRatingsStore } from '@reelrank/feedback';
import { seededRandom, shuffleInPlace } from '@reelrank/random';
import { idsFromArtifacts, markdownTable, paced, parseFlags, quantile, sendJson } from './lib/bench-kit';
import { runStageProcess, startApi, WORKSPACE_ROOT } from './lib/processes';
import { startThrowawayPostgres, type ThrowawayPostgres } from './pg/throwaway';

const args = parseFlags();
const DATASET = args.dataset ?? 'synthetic-small';
const ONLY = new Set((args.only ?? 'fresh,load').split(','));
const USERS = Number(args.users ?? 200);
const RATE = Number(args.rate ?? 200);
const SECONDS = Number(args.seconds ?? 20);
const LOAD_SECONDS = Number(args['load-seconds'] ?? 60);
const WRITE_RATE = Number(args['write-rate'] ?? 1200);
const BATCH = Number(args.batch ?? 10);
const READ_RATE = Number(args['read-rate'] ?? 200);
const WORKERS = Number(args.workers ?? 1);
const STORE = args.store ?? 'sqlite';
if (STORE !== 'sqlite' && STORE !== 'postgres') throw new Error(`--store must be sqlite or postgres, not ${STORE}`);

const dataDir = join(WORKSPACE_ROOT, 'data');
const modelsDir = join(WORKSPACE_ROOT, 'models');
const random = seededRandom(2026);
const pick = <T>(list: ArrayLike<T>): T => list[Math.floor(random() * list.length)];
const half = () => 0.5 * (1 + Math.floor(random() * 10));

interface Row {
  phase: string;
  route: string;
  offered: string;
  done: number;
  perSecond: number;
  latencies: number[];
  failed: number;
  note?: string;
}

/** Records one route's answers: latency from the scheduled send, failures (non-2xx or socket errors). */
function recorder(phase: string, route: string, offered: string): Row & { add(status: number, ms: number): void } {
  const row: Row = { phase, route, offered, done: 0, perSecond: 0, latencies: [], failed: 0 };
  return Object.assign(row, {
    add(status: number, ms: number) {
      row.done++;
      row.latencies.push(ms);
      if (status < 200 || status >= 300) row.failed++;
    },
  });
}

/** Each kind of failed answer ("<status> <start of the body>") and how often it came. */
const problems = new Map<string, number>();
const noteProblem = (status: number, text: string) => {
  const key = `${status} ${text.slice(0, 160)}`;
  problems.set(key, (problems.get(key) ?? 0) + 1);
};

/** (user, movie) pairs never posted before in this run, and what was acknowledged for each. */
const used = new Set<string>();
const acknowledged = new Map<string, number>();
function freshRatings(users: ArrayLike<number>, movieIds: Int32Array, count: number) {
  const out: { user_id: number; movie_id: number; rating: number }[] = [];
  while (out.length < count) {
    const r = { user_id: pick(users), movie_id: pick(movieIds), rating: half() };
    const key = `${r.user_id}:${r.movie_id}`;
    if (used.has(key)) continue;
    used.add(key);
    out.push(r);
  }
  return out;
}

async function postRatings(agent: Agent, url: string, ratings: ReturnType<typeof freshRatings>): Promise<number> {
  const body = JSON.stringify(ratings.length === 1 ? ratings[0] : { ratings });
  const { status, text } = await sendJson(agent, url, 'POST', '/ratings', body);
  if (status === 201) for (const r of ratings) acknowledged.set(`${r.user_id}:${r.movie_id}`, r.rating);
  else noteProblem(status, text);
  return status;
}

async function ensureArtifacts(): Promise<void> {
  if (existsSync(join(dataDir, `${DATASET}.db`)) && existsSync(join(modelsDir, DATASET, 'model.json'))) return;
  const logDir = mkdtempSync(join(tmpdir(), 'reelrank-bench-feedback-logs-'));
  for (const stage of ['ingest', 'database', 'trainer']) {
    console.error(`building ${DATASET}: ${stage} stage (log ${join(logDir, `${stage}.log`)})`);
    await runStageProcess(stage, `packages/${stage}/src/main.ts`, { ...process.env, REELRANK_DATASET: DATASET }, join(logDir, `${stage}.log`));
  }
}

async function main(): Promise<void> {
  await ensureArtifacts();
  const { userIds, movieIds } = idsFromArtifacts(join(dataDir, `${DATASET}.db`), join(modelsDir, DATASET));
  const storeDir = mkdtempSync(join(tmpdir(), 'reelrank-bench-feedback-'));
  const storePath = join(storeDir, `${DATASET}.ratings.db`);
  let cluster: ThrowawayPostgres | undefined;
  let databaseUrl: string | undefined;
  if (STORE === 'postgres') {
    databaseUrl = args['database-url'];
    if (!databaseUrl) {
      cluster = await startThrowawayPostgres();
      databaseUrl = cluster.url;
    }
  }
  const storeShown = databaseUrl
    ? `PostgreSQL ${redactDatabaseUrl(databaseUrl)}${cluster ? ' (throwaway cluster, removed)' : ''}`
    : `SQLite ${storePath} (removed)`;
  const api = await startApi({
    name: 'api',
    script: WORKERS > 1 ? 'cluster.ts' : 'main.ts',
    workers: WORKERS,
    logLevel: args['log-level'] ?? 'warn',
    env: {
      REELRANK_DATASET: DATASET,
      REELRANK_DATA_DIR: dataDir,
      REELRANK_MODELS_DIR: modelsDir,
      REELRANK_RATINGS_DB: storePath,
      DATABASE_URL: databaseUrl, // undefined: not passed on, so a DATABASE_URL of the caller's shell cannot leak in
      REELRANK_WORKERS: String(WORKERS),
    },
  });
  const { url } = api;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const rows: Row[] = [];
  const goals: [boolean, string][] = [];
  const users = Array.from(userIds);
  shuffleInPlace(users, random);
  const posters = users.slice(0, USERS);
  const others = users.slice(USERS, 2 * USERS);
  const strategies = new Map<string, number>();
  const recommend = async (userId: number, row: ReturnType<typeof recorder>, from: number, countStrategy = false) => {
    const { status, text } = await sendJson(agent, url, 'POST', '/recommendations', JSON.stringify({ user_id: userId, n_recommendations: 10 }));
    row.add(status, performance.now() - from);
    if (status !== 200) noteProblem(status, text);
    if (countStrategy && status === 200) {
      const strategy = (JSON.parse(text) as { strategy: string }).strategy;
      strategies.set(strategy, (strategies.get(strategy) ?? 0) + 1);
    }
  };

  // Warm-up (JIT, page cache): 2 s of trained-user recommendations, not counted.
  const warm = recorder('warm-up', '', '');
  await paced(RATE, 2, (_i, at) => recommend(pick(others), warm, at));

  if (ONLY.has('fresh')) {
    for (const userId of posters) {
      if ((await postRatings(agent, url, freshRatings([userId], movieIds, 5))) !== 201) throw new Error(`POST /ratings for user ${userId} failed`);
    }
    // Each poster's first answer folds them in: measured one at a time (not paced), then cached.
    const first = recorder('fresh', 'POST /recommendations, first after posting (folds)', 'one at a time');
    const firstStarted = performance.now();
    for (const userId of posters) await recommend(userId, first, performance.now(), true);
    first.perSecond = first.done / ((performance.now() - firstStarted) / 1000);
    const trained = recorder('fresh', 'POST /recommendations, users who posted nothing', `${RATE}/s`);
    const trainedSeconds = await paced(RATE, SECONDS, (_i, at) => recommend(pick(others), trained, at));
    trained.perSecond = trained.done / trainedSeconds;
    const cached = recorder('fresh', 'POST /recommendations, users who posted (cached fold)', `${RATE}/s`);
    const cachedSeconds = await paced(RATE, SECONDS, (_i, at) => recommend(pick(posters), cached, at, true));
    cached.perSecond = cached.done / cachedSeconds;
    const ratingsRow = recorder('fresh', 'POST /ratings (1), then at once:', `${RATE}/s`);
    const refold = recorder('fresh', 'POST /recommendations right after the user posted', `${RATE}/s`);
    const elapsed = await paced(RATE, SECONDS, async (_i, at) => {
      const userId = pick(posters);
      ratingsRow.add(await postRatings(agent, url, freshRatings([userId], movieIds, 1)), performance.now() - at);
      await recommend(userId, refold, performance.now(), true);
    });
    ratingsRow.perSecond = ratingsRow.done / elapsed;
    refold.perSecond = refold.done / elapsed;
    rows.push(first, trained, cached, ratingsRow, refold);
    const foldIns = strategies.get('fold-in') ?? 0;
    goals.push([
      foldIns === first.done + cached.done + refold.done,
      `every answer to a user who posted came from the fold-in (${[...strategies].map(([s, n]) => `${s} ${n}`).join(', ')})`,
    ]);
    for (const row of [cached, refold])
      goals.push([
        quantile(
          row.latencies.sort((a, b) => a - b),
          0.99,
        ) <= 10,
        `p99 <= 10 ms: ${row.route}`,
      ]);
  }

  if (ONLY.has('load')) {
    const writes = recorder('load', `POST /ratings (${BATCH} per request)`, `${WRITE_RATE} ratings/s`);
    const reads = recorder('load', 'POST /recommendations, alongside', `${READ_RATE}/s`);
    const newUsers = Int32Array.from({ length: 5000 }, (_, i) => 1_000_000 + i); // users the model never saw
    const writers = paced(WRITE_RATE / BATCH, LOAD_SECONDS, async (_i, at) => {
      const ratings = freshRatings(random() < 0.2 ? userIds : newUsers, movieIds, BATCH);
      writes.add(await postRatings(agent, url, ratings), performance.now() - at);
    });
    const readers = paced(READ_RATE, LOAD_SECONDS, (_i, at) => recommend(random() < 0.5 ? pick(posters) : pick(users), reads, at));
    const [writeSeconds, readSeconds] = await Promise.all([writers, readers]);
    writes.perSecond = ((writes.done - writes.failed) * BATCH) / writeSeconds;
    reads.perSecond = reads.done / readSeconds;
    writes.note = `${((writes.done - writes.failed) * BATCH).toLocaleString('en-US')} ratings acknowledged`;
    rows.push(writes, reads);
    goals.push([writes.perSecond >= 1000, `>= 1,000 acknowledged ratings/s (${writes.perSecond.toFixed(0)}/s)`]);
  }

  agent.destroy();
  console.error(`stopping the server: ${await api.stop()}`);
  // Read the store back the way a training run will (the all() stream): every acknowledged rating must be there.
  const store = databaseUrl ? openPostgresRatingsStore(databaseUrl) : openSqliteRatingsStore(storePath);
  let present = 0;
  let wrong = 0;
  for await (const r of store.all()) {
    const expected = acknowledged.get(`${r.userId}:${r.movieId}`);
    if (expected === undefined) continue;
    if (expected === r.rating) present++;
    else wrong++;
  }
  const version = await store.version();
  await store.close();
  rmSync(storeDir, { recursive: true, force: true });
  await cluster?.stop();
  const failures = rows.reduce((sum, r) => sum + r.failed, 0);
  goals.push([failures === 0, `0 errors (${failures} non-2xx or socket errors)`]);
  goals.push([
    present === acknowledged.size && wrong === 0,
    `every acknowledged rating in the store (${present} of ${acknowledged.size}; ${wrong} with another value; store holds ${version.count})`,
  ]);

  console.log('');
  console.log(
    markdownTable(
      ['phase', 'route', 'offered', 'answered', 'per s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'note'],
      rows.map((r) => {
        const sorted = [...r.latencies].sort((a, b) => a - b);
        return [
          r.phase,
          r.route,
          r.offered,
          String(r.done),
          r.perSecond.toFixed(0),
          String(quantile(sorted, 0.5)),
          String(quantile(sorted, 0.99)),
          String(quantile(sorted, 1)),
          String(r.failed),
          r.note ?? '',
        ];
      }),
    ),
  );
  console.log('');
  console.log(
    `- ${DATASET}, ${userIds.length} model users x ${movieIds.length} catalogue movies; ${WORKERS === 1 ? 'one server process' : `${WORKERS} cluster workers`}; store ${storeShown}`,
  );
  for (const [ok, text] of goals) console.log(`- goal ${ok ? 'MET   ' : 'MISSED'} ${text}`);
  for (const [what, count] of problems) console.log(`- failed answers: ${count} x ${what}`);
  if (goals.some(([ok]) => !ok)) process.exitCode = 1;
}

main()
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
