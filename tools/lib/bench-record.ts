import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import { WORKSPACE_ROOT } from './processes';

/**
 * A benchmark's results as a file (docs/benchmarks/<benchmark>.json): what ran, where, when and on
 * which commit, beside the figures. `npm run bench:charts` draws docs/benchmarks.md's charts from
 * these files, so no figure there is typed by hand.
 */
export interface BenchRecord<T = unknown> {
  benchmark: string;
  /** The command that produced it, as a user types it. */
  command: string;
  date: string;
  /** The commit measured (`+dirty` when the tree had uncommitted changes other than benchmark results). */
  commit: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; platform: string };
  results: T;
}

export const BENCH_RECORDS_DIR = join(WORKSPACE_ROOT, 'docs', 'benchmarks');

/** The commit recorded with a result (+dirty: code differs from it); tools/peers/surprise-train.py has its twin, commit_of. */
function commitOf(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).trim();
    // Result files and the page drawn from them are not code: recording one size after another stays clean.
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!docs/benchmarks', ':!docs/benchmarks.md'], {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function benchRecord<T>(benchmark: string, command: string, results: T): BenchRecord<T> {
  const cpu = cpus();
  return {
    benchmark,
    command,
    date: new Date().toISOString(),
    commit: commitOf(),
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    results,
  };
}

/** Writes the record to docs/benchmarks/<benchmark>.json (atomically) and says where. */
export function writeBenchRecord<T>(record: BenchRecord<T>, dir = BENCH_RECORDS_DIR): string {
  const path = join(dir, `${record.benchmark}.json`);
  writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`- recorded in ${path} (draw it with \`npm run bench:charts\`)`);
  return path;
}
