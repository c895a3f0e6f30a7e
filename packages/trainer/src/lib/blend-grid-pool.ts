import { blendGridPoints, type BlendGridBatch, type BlendGridSpec } from './blend-grid.js';
import { KernelPool } from './kernel-pool.js';

/** This pool's task-board slots (task-board-worker.js leaves 5, 6 and 8 up to the pools) and users per chunk. */
const CONTROL = Object.freeze({ NUSERS: 5, USERS_PER_CHUNK: 4 });

/** How many users, train movies and relevant movies a batch of the tuning holds at most. */
export interface BlendBatchCapacity {
  users: number;
  seen: number;
  relevant: number;
}

/**
 * A batch of `capacity` tuning users over buffers of `Buffer` (SharedArrayBuffer for the pool, ArrayBuffer
 * on the single-thread path).
 */
export function blendGridBatch(spec: BlendGridSpec, capacity: BlendBatchCapacity, Buffer: new (bytes: number) => ArrayBufferLike): BlendGridBatch {
  const { users, seen, relevant } = capacity;
  const rows = users * spec.nMovies;
  return {
    implicitRows: new Float32Array(new Buffer(4 * rows)),
    ratingRows: new Float32Array(new Buffer(4 * rows)),
    easeRows: new Float32Array(new Buffer(spec.hasEase ? 4 * rows : 0)),
    seenOffsets: new Int32Array(new Buffer(4 * (users + 1))),
    seenMovies: new Int32Array(new Buffer(4 * seen)),
    relevantOffsets: new Int32Array(new Buffer(4 * (users + 1))),
    relevantMovies: new Int32Array(new Buffer(4 * relevant)),
    relevantCount: new Int32Array(new Buffer(4 * users)),
    gains: new Float64Array(new Buffer(8 * users * blendGridPoints(spec) * 2)),
  };
}

/**
 * The blend tuning's worker threads: `batch` lives in shared memory; `score(users)` has the workers score
 * users [0, users) of it with `blendGridScorer` (blend-grid.ts, the main thread's scorer) in chunks of a few
 * users, each user's gains written to its own row, and blocks until they are done.
 */
export class BlendGridPool extends KernelPool {
  readonly batch: BlendGridBatch;

  constructor(spec: BlendGridSpec, capacity: BlendBatchCapacity, threads: number) {
    super('blend tuning', { threads, kernel: 'js' }, null);
    this.batch = blendGridBatch(spec, capacity, SharedArrayBuffer);
    this.startWorkers('blend-grid-worker.js', 8, (control) => ({ control, spec, batch: this.batch, controlSlots: CONTROL }));
  }

  score(users: number): void {
    this.assertOpen();
    this.runWorkers([[CONTROL.NUSERS, users]]);
  }
}
