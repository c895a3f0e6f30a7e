import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A sibling temp path: same folder (so rename is atomic), hidden, unique per call. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Removes the temp files and folders a killed earlier run left beside `target` (the
 * `.<name>.<pid>.<hex>.tmp` names tempPathFor gives), unless the process that owns one is still
 * running. Without it a SIGKILL mid-stage leaves a full-size copy behind on every crash.
 */
export function removeStaleTemps(target: string): void {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no folder yet: nothing stale
  }
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.tmp(-journal)?$/.exec(name.slice(prefix.length)) : null;
    if (match && !isRunning(Number(match[1]))) rmSync(join(dir, name), { force: true, recursive: true });
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `data` next to `target`, fsyncs it, then renames it over `target`.
 * A crash at any point leaves either the old file or the new one, never a half-written one.
 */
export function writeFileAtomic(target: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const fd = openSync(temp, 'w');
  try {
    const chunks = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
    for (const chunk of chunks) {
      let offset = 0;
      while (offset < chunk.byteLength) offset += writeSync(fd, chunk, offset, chunk.byteLength - offset);
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temp, target);
}

/**
 * Runs `produce(tempPath)` and renames its result onto `target` only if it succeeds.
 * Use it for artifacts written by a library that wants a path (a SQLite file, a stream).
 */
export async function produceAtomically<T>(target: string, produce: (tempPath: string) => Promise<T> | T): Promise<T> {
  mkdirSync(dirname(target), { recursive: true });
  removeStaleTemps(target);
  const temp = tempPathFor(target);
  try {
    const result = await produce(temp);
    renameSync(temp, target);
    return result;
  } catch (error) {
    rmSync(temp, { force: true, recursive: true });
    throw error;
  }
}

/**
 * Replaces a whole folder: `produce` fills a fresh temp folder; on success the old folder
 * is moved aside and the new one renamed into place (two renames; the window between them
 * is microseconds and a rerun repairs it, since the stage then sees no complete output).
 */
export async function replaceDirAtomically<T>(target: string, produce: (tempDir: string) => Promise<T> | T): Promise<T> {
  mkdirSync(dirname(target), { recursive: true });
  removeStaleTemps(target);
  const temp = tempPathFor(target);
  mkdirSync(temp, { recursive: true });
  let result: T;
  try {
    result = await produce(temp);
  } catch (error) {
    rmSync(temp, { force: true, recursive: true });
    throw error;
  }
  const old = tempPathFor(target);
  let hadOld = true;
  try {
    renameSync(target, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    hadOld = false;
  }
  renameSync(temp, target);
  if (hadOld) rmSync(old, { force: true, recursive: true });
  return result;
}
