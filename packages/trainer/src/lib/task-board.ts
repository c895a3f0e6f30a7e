import { Worker } from 'node:worker_threads';
import { BOARD } from './task-board-worker.js';

const { GEN, STOP, NEXT, DONE, READY, ERROR } = BOARD;
const WORKER_START_TIMEOUT_MS = 60_000;

/**
 * The main side of the task board of the worker pools (KernelPool, kernel-pool.ts; the worker side
 * is task-board-worker.js): starts the worker threads, posts a task and blocks until every worker has
 * finished it (so the pools' calls stay synchronous), turns a worker's failure into an exception, and
 * stops the workers. The pool writes its own task slots into `ctl` before `run()`.
 */
export class TaskBoard {
  private readonly workers: Worker[] = [];
  private gen = 0;
  private closed = false;
  private exited: Promise<void> = Promise.resolve();

  /** `ctl`: the shared board (at least 8 slots); `name` appears in errors ("parallel SGD", ...). */
  constructor(
    readonly ctl: Int32Array,
    private readonly name: string,
  ) {}

  get threads(): number {
    return this.workers.length;
  }

  /** Starts `count` workers running `script` and waits until each reported ready (or one failed). */
  start(script: string, count: number, workerData: (index: number) => unknown): void {
    try {
      for (let t = 0; t < count; t++) {
        const worker = new Worker(script, { workerData: workerData(t) });
        worker.unref(); // a forgotten close never keeps the process alive
        // Errors are reported through the ERROR slot; keep an 'error' listener so none is unhandled.
        worker.on('error', () => Atomics.store(this.ctl, ERROR, 1));
        this.workers.push(worker);
      }
      this.await(READY, count, WORKER_START_TIMEOUT_MS, 'start');
    } catch (error) {
      void this.close();
      throw error;
    }
  }

  /** Posts the task written into the pool's slots and blocks until every worker has done its part. */
  run(): void {
    const ctl = this.ctl;
    Atomics.store(ctl, NEXT, 0);
    Atomics.store(ctl, DONE, 0);
    this.gen++;
    Atomics.store(ctl, GEN, this.gen);
    Atomics.notify(ctl, GEN);
    this.await(DONE, this.workers.length, 0, 'run');
  }

  /** Blocks until ctl[slot] reaches `target` (or a worker reports an error / the timeout passes; 0: none). */
  private await(slot: number, target: number, timeoutMs: number, what: string): void {
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    for (;;) {
      if (Atomics.load(this.ctl, ERROR)) throw new Error(`${this.name} worker failed (${what})`);
      const value = Atomics.load(this.ctl, slot);
      if (value >= target) return;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${this.name} workers did not ${what} within ${timeoutMs} ms`);
      Atomics.wait(this.ctl, slot, value, Math.min(left, 1000));
    }
  }

  /** Stops the workers (idempotent); the promise settles once every worker thread has exited. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.workers.length) {
        Atomics.store(this.ctl, STOP, 1);
        Atomics.add(this.ctl, GEN, 1);
        Atomics.notify(this.ctl, GEN);
        this.exited = Promise.all(this.workers.map((worker) => worker.terminate())).then(() => undefined);
      }
    }
    return this.exited;
  }
}
