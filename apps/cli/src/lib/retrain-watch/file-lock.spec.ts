import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryFileLock, type LockHolder } from './file-lock';

/** A pid that certainly ran and is gone: a child that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'retrain-lock-')), 'retrain.lock');
const holderAt = (path: string): LockHolder => JSON.parse(readFileSync(path, 'utf8'));
const thisProcessStartedAt = Math.round(Date.now() - process.uptime() * 1000);
const plant = (path: string, holder: Partial<LockHolder>) =>
  writeFileSync(
    path,
    JSON.stringify({
      pid: process.pid,
      host: hostname(),
      processStartedAt: thisProcessStartedAt,
      lockedAt: Date.now(),
      childPid: null,
      token: 'planted',
      ...holder,
    }),
  );

describe('the training lock file', () => {
  it('when two processes try at once, then one holds it and the other is told who; after the release the other gets it', async () => {
    const path = lockPath();
    const first = tryFileLock(path);
    const second = tryFileLock(path);
    expect('held' in first).toBe(true);
    expect(second).toEqual({ heldBy: expect.objectContaining({ pid: process.pid, host: hostname() }) });
    expect(holderAt(path)).toMatchObject({ pid: process.pid, childPid: null });
    if (!('held' in first)) throw new Error('unreachable');
    await first.held.release();
    expect(existsSync(path)).toBe(false);
    const third = tryFileLock(path);
    expect('held' in third).toBe(true);
  });

  it('when the holder died, then its lock is stale and taken over; a holder that runs, or whose stages still run, keeps it', () => {
    const path = lockPath();
    plant(path, { pid: deadPid(), token: 'dead' });
    const taken = tryFileLock(path);
    expect('held' in taken).toBe(true);
    expect(holderAt(path).pid).toBe(process.pid);

    const kept = lockPath();
    plant(kept, { pid: process.pid, token: 'alive' }); // this very process: running
    expect(tryFileLock(kept)).toEqual({ heldBy: expect.objectContaining({ token: 'alive' }) });

    const stages = lockPath();
    plant(stages, { pid: deadPid(), childPid: process.pid, token: 'orphaned-stages' }); // the watcher died, its stages run on
    expect(tryFileLock(stages)).toEqual({ heldBy: expect.objectContaining({ token: 'orphaned-stages' }) });
  });

  it('when the pid was reused by another process, then the lock is stale; one on another host is never judged', () => {
    const reused = lockPath();
    plant(reused, { pid: process.pid, processStartedAt: thisProcessStartedAt - 3_600_000, token: 'reused' }); // "this pid, but started an hour earlier"
    expect('held' in tryFileLock(reused)).toBe(true);

    const remote = lockPath();
    plant(remote, { pid: deadPid(), host: `not-${hostname()}`, token: 'remote' });
    expect(tryFileLock(remote)).toEqual({ heldBy: expect.objectContaining({ token: 'remote' }) });
  });

  it('when the holder records the process its stages run in, then the file says so until the release', async () => {
    const path = lockPath();
    const attempt = tryFileLock(path);
    if (!('held' in attempt)) throw new Error('expected the lock');
    attempt.held.recordChild(4242);
    expect(holderAt(path)).toMatchObject({ pid: process.pid, childPid: 4242 });
    await attempt.held.release();
    expect(existsSync(path)).toBe(false);
  });
});
