import { predictRating, RATING_MAX, RATING_MIN, type MfModel } from '@reelrank/model';
import type { IndexedRatings } from './indexing.js';
import type { SgdStep } from './sgd-kernel.js';
import type { SgdKernelKind } from './sgd-parallel.js';
import type { TaskBoard } from './task-board.js';
import { paddedStride } from './wasm-memory.js';

/**
 * What the two SGD pools (ParallelSgd of sgd-parallel.ts, ParallelSvdpp of svdpp-parallel.ts) do alike around their
 * kernels: split the validation rows, score the ones the kernel cannot, fill the shared parameter block and hand a task
 * to the workers.
 */

/**
 * What a pool's constructor starts from: the thread count, the compiled kernel (`load()` unless options ask for the JS
 * one; null = JS kernel) and the model's sizes, with the factor rows padded to `stride` floats.
 */
export function poolSetup(model: MfModel, options: { threads: number; kernel?: SgdKernelKind }, load: () => WebAssembly.Module | null) {
  const module = options.kernel === 'js' ? null : load();
  const kernel: SgdKernelKind = module ? 'wasm' : 'js';
  const threads = Math.max(1, Math.floor(options.threads));
  return {
    threads,
    module,
    kernel,
    k: model.factors,
    stride: paddedStride(model.factors),
    nUsers: model.userIds.length,
    nMovies: model.movieIds.length,
  };
}

export interface ValidationRows {
  users: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
}

/**
 * The validation rows split in their order: the indices of those with a known user and movie (scored by the kernel)
 * and the others (predicted on the main thread through the biases, `addFallbackSse`).
 */
export function splitValidation(val: IndexedRatings | null): { known: number[]; fallback: ValidationRows; rows: number } {
  const known: number[] = [];
  const fallback = { users: [] as number[], movies: [] as number[], ratings: [] as number[] };
  if (val)
    for (let r = 0; r < val.ratings.length; r++) {
      if (val.users[r] >= 0 && val.movies[r] >= 0) known.push(r);
      else {
        fallback.users.push(val.users[r]);
        fallback.movies.push(val.movies[r]);
        fallback.ratings.push(val.ratings[r]);
      }
    }
  return {
    known,
    fallback: { users: Int32Array.from(fallback.users), movies: Int32Array.from(fallback.movies), ratings: Float32Array.from(fallback.ratings) },
    rows: val ? val.ratings.length : 0,
  };
}

/** `sse` plus the squared errors of `rows` as `predictRating(model, …)` predicts them (clipped; unknown user or movie through the biases). */
export function addFallbackSse(sse: number, model: MfModel, rows: ValidationRows): number {
  for (let r = 0; r < rows.ratings.length; r++) {
    const e = rows.ratings[r] - predictRating(model, rows.users[r], rows.movies[r]);
    sse += e * e;
  }
  return sse;
}

/** The shared parameter block the kernels read: [μ, lr, λ, λ_bias, rating min, rating max, (SVD++) lr_y, λ_y]. */
export function sharedParams(): Float64Array {
  const params = new Float64Array(new SharedArrayBuffer(8 * 8));
  params[4] = RATING_MIN;
  params[5] = RATING_MAX;
  return params;
}

/** Writes μ and the step's learning rate and regularisations into the parameter block. */
export function writeStep(params: Float64Array, globalMean: number, step: SgdStep): void {
  params[0] = globalMean;
  params[1] = step.learningRate;
  params[2] = step.regularization;
  params[3] = step.biasRegularization;
}

/** Hands `cells` (chunk ids) to the workers as task `task` through the board's slots and waits for them. */
export function runOnBoard(board: TaskBoard, slots: { NCELLS: number; TASK: number; CELLS: number }, task: number, cells: Int32Array): void {
  const ctl = board.ctl;
  ctl.set(cells, slots.CELLS);
  Atomics.store(ctl, slots.NCELLS, cells.length);
  Atomics.store(ctl, slots.TASK, task);
  board.run();
}
