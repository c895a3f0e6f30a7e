import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSyntheticMovieLens, SYNTHETIC_GENERATOR_VERSION } from '@reelrank/ingest';

/**
 * bench:ingest's source folder and its phases, each run in a child process of tools/bench-ingest.ts
 * (`--phase NAME`) so the peak RSS is per phase: ingest, parse, load, read, read-sql, load-pg. Only what a
 * phase needs is imported (lazily), so a phase's RSS is its own.
 */

const ROOT = resolve(__dirname, '..', '..');

export interface IngestBenchArgs {
  ratings: number;
  shape: Shape;
  dir: string;
  skipIngest: boolean;
  keep: boolean;
  phase: string | null;
  /** The PostgreSQL server of the `load-pg` phase and its psql reference (null: SQLite only). */
  databaseUrl: string | null;
}

export interface Shape {
  ratings: number;
  users: number;
  movies: number;
}

/** Generates the source folder once per shape and generator version (a marker written last makes it reusable). */
export async function generateSource(dir: string, shape: Shape): Promise<void> {
  const marker = join(dir, '.complete');
  const stamp = JSON.stringify({ ...shape, generator: SYNTHETIC_GENERATOR_VERSION });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) return;
  rmSync(dir, { recursive: true, force: true });
  const result = await generateSyntheticMovieLens({ dir, ...shape, seed: 42, log: (line) => process.stderr.write(`${line}\n`) });
  writeFileSync(marker, stamp);
  process.stderr.write(
    `[bench] generated ${result.ratings} ratings (${result.users} users, ${result.movies} movies) in ${result.seconds.toFixed(1)} s\n`,
  );
}

/** The processed folder without the ingest stage: ratings as generated, movies with a year column. */
export function writeProcessedDirectly(sourceDir: string, processedDir: string): void {
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

export interface PhaseResult {
  seconds: number;
  /** User + system CPU seconds of the whole child (from /usr/bin/time -v); robust on a busy machine. */
  cpuSeconds?: number;
  rows?: number;
  maxRssMb: number;
  extra?: Record<string, number | string>;
}

export function paths(args: IngestBenchArgs) {
  const base = join(args.dir, `n${args.ratings}`);
  return {
    source: join(base, 'source'),
    dataDir: join(base, 'data'),
    processed: join(base, 'data', 'processed', 'synthetic'),
    db: join(base, 'data', 'synthetic.db'),
    cliDb: join(base, 'cli.db'),
  };
}

export async function runPhase(args: IngestBenchArgs): Promise<PhaseResult> {
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
    case 'load-pg': {
      const { loadPostgresDatabase } = await import('@reelrank/database');
      if (!args.databaseUrl) throw new Error('load-pg needs --database-url');
      const result = await loadPostgresDatabase({ processedDir: p.processed, databaseUrl: args.databaseUrl, dataset: 'synthetic', log, force: true });
      return { seconds: secs(), rows: result.counts.ratings, maxRssMb: 0 };
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
