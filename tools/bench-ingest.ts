/**
 * Ingest + database load benchmark.
 *
 *   npx tsx tools/bench-ingest.ts [--ratings 20000263 | --shape 32m] [--dir DIR (default <os tmpdir>/reelrank-bench)] [--skip-ingest] [--keep]
 *                                 [--postgres [--database-url postgres://...]] [--record]
 *
 * 1. generates (or reuses) the deterministic ml-20m-shaped source folder under --dir with the ingest
 *    stage's own synthetic generator (the `synthetic` data set; scaled down for smaller --ratings;
 *    `--shape 32m`: ml-32m's shape, the `synthetic-32m` data set);
 * 2. runs each phase in its own child process so the peak RSS is per phase:
 *    ingest (runIngest of @reelrank/ingest on the local folder), parse (papaparse alone over the
 *    processed ratings.csv), load (loadDatabase of @reelrank/database), read (readRatingsColumns);
 * 3. imports the same processed ratings.csv with Debian's sqlite3 CLI (`.import --csv --skip 1`)
 *    into an empty table with the same definition as ours, as the reference, and prints a table;
 * 4. with --postgres, on a throwaway PostgreSQL cluster (tools/pg/throwaway.ts; or --database-url,
 *    whose catalogue is REPLACED): `psql \copy` of the same file into a table with the catalogue
 *    ratings' keys and indexes, then the database stage's loadPostgresDatabase (phase load-pg).
 * --record writes the figures to docs/benchmarks/ingest-<shape>.json (drawn by `npm run bench:charts`).
 * Peak RSS comes from /usr/bin/time -v when present, else from the child's own resourceUsage().
 * The parts: tools/lib/ingest-bench-phases.ts (the source folder and the phases a child runs),
 * tools/lib/sqlite-reference.ts (the sqlite3 .import reference), tools/lib/time-v.ts (GNU time).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ML20M_SHAPE, ML32M_SHAPE, scaledMl20mShape } from '@reelrank/ingest';
import { generateSource, paths, runPhase, writeProcessedDirectly, type IngestBenchArgs, type PhaseResult } from './lib/ingest-bench-phases';
import { psqlCopy } from './lib/postgres-reference';
import { cliImport, type Measured } from './lib/sqlite-reference';
import { startThrowawayPostgres } from './pg/throwaway';
import { cpuSecondsOf, peakRssKiB, spawnTimed } from './lib/time-v';
import { benchRecord, writeBenchRecord } from './lib/bench-record';

const ROOT = resolve(__dirname, '..');

function readArgs(): IngestBenchArgs & { postgres: boolean; record: boolean; shapeName: string | null } {
  const { values } = parseArgs({
    options: {
      ratings: { type: 'string' },
      shape: { type: 'string' },
      dir: { type: 'string', default: join(tmpdir(), 'reelrank-bench') },
      'skip-ingest': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      postgres: { type: 'boolean', default: false },
      record: { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      phase: { type: 'string' },
    },
    strict: true,
  });
  if (values.shape !== undefined && values.shape !== '32m') throw new Error('--shape must be 32m (the default is ml-20m, scaled by --ratings)');
  if (values.shape !== undefined && values.ratings !== undefined) throw new Error('--shape and --ratings exclude each other');
  const ratings = values.shape ? ML32M_SHAPE.ratings : Number((values.ratings ?? String(ML20M_SHAPE.ratings)).replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(ratings) || ratings < 100) throw new Error('--ratings must be an integer >= 100');
  const shape = values.shape ? { ...ML32M_SHAPE } : scaledMl20mShape(ratings);
  const databaseUrl = values['database-url'] ?? null;
  if (databaseUrl && !values.postgres && !values.phase) throw new Error('--database-url goes with --postgres');
  return {
    ratings,
    shape,
    dir: resolve(values.dir),
    skipIngest: values['skip-ingest'],
    keep: values.keep,
    phase: values.phase ?? null,
    postgres: values.postgres,
    databaseUrl,
    record: values.record,
    shapeName: values.shape ?? null,
  };
}

/** Runs one phase of this script in a child node (tsx), under /usr/bin/time -v when available. */
function child(name: string, args: IngestBenchArgs): Measured {
  const tsxCli = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const size = args.shape.ratings === ML32M_SHAPE.ratings ? ['--shape', '32m'] : ['--ratings', String(args.ratings)];
  const pg = args.databaseUrl ? ['--database-url', args.databaseUrl] : [];
  const cmd = [process.execPath, tsxCli, __filename, ...size, '--dir', args.dir, ...pg, '--phase', name];
  const { result: run } = spawnTimed(cmd[0], cmd.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const stderr = run.stderr ?? '';
  process.stderr.write(
    stderr
      .split('\n')
      .filter((l) => l.startsWith('  ') && !l.startsWith('\t'))
      .join('\n') + '\n',
  );
  const line = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(
      `phase ${name} failed (exit ${run.status}):\n${stderr
        .split('\n')
        .filter((l) => !l.startsWith('\t'))
        .slice(-15)
        .join('\n')}`,
    );
  }
  const result = JSON.parse(line) as PhaseResult;
  const rss = (peakRssKiB(stderr) ?? 0) / 1024;
  return { name, ...result, maxRssMb: rss > 0 ? rss : result.maxRssMb, cpuSeconds: cpuSecondsOf(stderr) };
}

/** The PostgreSQL part: the psql \copy reference, then our load, on one server (a throwaway cluster unless --database-url). */
async function postgresPart(args: IngestBenchArgs): Promise<{ psql: Measured; ours: Measured }> {
  const cluster = args.databaseUrl ? null : await startThrowawayPostgres({ database: 'reelrank_bench' });
  const withUrl = { ...args, databaseUrl: args.databaseUrl ?? cluster!.url };
  try {
    const psql = await psqlCopy(withUrl, withUrl.databaseUrl);
    return { psql, ours: child('load-pg', withUrl) };
  } finally {
    await cluster?.stop();
  }
}

async function main(): Promise<void> {
  const args = readArgs();
  if (args.phase) {
    const result = await runPhase(args);
    result.maxRssMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const { shape } = args;
  const p = paths(args);
  process.stderr.write(`[bench] ${JSON.stringify(shape)} under ${join(args.dir, `n${args.ratings}`)}\n`);
  await generateSource(p.source, shape);

  const measured: Measured[] = [];
  let ingest: Measured | null = null;
  rmSync(p.dataDir, { recursive: true, force: true });
  if (!args.skipIngest) {
    try {
      ingest = child('ingest', args);
      measured.push(ingest);
    } catch (error) {
      process.stderr.write(`[bench] ingest stage unusable, writing the processed folder directly: ${(error as Error).message}\n`);
    }
  }
  if (!ingest) writeProcessedDirectly(p.source, p.processed);
  measured.push(child('parse', args));
  const load = child('load', args);
  measured.push(load);
  measured.push(child('read', args));
  try {
    measured.push(child('read-sql', args));
  } catch (error) {
    process.stderr.write(`[bench] read-sql: ${(error as Error).message}\n`);
  }
  const cli = cliImport(args, false);
  measured.push(cli);
  measured.push(cliImport(args, true));
  const pg = args.postgres ? await postgresPart(args) : null;
  if (pg) measured.push(pg.psql, pg.ours);

  const total = (ingest?.seconds ?? 0) + load.seconds;
  const fmt = (n: number, d = 2) => n.toFixed(d);
  const rows: string[][] = [['phase', 'rows', 'seconds', 'rows/s', 'CPU s (child)', 'peak RSS MB']];
  const cpu = (m: Measured) => (m.cpuSeconds === undefined ? '' : fmt(m.cpuSeconds));
  for (const m of measured)
    rows.push([
      m.name,
      String(m.rows ?? ''),
      fmt(m.seconds),
      m.rows && m.seconds ? Math.round(m.rows / m.seconds).toLocaleString('en-US') : '',
      cpu(m),
      fmt(m.maxRssMb, 0),
    ]);
  rows.push([
    ingest ? 'ingest + load (ours)' : 'load (ours, no ingest)',
    String(load.rows ?? ''),
    fmt(total),
    '',
    '',
    fmt(Math.max(ingest?.maxRssMb ?? 0, load.maxRssMb), 0),
  ]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const out = rows.map((r) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`);
  out.splice(1, 0, `|${widths.map((w, c) => (c === 0 ? ':' : '-').padEnd(w + 1, '-') + (c === 0 ? '-' : ':')).join('|')}|`);
  process.stdout.write(`\n${out.join('\n')}\n\n`);
  process.stdout.write(
    `ratio (ours / sqlite3 .import): load ${fmt(load.seconds / cli.seconds)}x` +
      (ingest ? `, ingest+load ${fmt(total / cli.seconds)}x` : '') +
      ` (goal <= 1.3x); peak RSS goal <= 1536 MB\n`,
  );
  if (ingest?.cpuSeconds !== undefined && load.cpuSeconds !== undefined && cli.cpuSeconds) {
    // CPU seconds move far less than wall seconds when the machine is shared.
    process.stdout.write(`CPU ratio (ours / sqlite3 .import): ingest+load ${fmt((ingest.cpuSeconds + load.cpuSeconds) / cli.cpuSeconds)}x\n`);
  }
  if (pg) {
    const ours = (ingest?.seconds ?? 0) + pg.ours.seconds;
    process.stdout.write(
      `ratio (ours / psql \\copy into the keyed table): PostgreSQL load ${fmt(pg.ours.seconds / pg.psql.seconds)}x` +
        (ingest ? `, ingest+load ${fmt(ours / pg.psql.seconds)}x (${fmt(ours)} s)` : '') +
        ` (goal <= 1.0x)\n`,
    );
  }
  process.stdout.write(
    `note: "read" is readRatingsColumns (packed user_rating_blobs), "read-sql" the row-by-row SQL reader; seconds of the read phases time the call only\n`,
  );
  for (const m of measured) if (m.extra) process.stdout.write(`  ${m.name}: ${JSON.stringify(m.extra)}\n`);
  if (args.record) {
    const label = args.shapeName ?? (args.ratings === ML20M_SHAPE.ratings ? '20m' : `n${args.ratings}`);
    const flags = [
      args.shapeName ? `--shape ${args.shapeName}` : args.ratings === ML20M_SHAPE.ratings ? '' : `--ratings ${args.ratings}`,
      args.postgres ? '--postgres' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const phase = (m: Measured) => ({
      name: m.name,
      seconds: m.seconds,
      cpuSeconds: m.cpuSeconds ?? null,
      rows: m.rows ?? null,
      peakRssMb: m.maxRssMb,
    });
    const results: IngestRecord = {
      shape,
      ingestSeconds: ingest?.seconds ?? null,
      sqlite: { loadSeconds: load.seconds, importSeconds: cli.seconds },
      postgres: pg ? { loadSeconds: pg.ours.seconds, copySeconds: pg.psql.seconds } : null,
      phases: measured.map(phase),
    };
    writeBenchRecord(benchRecord(`ingest-${label}`, `npm run bench:ingest -- ${flags}${flags ? ' ' : ''}--record`, results));
  }
  if (!args.keep) rmSync(p.dataDir, { recursive: true, force: true });
}

/** What `--record` keeps: the stages' and the reference tools' seconds in one run, and every phase. */
export interface IngestRecord {
  shape: { ratings: number; users: number; movies: number };
  ingestSeconds: number | null;
  sqlite: { loadSeconds: number; importSeconds: number };
  postgres: { loadSeconds: number; copySeconds: number } | null;
  phases: { name: string; seconds: number; cpuSeconds: number | null; rows: number | null; peakRssMb: number }[];
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-ingest failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
