/**
 * Ingest + database load benchmark (issue 5, item 3).
 *
 *   npx tsx tools/bench-ingest.ts [--ratings 20000263] [--dir DIR (default <os tmpdir>/reelrank-bench)] [--skip-ingest] [--keep]
 *
 * 1. generates (or reuses) the deterministic ml-20m-shaped source folder under --dir with the ingest
 *    stage's own synthetic generator (the `synthetic` data set; scaled down for smaller --ratings);
 * 2. runs each phase in its own child process so the peak RSS is per phase:
 *    ingest (runIngest of @reelrank/ingest on the local folder), parse (papaparse alone over the
 *    processed ratings.csv), load (loadDatabase of @reelrank/database), read (readRatingsColumns);
 * 3. imports the same processed ratings.csv with Debian's sqlite3 CLI (`.import --csv --skip 1`)
 *    into an empty table with the same definition as ours, as the reference, and prints a table.
 * Peak RSS comes from /usr/bin/time -v when present, else from the child's own resourceUsage().
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSyntheticMovieLens, ML20M_SHAPE, scaledMl20mShape } from '@reelrank/ingest';

const ROOT = resolve(__dirname, '..');

interface Args {
  ratings: number;
  dir: string;
  skipIngest: boolean;
  keep: boolean;
  phase: string | null;
}

function readArgs(): Args {
  const { values } = parseArgs({
    options: {
      ratings: { type: 'string', default: String(ML20M_SHAPE.ratings) },
      dir: { type: 'string', default: join(tmpdir(), 'reelrank-bench') },
      'skip-ingest': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      phase: { type: 'string' },
    },
    strict: true,
  });
  const ratings = Number(values.ratings.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(ratings) || ratings < 100) throw new Error('--ratings must be an integer >= 100');
  return { ratings, dir: resolve(values.dir), skipIngest: values['skip-ingest'], keep: values.keep, phase: values.phase ?? null };
}

// ---------------------------------------------------------------------------------------------
// The source: the ingest stage's own seeded synthetic generator (ml-20m shape, scaled down for --ratings)
// ---------------------------------------------------------------------------------------------

interface Shape {
  ratings: number;
  users: number;
  movies: number;
}

/** Generates the source folder once per shape (a marker written last makes it reusable). */
async function generateSource(dir: string, shape: Shape): Promise<void> {
  const marker = join(dir, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(shape)) return;
  rmSync(dir, { recursive: true, force: true });
  const result = await generateSyntheticMovieLens({ dir, ...shape, seed: 42, log: (line) => process.stderr.write(`${line}\n`) });
  writeFileSync(marker, JSON.stringify(shape));
  process.stderr.write(
    `[bench] generated ${result.ratings} ratings (${result.users} users, ${result.movies} movies) in ${result.seconds.toFixed(1)} s\n`,
  );
}

/** The processed folder without the ingest stage: ratings as generated, movies with a year column. */
function writeProcessedDirectly(sourceDir: string, processedDir: string): void {
  mkdirSync(processedDir, { recursive: true });
  spawnSync('cp', [join(sourceDir, 'ratings.csv'), join(processedDir, 'ratings.csv')]);
  const lines = readFileSync(join(sourceDir, 'movies.csv'), 'utf8').split('\n').slice(1).filter(Boolean);
  let out = 'movieId,title,year,genres\n';
  for (const line of lines) {
    const m = /^(\d+),(".*"|[^,]*),(.*)$/.exec(line);
    if (!m) continue;
    const year = /\((\d{4})\)"?$/.exec(m[2])?.[1] ?? '';
    out += `${m[1]},${m[2]},${year},${m[3] === '(no genres listed)' ? '' : m[3]}\n`;
  }
  writeFileSync(join(processedDir, 'movies.csv'), out);
  writeFileSync(join(processedDir, 'report.json'), JSON.stringify({ dataHash: `bench-${statSync(join(sourceDir, 'ratings.csv')).size}` }));
}

// ---------------------------------------------------------------------------------------------
// Phases (each runs in a child process)
// ---------------------------------------------------------------------------------------------

interface PhaseResult {
  seconds: number;
  /** User + system CPU seconds of the whole child (from /usr/bin/time -v); robust on a busy machine. */
  cpuSeconds?: number;
  rows?: number;
  maxRssMb: number;
  extra?: Record<string, number | string>;
}

function paths(args: Args) {
  const base = join(args.dir, `n${args.ratings}`);
  return {
    source: join(base, 'source'),
    dataDir: join(base, 'data'),
    processed: join(base, 'data', 'processed', 'synthetic'),
    db: join(base, 'data', 'synthetic.db'),
    cliDb: join(base, 'cli.db'),
  };
}

async function runPhase(args: Args): Promise<PhaseResult> {
  const p = paths(args);
  const log = (line: string) => {
    if (!line.includes('%')) process.stderr.write(`  ${line}\n`);
  };
  const t0 = performance.now();
  const secs = () => (performance.now() - t0) / 1000;
  switch (args.phase) {
    case 'ingest': {
      const { loadConfig } = await import('@reelrank/config');
      const { runIngest } = await import('@reelrank/ingest');
      const env = { ...process.env, REELRANK_DATASET: 'synthetic', MOVIELENS_SOURCE: p.source, REELRANK_DATA_DIR: p.dataDir };
      const config = loadConfig({ env, root: ROOT });
      const report = await runIngest(config, { log });
      return { seconds: secs(), rows: report.counts.ratings, maxRssMb: 0 };
    }
    case 'parse': {
      const { streamCsv } = await import('@reelrank/database');
      let sum = 0;
      const rows = await streamCsv(join(p.processed, 'ratings.csv'), ['userId', 'movieId', 'rating', 'timestamp'], (chunk, col) => {
        for (const r of chunk) sum += Number(r[col[2]]);
      });
      return { seconds: secs(), rows, maxRssMb: 0, extra: { checksum: sum } };
    }
    case 'load': {
      const { loadDatabase } = await import('@reelrank/database');
      const result = await loadDatabase({ processedDir: p.processed, dbPath: p.db, dataset: 'synthetic', log });
      return { seconds: secs(), rows: result.counts.ratings, maxRssMb: 0, extra: { dbMb: Math.round(statSync(p.db).size / 1e6) } };
    }
    case 'read-sql':
    case 'read': {
      const db = await import('@reelrank/database');
      const conn = db.openDatabase(p.db, { readonly: true });
      try {
        const read = args.phase === 'read' ? db.readRatingsColumns : db.readRatingsColumnsSql;
        const t = performance.now();
        const cols = read(conn);
        const seconds = (performance.now() - t) / 1000;
        let check = 0;
        for (let i = 0; i < cols.userIds.length; i += 997) check += cols.userIds[i] * 3 + cols.movieIds[i] + cols.ratings[i];
        return { seconds, rows: cols.userIds.length, maxRssMb: 0, extra: { checksum: check } };
      } finally {
        conn.close();
      }
    }
    default:
      throw new Error(`unknown phase ${args.phase}`);
  }
}

interface Measured extends PhaseResult {
  name: string;
}

function parseTimeV(stderr: string): number {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return m ? Number(m[1]) / 1024 : 0;
}

function cpuTimeV(stderr: string): number | undefined {
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return user && sys ? Number(user[1]) + Number(sys[1]) : undefined;
}

const HAS_TIME = existsSync('/usr/bin/time');

/** Runs one phase of this script in a child node (tsx), under /usr/bin/time -v when available. */
function child(name: string, args: Args): Measured {
  const tsxCli = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const cmd = [process.execPath, tsxCli, __filename, '--ratings', String(args.ratings), '--dir', args.dir, '--phase', name];
  const run = HAS_TIME
    ? spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
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
  const rss = parseTimeV(stderr);
  return { name, ...result, maxRssMb: rss > 0 ? rss : result.maxRssMb, cpuSeconds: cpuTimeV(stderr) };
}

function sqliteCli(): string {
  const has = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  if (has.status === 0) return 'sqlite3';
  process.stderr.write('[bench] sqlite3 not found: apt-get install -y sqlite3\n');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', 'sqlite3'], { stdio: 'inherit' });
  if (spawnSync('sqlite3', ['--version']).status !== 0) throw new Error('sqlite3 CLI unavailable (apt-get install -y sqlite3 failed)');
  return 'sqlite3';
}

/** The reference: sqlite3 .import into an empty table with our definition (taken from our database). */
function cliImport(args: Args, withIndexes: boolean): Measured {
  const p = paths(args);
  const bin = sqliteCli();
  const ours = spawnSync(
    bin,
    [
      p.db,
      "SELECT replace(replace(sql, char(10), ' '), char(9), ' ') || ';' FROM sqlite_master WHERE tbl_name = 'ratings' AND sql IS NOT NULL ORDER BY type DESC",
    ],
    { encoding: 'utf8' },
  );
  const [table, ...indexes] = ours.stdout.trim().split('\n');
  if (!table?.startsWith('CREATE TABLE')) throw new Error(`could not read the ratings DDL from ${p.db}`);
  rmSync(p.cliDb, { force: true });
  spawnSync(bin, [p.cliDb, table]);
  const script = `.import --csv --skip 1 ${join(p.processed, 'ratings.csv')} ratings\n${withIndexes ? indexes.join('\n') : ''}\n`;
  const t0 = performance.now();
  const run = spawnSync(HAS_TIME ? '/usr/bin/time' : bin, HAS_TIME ? ['-v', bin, p.cliDb] : [p.cliDb], { input: script, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`sqlite3 import failed: ${run.stderr}`);
  const rows = Number(spawnSync(bin, [p.cliDb, 'SELECT COUNT(*) FROM ratings'], { encoding: 'utf8' }).stdout.trim());
  if (!args.keep) rmSync(p.cliDb, { force: true });
  return {
    name: withIndexes ? 'sqlite3 .import + indexes' : 'sqlite3 .import',
    seconds,
    rows,
    maxRssMb: parseTimeV(run.stderr),
    cpuSeconds: cpuTimeV(run.stderr),
  };
}

async function main(): Promise<void> {
  const args = readArgs();
  if (args.phase) {
    const result = await runPhase(args);
    result.maxRssMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const shape = scaledMl20mShape(args.ratings);
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
      ` (goal <= 1.5x); peak RSS goal <= 1536 MB\n`,
  );
  process.stdout.write(
    `note: "read" is readRatingsColumns (packed user_rating_blobs), "read-sql" the row-by-row SQL reader; seconds of the read phases time the call only\n`,
  );
  for (const m of measured) if (m.extra) process.stdout.write(`  ${m.name}: ${JSON.stringify(m.extra)}\n`);
  if (!args.keep) rmSync(p.dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-ingest failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
