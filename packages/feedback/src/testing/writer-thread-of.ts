import type { Worker } from 'node:worker_threads';
import { WRITER_THREAD, type SqliteRatingsStore } from '../lib/sqlite-ratings-store.js';

/** The writer thread a SQLite file store runs now (undefined while it is restarted), so a test can kill it. */
export function writerThreadOf(store: unknown): Worker | undefined {
  const handle = (store as Partial<SqliteRatingsStore>)[WRITER_THREAD];
  if (typeof handle !== 'function') throw new Error('not a SQLite ratings store');
  return handle();
}

/**
 * Makes the writer thread die of an uncaught exception (a message it cannot read), before it reads
 * any message sent after this one: writes submitted right after are in flight when it dies. (Not
 * Worker.terminate(): terminating a thread while it is inside SQLite aborts the whole process.)
 */
export function crashWriterThread(store: unknown): Worker {
  const thread = writerThreadOf(store);
  if (!thread) throw new Error('no writer thread is running');
  thread.postMessage(null);
  return thread;
}
