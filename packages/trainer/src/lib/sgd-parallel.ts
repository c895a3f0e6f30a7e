import type { MfModel } from '@reelrank/model';
import { seededRandom, shuffleInPlace, type Random } from '@reelrank/random';
import { rangeBounds } from './chunk-ranges.js';
import type { IndexedRatings } from './indexing.js';
import { RatingKernelPool, type RatingPoolOptions } from './rating-kernel-pool.js';
import { BOARD } from './task-board-worker.js';
import type { SgdStep } from './sgd-kernel.js';
import { groupRowsByUser, randomBlocks, shuffleRowsInPlace } from './sgd-grid.js';
import { copyRows, loadKernelModule, SharedMemoryPlan } from './wasm-memory.js';

/**
 * Parallel SGD for biased MF: block-stratified (DSGD / FPSGD-style) over worker threads that
 * share one WebAssembly.Memory holding the factors, biases and ratings.
 *
 * - Users and movies are each cut into `blocks` seeded random blocks, so the ratings form a
 *   blocks × blocks grid of cells. A stratum is `blocks` cells no two of which share a user block
 *   or a movie block; an epoch runs the `blocks` strata in a seeded random order, and the worker
 *   threads take the cells of a stratum from a shared counter. Threads never update the same
 *   parameters at once (no Hogwild races) and the result does not depend on how many threads ran
 *   or which took which cell: training is deterministic for a seed at any thread count.
 * - Within a cell the ratings are ordered by user (then kept fixed, the "partial random" order
 *   of FPSGD): a user's row p_u and the cell's few thousand movie rows stay in cache.
 * - The per-rating update is a hand-written WebAssembly SIMD kernel (wasm/sgd-kernel.wat, f32x4,
 *   committed as src/lib/sgd-kernel.wasm) with a plain-JS kernel as the fallback.
 * - The main thread only coordinates (Atomics.wait), so `epoch()` is synchronous like `sgdEpoch`.
 */

export type CellOrder = 'user' | 'shuffled';

export interface ParallelSgdOptions extends RatingPoolOptions {
  /** Seed of the block assignment, the within-cell order ('shuffled') and the strata order. */
  seed: number;
  /** Blocks per side of the grid (default 8: measured fastest of 2-16 at 20M on 2 cores; at most 8 threads busy). Fixing it fixes the result whatever `threads` is. */
  blocks?: number;
  cellOrder?: CellOrder;
}

export const DEFAULT_GRID_BLOCKS = 8;

/** This pool's slots of the task board (the common ones are BOARD's) and its task codes. */
const CONTROL = { ...BOARD, NCELLS: 5, TASK: 6, CELLS: 16, TASK_SGD: 0, TASK_SSE: 1 } as const;
const { CELLS, TASK_SGD, TASK_SSE } = CONTROL;

const SGD_KERNEL_FILE = 'sgd-kernel.wasm';

/** The compiled SIMD kernel, or null when this runtime cannot compile it (no SIMD / shared memory). */
export function loadSgdWasm(): WebAssembly.Module | null {
  return loadKernelModule(SGD_KERNEL_FILE);
}

interface Layout {
  rows: number;
  nUsers: number;
  nMovies: number;
  stride: number;
  users: number;
  movies: number;
  ratings: number;
  P: number;
  Q: number;
  bu: number;
  bi: number;
}

export class ParallelSgd extends RatingKernelPool {
  readonly blocks: number;
  private readonly model: MfModel;
  private readonly memory: WebAssembly.Memory;
  private readonly layout: Layout;
  private readonly cellSse: Float64Array;
  private readonly random: Random;
  private readonly nCells: number;
  private readonly validationCells: Int32Array;

  constructor(model: MfModel, data: IndexedRatings, options: ParallelSgdOptions) {
    super('Parallel SGD', model, options, SGD_KERNEL_FILE);
    this.model = model;
    const { stride, nUsers, nMovies } = this;
    const B = (this.blocks = Math.max(1, Math.min(options.blocks ?? DEFAULT_GRID_BLOCKS, 1024)));
    this.random = seededRandom(options.seed);
    const { users, movies, ratings } = data;

    // Grid cells: counting sort of the rows by cell, stable, after ordering them by user.
    const userBlock = randomBlocks(nUsers, B, this.random);
    const movieBlock = randomBlocks(nMovies, B, this.random);
    const nCells = B * B;
    const cellStart = new Int32Array(new SharedArrayBuffer(4 * (nCells + 1)));
    let rows = 0;
    for (let r = 0; r < ratings.length; r++) {
      if (users[r] < 0 || movies[r] < 0) continue;
      cellStart[userBlock[users[r]] * B + movieBlock[movies[r]] + 1]++;
      rows++;
    }
    for (let c = 0; c < nCells; c++) cellStart[c + 1] += cellStart[c];
    this.nCells = nCells;
    // Validation rows with a known user and movie follow the training rows, cut into chunks (extra cells).
    const val = this.validation;
    const valKnown = this.validationKnown.length;
    const valBounds = val && valKnown > 0 ? rangeBounds(valKnown, 4 * Math.max(this.threads, 4)) : [0];
    const valChunks = valBounds.length - 1;
    this.validationCells = Int32Array.from({ length: valChunks }, (_, j) => nCells + j);
    const allStart = new Int32Array(new SharedArrayBuffer(4 * (nCells + valChunks + 1)));
    allStart.set(cellStart);
    for (let j = 1; j <= valChunks; j++) allStart[nCells + j] = rows + valBounds[j];
    const trainRows = rows;
    rows += valKnown;

    // Declarative, alike in svdpp-parallel.ts by shape only: this pool's own arrays; the placing is SharedMemoryPlan's, once.
    const plan = new SharedMemoryPlan();
    const take = (bytes: number) => plan.take(bytes);
    const layout: Layout = {
      rows,
      nUsers,
      nMovies,
      stride,
      users: take(4 * rows),
      movies: take(4 * rows),
      ratings: take(4 * rows),
      P: take(4 * nUsers * stride),
      Q: take(4 * nMovies * stride),
      bu: take(4 * nUsers),
      bi: take(4 * nMovies),
    };
    this.memory = plan.allocate('Parallel SGD');
    this.layout = layout;
    const buffer = this.memory.buffer;
    const U = new Int32Array(buffer, layout.users, rows);
    const M = new Int32Array(buffer, layout.movies, rows);
    const R = new Float32Array(buffer, layout.ratings, rows);
    const fill = cellStart.slice(0, nCells);
    this.validationKnown.forEach((r, j) => {
      U[trainRows + j] = val!.users[r];
      M[trainRows + j] = val!.movies[r];
      R[trainRows + j] = val!.ratings[r];
    });
    const place = (r: number) => {
      const at = fill[userBlock[users[r]] * B + movieBlock[movies[r]]]++;
      U[at] = users[r];
      M[at] = movies[r];
      R[at] = ratings[r];
    };
    const byUser = groupRowsByUser(users, movies, nUsers);
    if (options.cellOrder === 'shuffled') {
      for (let n = 0; n < byUser.length; n++) place(byUser[n]);
      for (let c = 0; c < nCells; c++) shuffleRowsInPlace(U, M, R, cellStart[c], cellStart[c + 1], this.random);
    } else {
      for (let n = 0; n < byUser.length; n++) place(byUser[n]);
    }
    this.writeParameters();

    this.cellSse = new Float64Array(new SharedArrayBuffer(8 * (nCells + valChunks)));
    this.startWorkers('sgd-worker.js', CELLS + nCells, (control) => ({
      memory: this.memory,
      module: this.module,
      control,
      params: this.params.buffer,
      cellSse: this.cellSse.buffer,
      cellStart: allStart.buffer,
      layout,
      controlSlots: CONTROL,
    }));
  }

  /** Copies the model's parameters into the shared memory (padding columns stay zero). */
  writeParameters(): void {
    const { model, layout } = this;
    const buffer = this.memory.buffer;
    const k = model.factors;
    copyRows(model.userFactors, new Float32Array(buffer, layout.P, layout.nUsers * layout.stride), layout.nUsers, k, k, layout.stride);
    copyRows(model.movieFactors, new Float32Array(buffer, layout.Q, layout.nMovies * layout.stride), layout.nMovies, k, k, layout.stride);
    new Float32Array(buffer, layout.bu, layout.nUsers).set(model.userBias);
    new Float32Array(buffer, layout.bi, layout.nMovies).set(model.movieBias);
  }

  /** Copies the trained parameters back into the model's own (non-shared) arrays. */
  readParameters(): void {
    const { model, layout } = this;
    const buffer = this.memory.buffer;
    const k = model.factors;
    copyRows(new Float32Array(buffer, layout.P, layout.nUsers * layout.stride), model.userFactors, layout.nUsers, k, layout.stride, k);
    copyRows(new Float32Array(buffer, layout.Q, layout.nMovies * layout.stride), model.movieFactors, layout.nMovies, k, layout.stride, k);
    model.userBias.set(new Float32Array(buffer, layout.bu, layout.nUsers));
    model.movieBias.set(new Float32Array(buffer, layout.bi, layout.nMovies));
  }

  /**
   * One epoch over every rating; the model's arrays hold the result when it returns.
   * Returns the sum of squared errors seen before each update (as `sgdEpoch`).
   */
  epoch(step: SgdStep): number {
    this.assertOpen();
    const B = this.blocks;
    this.writeStep(this.model.globalMean, step);
    const shifts = Int32Array.from({ length: B }, (_, s) => s);
    shuffleInPlace(shifts, this.random);
    const cells = new Int32Array(B);
    for (let s = 0; s < B; s++) {
      for (let b = 0; b < B; b++) cells[b] = b * B + ((b + shifts[s]) % B);
      this.runCells(CONTROL, TASK_SGD, cells);
    }
    let sse = 0;
    for (let c = 0; c < this.nCells; c++) sse += this.cellSse[c];
    this.readParameters();
    return sse;
  }

  /**
   * RMSE of the current parameters on the `validation` rows given at construction (predictions clipped
   * to the rating scale, unknown users / movies through the biases, as `ratingMetrics`); null without them.
   */
  validationRmse(): number | null {
    this.assertOpen();
    if (this.validationRows === 0) return null;
    let sse = 0;
    if (this.validationCells.length) {
      this.params[0] = this.model.globalMean;
      this.runCells(CONTROL, TASK_SSE, this.validationCells);
      for (const c of this.validationCells) sse += this.cellSse[c];
    }
    return this.validationRmseWith(sse, this.model);
  }
}
