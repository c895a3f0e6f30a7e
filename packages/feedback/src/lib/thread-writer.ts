import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WriteJob, WriteValue } from './group-writer.js';

/** Sends write jobs somewhere and settles each caller's promise with its outcome. */
export interface Writer {
  submit(job: WriteJob): Promise<WriteValue>;
  close(): Promise<void>;
  /** The thread writing now (undefined in-thread or while one is being restarted); for tests that kill it. */
  thread?(): Worker | undefined;
  /** Why no write is taken now (no thread runs: the last one died), or undefined. */
  down?(): WriterDownError | undefined;
}

/** Told when the writer thread died unexpectedly, and when the next one starts. */
export type WriterExitListener = (event: { error: Error; restartInMs: number; crashesInLastMinute: number }) => void;

/** Refused writes while no writer thread runs; the API answers them 503 like any store failure. */
export class WriterDownError extends Error {
  readonly code = 'RATINGS_WRITER_DOWN';
}

const MAX_DELAY_MS = 30_000;

/**
 * Group commit on writer-thread.js; the thread keeps the process alive only while writes are pending.
 *
 * A thread that dies (an uncaught error, out of memory, terminated) is replaced after a back-off:
 * `firstDelayMs` (100 ms), doubling with every further death within a minute, up to 30 s. The writes it held fail
 * (their transaction never committed, or committed without the answer reaching us: a retry of the
 * same rating replaces it), as do the writes submitted while none runs; every write answered ok was
 * committed (WAL, synchronous = FULL) before the answer was sent, so nothing acknowledged is lost.
 */
export function threadWriter(path: string, busyTimeoutMs: number, restart: { onExit?: WriterExitListener; firstDelayMs?: number } = {}): Writer {
  const { onExit, firstDelayMs = 100 } = restart;
  const pending = new Map<number, { resolve: (value: WriteValue) => void; reject: (error: unknown) => void }>();
  let nextId = 1;
  let worker: Worker | undefined;
  let closing = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let lastDeath: WriterDownError | undefined;
  const deaths: number[] = [];

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const start = () => {
    restartTimer = undefined;
    const thread = new Worker(join(__dirname, 'writer-thread.js'), { workerData: { path, busyTimeoutMs } });
    thread.unref();
    let error: Error | undefined;
    thread.on(
      'message',
      (message: { id?: number; ok?: boolean; value?: WriteValue; error?: { message: string; code?: string; quota?: unknown } }) => {
        if (message.id === undefined) return; // the ready note
        const p = pending.get(message.id);
        if (!p) return;
        pending.delete(message.id);
        if (pending.size === 0) thread.unref();
        if (message.ok) p.resolve(message.value!);
        else p.reject(Object.assign(new Error(message.error!.message), { code: message.error!.code, quota: message.error!.quota }));
      },
    );
    thread.on('error', (e) => (error = e));
    thread.on('exit', (code) => {
      if (worker === thread) worker = undefined;
      const died = new WriterDownError(`the ratings writer thread exited (${error ? error.message : `code ${code}`})`);
      failAll(died);
      if (closing) return;
      lastDeath = died;
      const now = Date.now();
      deaths.push(now);
      while (deaths[0] < now - 60_000) deaths.shift();
      const restartInMs = Math.min(MAX_DELAY_MS, firstDelayMs * 2 ** (deaths.length - 1));
      onExit?.({ error: died, restartInMs, crashesInLastMinute: deaths.length });
      restartTimer = setTimeout(start, restartInMs);
      restartTimer.unref();
    });
    worker = thread;
  };
  start();

  return {
    submit(job) {
      if (closing) return Promise.reject(new Error('the ratings store is closed'));
      const thread = worker;
      if (!thread) return Promise.reject(new WriterDownError('the ratings writer thread is restarting; nothing was stored, retry'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.ref();
        thread.postMessage({ id, ...job });
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      if (restartTimer) clearTimeout(restartTimer);
      const thread = worker;
      if (!thread) return;
      const exited = new Promise((done) => thread.once('exit', done));
      thread.ref();
      thread.postMessage({ kind: 'close' });
      await exited;
    },
    thread: () => worker,
    down: () => (worker || closing ? undefined : lastDeath),
  };
}
