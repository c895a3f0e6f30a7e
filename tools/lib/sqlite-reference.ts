import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { paths, type IngestBenchArgs, type PhaseResult } from './ingest-bench-phases';
import { cpuSecondsOf, HAS_TIME_V, peakRssKiB } from './time-v';

/** bench:ingest's reference: Debian's sqlite3 CLI importing the same processed ratings.csv. */

export interface Measured extends PhaseResult {
  name: string;
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
export function cliImport(args: IngestBenchArgs, withIndexes: boolean): Measured {
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
  const run = spawnSync(HAS_TIME_V ? '/usr/bin/time' : bin, HAS_TIME_V ? ['-v', bin, p.cliDb] : [p.cliDb], { input: script, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`sqlite3 import failed: ${run.stderr}`);
  const rows = Number(spawnSync(bin, [p.cliDb, 'SELECT COUNT(*) FROM ratings'], { encoding: 'utf8' }).stdout.trim());
  if (!args.keep) rmSync(p.cliDb, { force: true });
  return {
    name: withIndexes ? 'sqlite3 .import + indexes' : 'sqlite3 .import',
    seconds,
    rows,
    maxRssMb: (peakRssKiB(run.stderr) ?? 0) / 1024,
    cpuSeconds: cpuSecondsOf(run.stderr),
  };
}
