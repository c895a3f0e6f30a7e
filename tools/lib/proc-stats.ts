import { readFileSync } from 'node:fs';

/**
 * Linux /proc readings of the load benchmarks: server CPU time, the machine's busy time, resident
 * memory. Each returns NaN (or undefined) where /proc is missing or the process is gone.
 */

/** The process and its descendants. */
export function processTree(pid: number): number[] {
  const all = [pid];
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const kid of kids) all.push(...processTree(kid));
  } catch {
    // gone or not Linux
  }
  return all;
}

/** CPU seconds (user + system) the processes have used so far, from /proc/<pid>/stat; NaN when one cannot be read. */
export function cpuSeconds(pids: readonly (number | undefined)[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ = 100
    } catch {
      return Number.NaN;
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Resident memory (VmRSS) of a process in KiB. */
export function rssKiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
