import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A sibling temp path: same folder (so rename is atomic), hidden, unique per call. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
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
