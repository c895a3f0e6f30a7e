import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import type { HeldTrainingLock } from '@reelrank/feedback';

/**
 * The training lock of processes that share one models folder (SQLite): a file created with O_EXCL
 * (exactly one creator wins), holding who holds it. A holder that died leaves the file behind: it is
 * stale when its host is this one and neither its pid (started when the file says, so a reused pid
 * does not count) nor the stages it started still run. A stale file is removed under a short-lived
 * guard file (O_EXCL too), so two processes never both take over the same stale lock.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** ms since the epoch: when the holding process started (tells a reused pid apart). */
  processStartedAt: number;
  /** ms: when it took the lock. */
  lockedAt: number;
  /** The stages it started (a process group), while they run. */
  childPid: number | null;
  token: string;
}

export type FileLockAttempt = { held: HeldFileLock } | { heldBy: LockHolder | null };

export interface HeldFileLock extends HeldTrainingLock {
  /** Records the stages' process, so the lock stays held while they run even if this process dies. */
  recordChild(pid: number | null): void;
}

/** A guard older than this was left by a process that died in the middle of a takeover. */
const GUARD_STALE_MS = 30_000;
/** An unreadable lock file younger than this is one being written. */
const UNREADABLE_GRACE_MS = 10_000;

const processStartedAt = () => Math.round(Date.now() - process.uptime() * 1000);

function readHolder(path: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isSafeInteger(holder.pid) && typeof holder.token === 'string' ? holder : null;
  } catch {
    return null;
  }
}

/** When `pid` started (ms since the epoch), from /proc; null where that cannot be read. */
function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 of the whole line: start time in clock ticks since boot
    const boot = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return boot && Number.isFinite(ticks) ? (Number(boot[1]) + ticks / 100) * 1000 : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number, startedAt?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
  if (startedAt === undefined) return true;
  const actual = startTimeOf(pid);
  // Clock ticks and the boot time are coarse: a few seconds apart is the same process.
  return actual === null || Math.abs(actual - startedAt) < 5_000;
}

/** Whether the holder in the file is gone for sure (only a holder on this host can be checked). */
export function isStale(holder: LockHolder | null, path: string, now = Date.now()): boolean {
  if (!holder) {
    try {
      return now - statSync(path).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return false; // gone meanwhile: the next try creates it
    }
  }
  if (holder.host !== hostname()) return false;
  if (isRunning(holder.pid, holder.processStartedAt)) return false;
  return holder.childPid === null || !isRunning(holder.childPid);
}

function create(path: string): HeldFileLock | null {
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    processStartedAt: processStartedAt(),
    lockedAt: Date.now(),
    childPid: null,
    token: randomBytes(8).toString('hex'),
  };
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let released = false;
  return {
    describe: `lock file ${path}`,
    recordChild(pid) {
      if (released) return;
      // Replaced whole, so a reader never sees half of it.
      writeFileAtomic(path, JSON.stringify({ ...holder, childPid: pid }));
    },
    async release() {
      if (released) return;
      released = true;
      if (readHolder(path)?.token === holder.token) rmSync(path, { force: true });
    },
  };
}

/** Removes the lock file if it still holds `stale`'s token, under the guard; false when another process is at it. */
function removeStale(path: string, stale: LockHolder | null): boolean {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) rmSync(guard, { force: true });
    } catch {
      // removed by its owner meanwhile
    }
    return false;
  }
  closeSync(fd);
  try {
    const now = readHolder(path);
    if (now?.token !== stale?.token) return false; // taken over (or released and taken) meanwhile
    rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Takes the lock at `path` when it is free or stale; otherwise says who holds it. */
export function tryFileLock(path: string): FileLockAttempt {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    const held = create(path);
    if (held) return { held };
    const holder = readHolder(path);
    if (!isStale(holder, path) || !removeStale(path, holder)) return { heldBy: holder };
  }
  return { heldBy: readHolder(path) };
}
