/**
 * One store's run of `npm run bench:feedback` (tools/bench-feedback.ts says what the phases measure):
 * starts the API on the given store, runs the fresh and load phases, stops the server and reads the
 * store back. Every run draws from its own generator of the same seed, so two stores in one command
 * get the very same requests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactDatabaseUrl } from '@reelrank/config';
import { loadPostgresDatabase } from '@reelrank/database';
import { openPostgresRatingsStore, openSqliteRatingsStore } from '@reelrank/feedback';
import { seededRandom, shuffleInPlace } from '@reelrank/random';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../pg/throwaway';
import { paced, quantile, sendJson } from './bench-kit';
import { LIFTED_BUDGETS, startApi } from './processes';

export interface FeedbackBenchOptions {
  store: 'sqlite' | 'postgres';
  /** postgres: a server of the caller's (its posted_ratings table is written to); default: a throwaway cluster. */
  databaseUrl?: string;
  dataset: string;
  dataDir: string;
  modelsDir: string;
  userIds: Int32Array;
  movieIds: Int32Array;
  phases: Set<string>;
  users: number;
  rate: number;
  seconds: number;
  loadSeconds: number;
  writeRate: number;
  batch: number;
  readRate: number;
  workers: number;
  logLevel: string;
}

export interface Row {
  phase: string;
  route: string;
  offered: string;
  done: number;
  perSecond: number;
  latencies: number[];
  failed: number;
  note?: string;
}

export interface FeedbackBenchResult {
  rows: Row[];
  goals: [boolean, string][];
  /** Each kind of failed answer ("<status> <start of the body>") and how often it came. */
  problems: Map<string, number>;
  storeShown: string;
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

export async function runFeedbackBench(o: FeedbackBenchOptions): Promise<FeedbackBenchResult> {
  const random = seededRandom(2026);
  const pick = <T>(list: ArrayLike<T>): T => list[Math.floor(random() * list.length)];
  const half = () => 0.5 * (1 + Math.floor(random() * 10));
  const problems = new Map<string, number>();
  const noteProblem = (status: number, text: string) => {
    const key = `${status} ${text.slice(0, 160)}`;
    problems.set(key, (problems.get(key) ?? 0) + 1);
  };
  // Every rating posted is a distinct (user, movie) pair, so "in the store" means exactly the posted value.
  const used = new Set<string>();
  const acknowledged = new Map<string, number>();
  const freshRatings = (users: ArrayLike<number>, count: number) => {
    const out: { user_id: number; movie_id: number; rating: number }[] = [];
    while (out.length < count) {
      const r = { user_id: pick(users), movie_id: pick(o.movieIds), rating: half() };
      const key = `${r.user_id}:${r.movie_id}`;
      if (used.has(key)) continue;
      used.add(key);
      out.push(r);
    }
    return out;
  };

  const storeDir = mkdtempSync(join(tmpdir(), 'reelrank-bench-feedback-'));
  const storePath = join(storeDir, `${o.dataset}.ratings.db`);
  let cluster: ThrowawayPostgres | undefined;
  let databaseUrl: string | undefined;
  if (o.store === 'postgres') {
    databaseUrl = o.databaseUrl;
    if (!databaseUrl) {
      cluster = await startThrowawayPostgres();
      databaseUrl = cluster.url;
    }
  }
  // The API reads its catalogue from the same server (the database stage's loader; skipped in under a
  // second when the server already holds this data set's dataHash).
  if (databaseUrl) {
    const processedDir = join(o.dataDir, 'processed', o.dataset);
    await loadPostgresDatabase({ processedDir, databaseUrl, dataset: o.dataset, log: () => undefined });
  }
  const storeShown = databaseUrl
    ? `PostgreSQL ${redactDatabaseUrl(databaseUrl)}${cluster ? ' (throwaway cluster, removed)' : ''}`
    : `SQLite ${storePath} (removed)`;
  const adminToken = randomBytes(32).toString('base64url');
  const api = await startApi({
    name: `api (${o.store})`,
    script: o.workers > 1 ? 'cluster.ts' : 'main.ts',
    workers: o.workers,
    logLevel: o.logLevel,
    env: {
      REELRANK_DATASET: o.dataset,
      REELRANK_DATA_DIR: o.dataDir,
      REELRANK_MODELS_DIR: o.modelsDir,
      REELRANK_RATINGS_DB: storePath,
      DATABASE_URL: databaseUrl, // undefined: not passed on, so a DATABASE_URL of the caller's shell cannot leak in
      REELRANK_WORKERS: String(o.workers),
      // The writes' credential: an admin may post any user's ratings.
      REELRANK_ADMIN_TOKEN: adminToken,
      ...LIFTED_BUDGETS, // one client writing 1,000+ ratings/s for thousands of users
    },
  });
  const { url } = api;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const postRatings = async (ratings: ReturnType<typeof freshRatings>): Promise<number> => {
    const body = JSON.stringify(ratings.length === 1 ? ratings[0] : { ratings });
    const { status, text } = await sendJson(agent, url, 'POST', '/ratings', body, { authorization: `Bearer ${adminToken}` });
    if (status === 201) for (const r of ratings) acknowledged.set(`${r.user_id}:${r.movie_id}`, r.rating);
    else noteProblem(status, text);
    return status;
  };
  const rows: Row[] = [];
  const goals: [boolean, string][] = [];
  const users = Array.from(o.userIds);
  shuffleInPlace(users, random);
  const posters = users.slice(0, o.users);
  const others = users.slice(o.users, 2 * o.users);
  if (others.length < o.users) {
    throw new Error(`the model knows ${users.length} users; the benchmark needs ${2 * o.users} (--users=${o.users} who post and as many who do not)`);
  }
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
  const p99 = (row: Row) =>
    quantile(
      [...row.latencies].sort((a, b) => a - b),
      0.99,
    );

  // Warm-up (JIT, page cache): 2 s of trained-user recommendations, not counted.
  const warm = recorder('warm-up', '', '');
  await paced(o.rate, 2, (_i, at) => recommend(pick(others), warm, at));

  if (o.phases.has('fresh')) {
    for (const userId of posters) {
      if ((await postRatings(freshRatings([userId], 5))) !== 201) throw new Error(`POST /ratings for user ${userId} failed`);
    }
    // Each poster's first answer folds them in: measured one at a time (not paced), then cached.
    const first = recorder('fresh', 'POST /recommendations, first after posting (folds)', 'one at a time');
    const firstStarted = performance.now();
    for (const userId of posters) await recommend(userId, first, performance.now(), true);
    first.perSecond = first.done / ((performance.now() - firstStarted) / 1000);
    const trained = recorder('fresh', 'POST /recommendations, users who posted nothing', `${o.rate}/s`);
    const trainedSeconds = await paced(o.rate, o.seconds, (_i, at) => recommend(pick(others), trained, at));
    trained.perSecond = trained.done / trainedSeconds;
    const cached = recorder('fresh', 'POST /recommendations, users who posted (cached fold)', `${o.rate}/s`);
    const cachedSeconds = await paced(o.rate, o.seconds, (_i, at) => recommend(pick(posters), cached, at, true));
    cached.perSecond = cached.done / cachedSeconds;
    const ratingsRow = recorder('fresh', 'POST /ratings (1), then at once:', `${o.rate}/s`);
    const refold = recorder('fresh', 'POST /recommendations right after the user posted', `${o.rate}/s`);
    const elapsed = await paced(o.rate, o.seconds, async (_i, at) => {
      const userId = pick(posters);
      ratingsRow.add(await postRatings(freshRatings([userId], 1)), performance.now() - at);
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
    for (const row of [cached, refold]) goals.push([p99(row) <= 10, `p99 <= 10 ms: ${row.route}`]);
  }

  if (o.phases.has('load')) {
    const writes = recorder('load', `POST /ratings (${o.batch} per request)`, `${o.writeRate} ratings/s`);
    const reads = recorder('load', 'POST /recommendations, alongside', `${o.readRate}/s`);
    const newUsers = Int32Array.from({ length: 5000 }, (_, i) => 1_000_000 + i); // users the model never saw
    const writers = paced(o.writeRate / o.batch, o.loadSeconds, async (_i, at) => {
      const ratings = freshRatings(random() < 0.2 ? o.userIds : newUsers, o.batch);
      writes.add(await postRatings(ratings), performance.now() - at);
    });
    const readers = paced(o.readRate, o.loadSeconds, (_i, at) => recommend(random() < 0.5 ? pick(posters) : pick(users), reads, at));
    const [writeSeconds, readSeconds] = await Promise.all([writers, readers]);
    writes.perSecond = ((writes.done - writes.failed) * o.batch) / writeSeconds;
    reads.perSecond = reads.done / readSeconds;
    writes.note = `${((writes.done - writes.failed) * o.batch).toLocaleString('en-US')} ratings acknowledged`;
    rows.push(writes, reads);
    goals.push([writes.perSecond >= 1000, `>= 1,000 acknowledged ratings/s (${writes.perSecond.toFixed(0)}/s)`]);
  }

  agent.destroy();
  console.error(`stopping the server (${o.store}): ${await api.stop()}`);
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
  return { rows, goals, problems, storeShown };
}
