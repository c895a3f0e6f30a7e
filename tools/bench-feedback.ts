/**
 * `npm run bench:feedback` (tsx tools/bench-feedback.ts): ratings in, answers out, under load.
 *
 * Starts the API (apps/api/src/main.ts, or cluster.ts with --workers=N) on a data set's model with a
 * fresh ratings store in the OS temp folder (REELRANK_RATINGS_DB), then:
 *
 *   fresh  --users users post 5 ratings each; then POST /recommendations paced at
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
 * posted_ratings table it writes to and whose catalogue it loads, skipped when it already holds this
 * data set), or --store=sqlite,postgres: both, one after the other in the same
 * command with the very same requests (tools/lib/feedback-bench-run.ts), then one table with the stores
 * side by side (answers/s, p50 and p99 of every route; /recommendations answers from memory, so its
 * p99 should not depend on the store, read-only or with writes alongside).
 *
 * Options: --only=fresh,load --users=200 --rate=200 --seconds=20 --load-seconds=60 --write-rate=1200
 *          --batch=10 --read-rate=200 --workers=1 --log-level=warn --store=sqlite|postgres|sqlite,postgres --database-url=
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idsFromArtifacts, markdownTable, parseFlags, quantile } from './lib/bench-kit';
import { runFeedbackBench, type FeedbackBenchResult, type Row } from './lib/feedback-bench-run';
import { runStageProcess, WORKSPACE_ROOT } from './lib/processes';

const args = parseFlags();
const DATASET = args.dataset ?? 'synthetic-small';
const STORES = (args.store ?? 'sqlite').split(',');
for (const store of STORES) if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must list sqlite and/or postgres, not ${store}`);

const dataDir = join(WORKSPACE_ROOT, 'data');
const modelsDir = join(WORKSPACE_ROOT, 'models');

async function ensureArtifacts(): Promise<void> {
  if (existsSync(join(dataDir, `${DATASET}.db`)) && existsSync(join(modelsDir, DATASET, 'model.json'))) return;
  const logDir = mkdtempSync(join(tmpdir(), 'reelrank-bench-feedback-logs-'));
  for (const stage of ['ingest', 'database', 'trainer']) {
    console.error(`building ${DATASET}: ${stage} stage (log ${join(logDir, `${stage}.log`)})`);
    await runStageProcess(stage, `packages/${stage}/src/main.ts`, { ...process.env, REELRANK_DATASET: DATASET }, join(logDir, `${stage}.log`));
  }
}

const ms = (row: Row, p: number) =>
  String(
    quantile(
      [...row.latencies].sort((a, b) => a - b),
      p,
    ),
  );

async function main(): Promise<void> {
  await ensureArtifacts();
  const { userIds, movieIds } = idsFromArtifacts(join(dataDir, `${DATASET}.db`), join(modelsDir, DATASET));
  const workers = Number(args.workers ?? 1);
  const results: [string, FeedbackBenchResult][] = [];
  for (const store of STORES as ('sqlite' | 'postgres')[]) {
    console.error(`bench:feedback on ${store}`);
    const result = await runFeedbackBench({
      store,
      databaseUrl: args['database-url'],
      dataset: DATASET,
      dataDir,
      modelsDir,
      userIds,
      movieIds,
      phases: new Set((args.only ?? 'fresh,load').split(',')),
      users: Number(args.users ?? 200),
      rate: Number(args.rate ?? 200),
      seconds: Number(args.seconds ?? 20),
      loadSeconds: Number(args['load-seconds'] ?? 60),
      writeRate: Number(args['write-rate'] ?? 1200),
      batch: Number(args.batch ?? 10),
      readRate: Number(args['read-rate'] ?? 200),
      workers,
      logLevel: args['log-level'] ?? 'warn',
    });
    results.push([store, result]);
  }

  console.log('');
  const [, first] = results[0];
  if (results.length === 1) {
    console.log(
      markdownTable(
        ['phase', 'route', 'offered', 'answered', 'per s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'note'],
        first.rows.map((r) => [
          r.phase,
          r.route,
          r.offered,
          String(r.done),
          r.perSecond.toFixed(0),
          ms(r, 0.5),
          ms(r, 0.99),
          ms(r, 1),
          String(r.failed),
          r.note ?? '',
        ]),
      ),
    );
  } else {
    // Same requests on every store: row i of one run is row i of the other.
    const perStore = (title: string) => results.flatMap(([store]) => [`${store} ${title}`]);
    console.log(
      markdownTable(
        ['phase', 'route', 'offered', ...perStore('per s'), ...perStore('p50 ms'), ...perStore('p99 ms'), ...perStore('errors')],
        first.rows.map((row, i) => {
          const of = results.map(([, r]) => r.rows[i]);
          return [
            row.phase,
            row.route,
            row.offered,
            ...of.map((r) => r.perSecond.toFixed(0)),
            ...of.map((r) => ms(r, 0.5)),
            ...of.map((r) => ms(r, 0.99)),
            ...of.map((r) => String(r.failed)),
          ];
        }),
      ),
    );
  }
  console.log('');
  for (const [store, result] of results) {
    console.log(
      `- ${store}: ${DATASET}, ${userIds.length} model users x ${movieIds.length} catalogue movies; ${workers === 1 ? 'one server process' : `${workers} cluster workers`}; store ${result.storeShown}`,
    );
    for (const row of result.rows) if (row.note) console.log(`  - ${row.route}: ${row.note}`);
    for (const [ok, text] of result.goals) console.log(`  - goal ${ok ? 'MET   ' : 'MISSED'} ${text}`);
    for (const [what, count] of result.problems) console.log(`  - failed answers: ${count} x ${what}`);
    if (result.goals.some(([ok]) => !ok)) process.exitCode = 1;
  }
}

main()
  .then(() => process.exit(process.exitCode ?? 0))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
