import { spawnSync, type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Commands run under GNU time (`/usr/bin/time -v`, when present) by the stage benchmarks: the peak
 * RSS of the largest process of the command and its CPU seconds, from what time prints on stderr.
 */
export const HAS_TIME_V = existsSync('/usr/bin/time');

/** spawnSync of the command, under `/usr/bin/time -v` when present, with its wall seconds. */
export function spawnTimed(
  command: string,
  args: string[],
  options: SpawnSyncOptionsWithStringEncoding,
): { result: SpawnSyncReturns<string>; seconds: number } {
  const started = performance.now();
  const result = HAS_TIME_V ? spawnSync('/usr/bin/time', ['-v', command, ...args], options) : spawnSync(command, args, options);
  return { result, seconds: (performance.now() - started) / 1000 };
}

/** "Maximum resident set size" in KiB, or null when time did not print it. */
export function peakRssKiB(stderr: string): number | null {
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return match ? Number(match[1]) : null;
}

/** User + system CPU seconds, or undefined when time did not print them. */
export function cpuSecondsOf(stderr: string): number | undefined {
  const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(stderr);
  return user && sys ? Number(user[1]) + Number(sys[1]) : undefined;
}
