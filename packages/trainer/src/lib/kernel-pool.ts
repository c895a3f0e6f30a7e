import { join } from 'node:path';
import { TaskBoard } from './task-board.js';
import { loadKernelModule } from './wasm-memory.js';

/** Which kernel a pool runs: the WebAssembly SIMD module (default when it compiles) or the plain-JS fallback. */
export type KernelKind = 'wasm' | 'js';

export interface KernelPoolOptions {
  threads: number;
  kernel?: KernelKind;
}

/**
 * The base of the trainer's worker pools (parallel SGD, SVD++, implicit ALS, blend tuning): the thread count, the
 * kernel (the compiled module of `kernelFile`, or none for the JS kernel or a pool without one), the task board of the worker threads
 * (task-board.ts; none until `startWorkers`, so a one-thread pool runs its kernel on the main thread), and
 * the lifecycle: a closed pool refuses work, and `close` stops the workers.
 */
export abstract class KernelPool {
  readonly threads: number;
  readonly kernel: KernelKind;
  /** The compiled kernel, or null for the plain-JS one. */
  protected readonly module: WebAssembly.Module | null;
  private board: TaskBoard | null = null;
  private closed = false;

  protected constructor(
    private readonly name: string,
    options: KernelPoolOptions,
    kernelFile: string | null,
  ) {
    this.threads = Math.max(1, Math.floor(options.threads));
    this.module = options.kernel === 'js' || kernelFile === null ? null : loadKernelModule(kernelFile);
    this.kernel = this.module ? 'wasm' : 'js';
  }

  /**
   * Starts `threads` workers running `script` (a CommonJS file of this folder) on a task board of `slots`
   * control slots; `workerData(control, index)` is what worker `index` gets.
   */
  protected startWorkers(script: string, slots: number, workerData: (control: SharedArrayBuffer, index: number) => unknown): void {
    const board = new TaskBoard(new Int32Array(new SharedArrayBuffer(4 * slots)), this.name);
    this.board = board;
    board.start(join(__dirname, script), this.threads, (index) => workerData(board.ctl.buffer as SharedArrayBuffer, index));
  }

  /** Writes `values` into their control slots, posts the task and blocks until every worker has done its part. */
  protected runWorkers(values: ReadonlyArray<readonly [slot: number, value: number]>): void {
    const board = this.board;
    if (!board) throw new Error(`${this.name}: no workers started`);
    for (const [slot, value] of values) Atomics.store(board.ctl, slot, value);
    board.run();
  }

  /** Posts `cells` (chunk ids) as task `task` through the pool's slots and blocks until the workers are done. */
  protected runCells(slots: { NCELLS: number; TASK: number; CELLS: number }, task: number, cells: Int32Array): void {
    this.board?.ctl.set(cells, slots.CELLS);
    this.runWorkers([
      [slots.NCELLS, cells.length],
      [slots.TASK, task],
    ]);
  }

  /** Throws once the pool is closed. */
  protected assertOpen(): void {
    if (this.closed) throw new Error(`${this.constructor.name} is closed`);
  }

  /**
   * Stops the workers (idempotent; they are also unref'd, so a forgotten close never keeps the process
   * alive). The promise settles once every worker thread has exited.
   */
  close(): Promise<void> {
    this.closed = true;
    return this.board ? this.board.close() : Promise.resolve();
  }
}
