/**
 * Ingest + database load benchmark (issue 5, item 3).
 *
 *   npx tsx tools/bench-ingest.ts [--ratings 20000263] [--dir DIR (default <os tmpdir>/reelrank-bench)] [--skip-ingest] [--keep]
 *
 * 1. generates (or reuses) a deterministic MovieLens-20M-shaped source folder under --dir
 *    (ratings.csv sorted by user then movie, movies.csv "movieId,title,genres");
 * 2. runs each phase in its own child process so the peak RSS is per phase:
 *    ingest (runIngest of @reelrank/ingest on the local folder), parse (papaparse alone over the
 *    processed ratings.csv), load (loadDatabase of @reelrank/database), read (readRatingsColumns);
 * 3. imports the same processed ratings.csv with Debian's sqlite3 CLI (`.import --csv --skip 1`)
 *    into an empty table with the same definition as ours, as the reference, and prints a table.
 * Peak RSS comes from /usr/bin/time -v when present, else from the child's own resourceUsage().
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ML20M = { ratings: 20_000_263, users: 138_493, movies: 26_744 };
const ROOT = resolve(__dirname, '..');

interface Args {
  ratings: number;
  dir: string;
  skipIngest: boolean;
  keep: boolean;
  phase: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { ratings: ML20M.ratings, dir: join(tmpdir(), 'reelrank-bench'), skipIngest: false, keep: false, phase: null };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--ratings') args.ratings = Number(argv[++i]);
    else if (a === '--dir') args.dir = resolve(argv[++i]);
    else if (a === '--skip-ingest') args.skipIngest = true;
    else if (a === '--keep') args.keep = true;
    else if (a === '--phase') args.phase = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isSafeInteger(args.ratings) || args.ratings < 100) throw new Error('--ratings must be an integer >= 100');
  return args;
}

// ---------------------------------------------------------------------------------------------
// Deterministic synthetic MovieLens-shaped source
// ---------------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GENRES = ['Action', 'Adventure', 'Animation', 'Children', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir',
  'Horror', 'IMAX', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];
const RATING_TEXT = ['0.5', '1.0', '1.5', '2.0', '2.5', '3.0', '3.5', '4.0', '4.5', '5.0'];
const RATING_WEIGHTS = [1, 3, 1.5, 7, 4.5, 21, 11, 28, 8, 14];

interface Shape {
  ratings: number;
  users: number;
  movies: number;
}

function shapeFor(ratings: number): Shape {
  const scale = ratings / ML20M.ratings;
  return { ratings, users: Math.max(1, Math.round(ML20M.users * scale)), movies: Math.min(ML20M.movies, Math.max(50, Math.round(ratings / 20))) };
}

/** Movie ids grow with gaps, like MovieLens' (1..131262 for 27k movies). */
const movieIdOf = (i: number) => 1 + i + Math.floor((i * i) / 7000);

/** Writes ratings.csv and movies.csv in the GroupLens ml-20m format; a marker makes it reusable. */
function generateSource(dir: string, shape: Shape): void {
  const marker = join(dir, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(shape)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const rand = mulberry32(20_000_263);
  const { users: U, movies: M, ratings: N } = shape;

  // movies.csv: some titles need quoting, some have no year, a few no genres.
  let movies = 'movieId,title,genres\n';
  for (let i = 0; i < M; i += 1) {
    const year = 1900 + Math.floor(rand() * 124);
    const base = i % 7 === 0 ? `"Synthetic ${i}, The (${year})"` : i % 97 === 0 ? `Synthetic ${i}` : `Synthetic ${i} (${year})`;
    const g = i % 53 === 0 ? '(no genres listed)' : [...new Set([GENRES[i % 19], GENRES[Math.floor(rand() * 19)]])].join('|');
    movies += `${movieIdOf(i)},${base},${g}\n`;
  }
  writeFileSync(join(dir, 'movies.csv'), movies);

  // Per-user counts: at least 20 (as in ml-20m), log-normal tail, summing to exactly N.
  const minPer = Math.min(20, Math.floor(N / U));
  const maxPer = Math.floor(M / 2);
  const weights = new Float64Array(U);
  let weightSum = 0;
  for (let u = 0; u < U; u += 1) {
    const g = Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    weights[u] = Math.exp(1.3 * g);
    weightSum += weights[u];
  }
  const counts = new Int32Array(U);
  let assigned = 0;
  const extra = N - minPer * U;
  for (let u = 0; u < U; u += 1) {
    counts[u] = Math.min(maxPer, minPer + Math.floor((extra * weights[u]) / weightSum));
    assigned += counts[u];
  }
  for (let u = 0; assigned < N; u = (u + 1) % U) {
    if (counts[u] < maxPer) {
      counts[u] += 1;
      assigned += 1;
    }
  }

  // Popularity: half Zipf-like, half uniform (so heavy users still find unrated movies quickly).
  const cdf = new Float64Array(M);
  let acc = 0;
  for (let i = 0; i < M; i += 1) cdf[i] = acc += 1 / Math.pow(i + 10, 0.9);
  for (let i = 0; i < M; i += 1) cdf[i] /= acc;
  const pickPopular = (x: number) => {
    let lo = 0;
    let hi = M - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const ratingCdf = new Float64Array(10);
  const wsum = RATING_WEIGHTS.reduce((s, w) => s + w, 0);
  for (let i = 0, s = 0; i < 10; i += 1) ratingCdf[i] = (s += RATING_WEIGHTS[i]) / wsum;

  const stamp = new Int32Array(M).fill(-1);
  const picked = new Int32Array(maxPer);
  const fd = openSync(join(dir, 'ratings.csv.tmp'), 'w');
  let out = 'userId,movieId,rating,timestamp\n';
  for (let u = 0; u < U; u += 1) {
    const k = counts[u];
    for (let j = 0; j < k; ) {
      const m = rand() < 0.5 ? pickPopular(rand()) : Math.floor(rand() * M);
      if (stamp[m] === u) continue;
      stamp[m] = u;
      picked[j] = m;
      j += 1;
    }
    const ids = picked.subarray(0, k).sort();
    const t0 = 789_652_009 + Math.floor(rand() * 600_000_000);
    const userId = u + 1;
    for (let j = 0; j < k; j += 1) {
      const x = rand();
      let r = 0;
      while (ratingCdf[r] < x && r < 9) r += 1;
      out += `${userId},${movieIdOf(ids[j])},${RATING_TEXT[r]},${t0 + Math.floor(rand() * 40_000_000)}\n`;
    }
    if (out.length > 1 << 20) {
      writeSync(fd, out);
      out = '';
    }
  }
  writeSync(fd, out);
  closeSync(fd);
  spawnSync('mv', [join(dir, 'ratings.csv.tmp'), join(dir, 'ratings.csv')]);
  writeFileSync(marker, JSON.stringify(shape));
  const mb = statSync(join(dir, 'ratings.csv')).size / 1e6;
  process.stderr.write(`[bench] generated ${N} ratings (${U} users, ${M} movies, ${mb.toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
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
        const read = args.phase === 'read' ? db.readRatingsColumns : (db as { readRatingsColumnsSql?: typeof db.readRatingsColumns }).readRatingsColumnsSql;
        if (!read) return { seconds: 0, maxRssMb: 0, extra: { note: 'no SQL reader exported' } };
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
  const run = HAS_TIME ? spawnSync('/usr/bin/time', ['-v', ...cmd], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 }) : spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const stderr = run.stderr ?? '';
  process.stderr.write(stderr.split('\n').filter((l) => l.startsWith('  ') && !l.startsWith('\t')).join('\n') + '\n');
  const line = (run.stdout ?? '').trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(`phase ${name} failed (exit ${run.status}):\n${stderr.split('\n').filter((l) => !l.startsWith('\t')).slice(-15).join('\n')}`);
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
  const ours = spawnSync(bin, [p.db, "SELECT replace(replace(sql, char(10), ' '), char(9), ' ') || ';' FROM sqlite_master WHERE tbl_name = 'ratings' AND sql IS NOT NULL ORDER BY type DESC"], { encoding: 'utf8' });
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
  return { name: withIndexes ? 'sqlite3 .import + indexes' : 'sqlite3 .import', seconds, rows, maxRssMb: parseTimeV(run.stderr), cpuSeconds: cpuTimeV(run.stderr) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.phase) {
    const result = await runPhase(args);
    result.maxRssMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const shape = shapeFor(args.ratings);
  const p = paths(args);
  process.stderr.write(`[bench] ${JSON.stringify(shape)} under ${join(args.dir, `n${args.ratings}`)}\n`);
  generateSource(p.source, shape);

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
  for (const m of measured) rows.push([m.name, String(m.rows ?? ''), fmt(m.seconds), m.rows && m.seconds ? Math.round(m.rows / m.seconds).toLocaleString('en-US') : '', cpu(m), fmt(m.maxRssMb, 0)]);
  rows.push([ingest ? 'ingest + load (ours)' : 'load (ours, no ingest)', String(load.rows ?? ''), fmt(total), '', '', fmt(Math.max(ingest?.maxRssMb ?? 0, load.maxRssMb), 0)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const out = rows.map((r) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`);
  out.splice(1, 0, `|${widths.map((w, c) => (c === 0 ? ':' : '-').padEnd(w + 1, '-') + (c === 0 ? '-' : ':')).join('|')}|`);
  process.stdout.write(`\n${out.join('\n')}\n\n`);
  process.stdout.write(`ratio (ours / sqlite3 .import): load ${fmt(load.seconds / cli.seconds)}x` + (ingest ? `, ingest+load ${fmt(total / cli.seconds)}x` : '') + ` (goal <= 1.5x); peak RSS goal <= 1536 MB\n`);
  process.stdout.write(`note: "read" is readRatingsColumns (packed user_rating_blobs), "read-sql" the row-by-row SQL reader; seconds of the read phases time the call only\n`);
  for (const m of measured) if (m.extra) process.stdout.write(`  ${m.name}: ${JSON.stringify(m.extra)}\n`);
  if (!args.keep) rmSync(p.dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-ingest failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
