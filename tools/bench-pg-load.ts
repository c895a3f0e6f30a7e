/**
 * PostgreSQL load benchmark: the database stage's COPY load against `psql \copy` of the same file,
 * in the same run, on the same server (the goal: ours <= 1.5x psql for the ratings).
 *
 *   npm run bench:pg-load -- [--ratings 20000263] [--cache $TMPDIR/reelrank-bench-pg] [--database-url postgres://...] [--no-sqlite]
 *
 * 1. The processed synthetic set (the ingest stage with REELRANK_DATASET=synthetic and
 *    REELRANK_SYNTHETIC_RATINGS=--ratings: ml-20m's shape at 20,000,263, users and movies scaled down
 *    for fewer) under --cache, reused when already there.
 * 2. A throwaway PostgreSQL cluster (tools/pg/throwaway.ts, default settings), or --database-url
 *    (its catalogue is REPLACED by the whole-load step, and schema reelrank_bench is created and dropped).
 * 3. Each step after a CHECKPOINT, into a table defined like reelrank_catalogue.ratings:
 *    (a) psql \copy of processed ratings.csv (CSV) into the table with its primary key, and into a
 *        key-less one followed by ADD PRIMARY KEY (psql run as a child process, timed whole);
 *    (b) our ratings step: the loader's (the file's CSV to COPY while the ingest parser reads it into
 *        columns for the blobs, then the primary key), and the alternatives it does not take (COPY
 *        into the keyed table; parse first, then a binary COPY of the columns);
 *    (c) the whole loadPostgresDatabase (every table, blobs, indexes, ANALYZE, swap);
 *    (d) for reference, the SQLite loadDatabase of the same set.
 * Prints one table: seconds, rows/s, ratio to psql \copy into the keyed table. The machine's other
 * load shows in every figure: compare within one run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadConfig } from '@reelrank/config';
import {
  CATALOGUE_SCHEMA,
  connectPostgres,
  copyRatingColumns,
  copyRatingsFile,
  loadDatabase,
  loadPostgresDatabase,
  migratePostgresCatalogue,
  readRatingColumns,
} from '@reelrank/database';
import { ML20M_SHAPE, runIngest, scaledMl20mShape } from '@reelrank/ingest';
import { markdownTable, positiveIntFlag } from './lib/bench-kit';
import { findPostgresBinDir, startThrowawayPostgres, type ThrowawayPostgres } from './pg/throwaway';

const ROOT = resolve(__dirname, '..');
const BENCH_SCHEMA = 'reelrank_bench';
const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

const int = positiveIntFlag;

/** The processed folder of the synthetic set of `ratings` ratings under `cache`, ingested once. */
async function processedSet(cache: string, ratings: number): Promise<string> {
  const shape = scaledMl20mShape(ratings);
  const root = join(cache, `root-${ratings === ML20M_SHAPE.ratings ? '20m' : ratings}`);
  mkdirSync(join(root, 'data'), { recursive: true });
  cpSync(join(ROOT, 'config'), join(root, 'config'), { recursive: true });
  writeFileSync(join(root, 'nx.json'), '{}');
  const config = loadConfig({
    root,
    env: {
      REELRANK_DATASET: 'synthetic',
      REELRANK_SYNTHETIC_RATINGS: String(shape.ratings),
      REELRANK_SYNTHETIC_USERS: String(shape.users),
      REELRANK_SYNTHETIC_MOVIES: String(shape.movies),
    },
  });
  const { processedDir } = config.paths;
  if (existsSync(join(processedDir, 'report.json'))) err(`[bench] reusing ${processedDir}`);
  else {
    err(`[bench] generating and ingesting ${shape.ratings} ratings into ${processedDir}`);
    await runIngest(config, { log: err });
  }
  return processedDir;
}

interface Row {
  step: string;
  seconds: number;
  rows: number;
}

async function main(): Promise<void> {
  // Declarative: this tool's own flags for node:util parseArgs (alike other tools' tables by shape only).
  const { values } = parseArgs({
    options: {
      ratings: { type: 'string' },
      cache: { type: 'string' },
      'database-url': { type: 'string' },
      'no-sqlite': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(readFileSync(__filename, 'utf8').split('*/')[0]);
    return;
  }
  const ratings = int('ratings', values.ratings, ML20M_SHAPE.ratings);
  const cache = resolve(values.cache ?? join(tmpdir(), 'reelrank-bench-pg'));
  const processedDir = await processedSet(cache, ratings);
  const ratingsCsv = join(processedDir, 'ratings.csv');

  let cluster: ThrowawayPostgres | null = null;
  let url = values['database-url'];
  if (!url) {
    err('[bench] starting a throwaway PostgreSQL cluster');
    cluster = await startThrowawayPostgres({ database: 'reelrank_bench' });
    url = cluster.url;
  }
  const binDir = findPostgresBinDir();
  const psql = binDir ? join(binDir, 'psql') : 'psql';
  const client = await connectPostgres(url, 'reelrank bench:pg-load');
  const rows: Row[] = [];
  try {
    const version = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    out('# reelrank PostgreSQL load benchmark');
    out(
      `node ${process.version}, ${cpus().length} cores, PostgreSQL ${version}${cluster ? ' (throwaway cluster, default settings)' : ''}; ${ratings} ratings`,
    );
    await migratePostgresCatalogue(client);
    const q = (sql: string) => client.query(sql);
    const table = (name: string, keyed: boolean) =>
      `CREATE TABLE ${BENCH_SCHEMA}.${name} (LIKE ${CATALOGUE_SCHEMA}.ratings ${keyed ? 'INCLUDING ALL' : 'INCLUDING DEFAULTS'})`;
    const fresh = async () => {
      await q(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`);
      await q(`CREATE SCHEMA ${BENCH_SCHEMA}`);
      await q('CHECKPOINT');
    };
    const time = async (step: string, n: number, body: () => Promise<unknown>) => {
      err(`[bench] ${step}`);
      const started = performance.now();
      await body();
      const row = { step, seconds: (performance.now() - started) / 1000, rows: n };
      rows.push(row);
      err(`[bench] ${step}: ${row.seconds.toFixed(2)} s`);
    };
    const psqlCopy = (target: string) => {
      const result = spawnSync(
        psql,
        [
          url,
          '-v',
          'ON_ERROR_STOP=1',
          '-q',
          '-c',
          `\\copy ${target} (user_id, movie_id, rating, timestamp) FROM '${ratingsCsv}' WITH (FORMAT csv, HEADER true)`,
        ],
        {
          encoding: 'utf8',
        },
      );
      if (result.status !== 0) throw new Error(`psql \\copy failed: ${result.stderr || result.error?.message}`);
    };

    // (a) psql \copy, into the keyed table and into a key-less one + ADD PRIMARY KEY.
    await fresh();
    await q(table('ratings', true));
    await time('psql \\copy ratings.csv -> table with its primary key', ratings, async () => psqlCopy(`${BENCH_SCHEMA}.ratings`));
    await fresh();
    await q(table('ratings', false));
    await time('psql \\copy ratings.csv -> key-less table, then ADD PRIMARY KEY', ratings, async () => {
      psqlCopy(`${BENCH_SCHEMA}.ratings`);
      await q(`ALTER TABLE ${BENCH_SCHEMA}.ratings ADD PRIMARY KEY (user_id, movie_id)`);
    });

    // (b) our ratings step: the loader's own functions, in one transaction as in the load (COPY FREEZE needs it).
    const ctx = { client: client as pg.ClientBase, schema: BENCH_SCHEMA, log: () => undefined };
    const ours = async (how: 'pass-through' | 'binary', keyed: boolean) => {
      await q('BEGIN');
      try {
        await q(table('ratings', keyed));
        if (how === 'pass-through') await copyRatingsFile(ctx, ratingsCsv);
        else await copyRatingColumns(ctx, await readRatingColumns(ratingsCsv, () => undefined));
        if (!keyed) {
          await q(`SET LOCAL maintenance_work_mem = '512MB'`);
          await q(`ALTER TABLE ${BENCH_SCHEMA}.ratings ADD PRIMARY KEY (user_id, movie_id)`);
        }
        await q('COMMIT');
      } catch (error) {
        await q('ROLLBACK');
        throw error;
      }
    };
    const variants: [string, 'pass-through' | 'binary', boolean][] = [
      ['ours: CSV COPY alongside the parse -> key-less table + primary key (the loader)', 'pass-through', false],
      ['ours: CSV COPY alongside the parse -> table with its primary key', 'pass-through', true],
      ['ours: parse, then binary COPY -> key-less table + primary key', 'binary', false],
    ];
    for (const [step, how, keyed] of variants) {
      await fresh();
      await time(step, ratings, () => ours(how, keyed));
    }
    await q(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`);

    // (c) the whole load; (d) SQLite for reference.
    await q('CHECKPOINT');
    await time('ours: whole loadPostgresDatabase (all tables, blobs, indexes, ANALYZE, swap)', ratings, () =>
      loadPostgresDatabase({ processedDir, databaseUrl: url, dataset: 'synthetic', log: err, force: true }),
    );
    if (!values['no-sqlite']) {
      const dbPath = join(cache, `bench-${ratings}.db`);
      await time('SQLite loadDatabase (reference)', ratings, () => loadDatabase({ processedDir, dbPath, dataset: 'synthetic', log: err }));
      rmSync(dbPath, { force: true });
    }
  } finally {
    await client.end().catch(() => undefined);
    await cluster?.stop();
  }

  const psqlSeconds = rows[0].seconds;
  out();
  out(
    markdownTable(
      ['step', 'seconds', 'ratings/s', 'vs psql \\copy (keyed)'],
      rows.map((r) => [
        r.step,
        r.seconds.toFixed(2),
        Math.round(r.rows / r.seconds).toLocaleString('en-US'),
        `${(r.seconds / psqlSeconds).toFixed(2)}x`,
      ]),
    ),
  );
  out();
  out('Timings share the machine with whatever else runs on it: compare within one run.');
}

main().catch((error: Error) => {
  err(`bench:pg-load failed: ${error.message}`);
  process.exit(1);
});
