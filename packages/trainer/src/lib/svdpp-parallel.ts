import type { MfModel } from '@reelrank/model';
import { seededRandom, shuffleInPlace, type Random } from '@reelrank/random';
import { rangeBounds } from './chunk-ranges.js';
import { groupByUser, type IndexedRatings } from './indexing.js';
import { RatingKernelPool, type RatingPoolOptions } from './rating-kernel-pool.js';
import type { SgdStep } from './sgd-kernel.js';
import { copyRows, loadKernelModule, SharedMemoryPlan } from './wasm-memory.js';
import { jsKernels, runChunk, wasmKernels, type SvdppKernels } from './svdpp-kernels.js';
import { BOARD } from './task-board-worker.js';

/**
 * SVD++ SGD over one WebAssembly.Memory, shared with worker threads when there are more than one (the model r̂ = μ + b_u + b_i + (p_u + z_u)·q_i,
 * z_u = |N(u)|^-½ Σ_{j∈N(u)} y_j). An epoch is the usual fast SVD++ pass, user by user: z_u summed once
 * per visit, the user's ratings updated one by one (b_u, b_i, p_u, q_i, and g = Σ e·q_i), then every
 * y_j of the user moved by lrY(|N(u)|^-½ g − λy y_j). The users come in a seeded random order and each
 * user's ratings in a seeded random order, drawn on the main thread exactly as the former single-thread
 * trainer drew them, so one thread reproduces it (the same orders; f32 arithmetic in the SIMD kernel).
 *
 * On one thread (the default, config svdppThreads) the main thread runs the kernel itself, no worker.
 * With more threads the epoch's user order is cut into chunks that the workers take from the task board
 * and visit at the same time, sharing q_i, b_i and y_j without locks (Hogwild, Recht et al. 2011): a
 * movie's row can be updated by two workers at once and one update then partly lost. What is and is not
 * deterministic: the orders, the chunks and every user-side parameter's updates are fixed by the seed;
 * the interleaving of the two workers' movie-side updates is not, so models from two runs differ in the
 * last digits and (through early stopping) possibly in the epoch count. `svdppThreads: 1` (the default,
 * env REELRANK_TRAIN_SVDPP_THREADS) gives a reproducible model.
 *
 * Why not the DSGD strata of the MF kernel (sgd-parallel.ts): the y_j of a user's visit span every
 * movie block. A stratified variant that summed the y gradients of all users and refreshed z once per
 * epoch was measured here: it matched on ml-latest-small but oscillated on 450k ratings (a popular
 * movie's y_j moved by thousands of users' stale gradients at once), where the per-visit form converges.
 * Kernels: wasm/svdpp-kernel.wat (f32x4, committed as svdpp-kernel.wasm), a plain-JS fallback, both in
 * svdpp-kernels.js. The memory layout, the tasks, the snapshot and the fold all
 * index the same arrays and read best in one class.
 */

export interface ParallelSvdppOptions extends RatingPoolOptions {
  /** Seed of the user order and of each user's rating order. */
  seed: number;
}

/** Copies of the parameters in the kernel's padded layout (rows of `stride` floats). */
export interface SvdppSnapshot {
  P: Float32Array;
  Z: Float32Array;
  Q: Float32Array;
  bu: Float32Array;
  bi: Float32Array;
}

export interface SvdppStep extends SgdStep {
  implicitLearningRate: number;
  implicitRegularization: number;
}

const CONTROL = { ...BOARD, NCELLS: 5, TASK: 6, CELLS: 16, TASK_VISIT: 0, TASK_SSE: 1, TASK_Z: 2 } as const;
const { CELLS, TASK_VISIT, TASK_SSE, TASK_Z } = CONTROL;

const SVDPP_KERNEL_FILE = 'svdpp-kernel.wasm';

/** The compiled SIMD kernel, or null when this runtime cannot compile it. */
export function loadSvdppWasm(): WebAssembly.Module | null {
  return loadKernelModule(SVDPP_KERNEL_FILE);
}

/** Byte addresses of the arrays in the shared memory (handed to the workers) and their lengths. */
interface Layout {
  nUsers: number;
  nMovies: number;
  trainRows: number;
  validationRows: number;
  stride: number;
  [array: string]: number;
}

/** The ranges [from, to) between consecutive bounds of `rangeBounds`. */
function rangesOf(bounds: number[]): Array<[number, number]> {
  return bounds.slice(1).map((to, c) => [bounds[c], to]);
}

export class ParallelSvdpp extends RatingKernelPool {
  private readonly model: MfModel;
  private readonly memory: WebAssembly.Memory;
  private readonly layout: Layout;
  /** The kernels of the main thread when it runs them itself (one thread), else null (the workers run them). */
  private readonly local: SvdppKernels | null;
  private readonly chunkSse: Float64Array;
  private readonly bounds: Int32Array;
  private readonly random: Random;
  private readonly uOff: Int32Array;
  private readonly order: Int32Array;
  private readonly perm: Int32Array;
  private readonly visitChunks: Int32Array;
  private readonly userChunks: Int32Array;
  private readonly validationChunks: Int32Array;
  /** z_u (the Z array) is stale after an epoch until `refreshZ()`. */
  private zFresh = true;

  /** `model`: biases and p, q initialised (y starts at 0). Rows with an unknown user or movie are skipped. */
  constructor(model: MfModel, data: IndexedRatings, options: ParallelSvdppOptions) {
    super('Parallel SVD++', model, options, SVDPP_KERNEL_FILE);
    this.model = model;
    const { module, k, stride, nUsers, nMovies } = this;
    this.random = seededRandom(options.seed);
    const items = groupByUser(data, nUsers);
    const trainRows = items.movies.length;
    const val = this.validation;
    const known = this.validationKnown;
    const validationRows = known.length;

    // Declarative, alike in sgd-parallel.ts by shape only: this pool's own arrays; the placing is SharedMemoryPlan's, once.
    const plan = new SharedMemoryPlan();
    const take = (bytes: number) => plan.take(bytes);
    const layout: Layout = {
      nUsers,
      nMovies,
      trainRows,
      validationRows,
      stride,
      order: take(4 * nUsers),
      uOff: take(4 * (nUsers + 1)),
      uMov: take(4 * trainRows),
      uRat: take(4 * trainRows),
      perm: take(4 * trainRows),
      vUsers: take(4 * validationRows),
      vMovies: take(4 * validationRows),
      vRatings: take(4 * validationRows),
      P: take(4 * nUsers * stride),
      Z: take(4 * nUsers * stride),
      Q: take(4 * nMovies * stride),
      Y: take(4 * nMovies * stride),
      bu: take(4 * nUsers),
      bi: take(4 * nMovies),
      norm: take(4 * nUsers),
    };
    const scratch = Array.from({ length: this.threads }, () => ({ z: take(4 * stride), g: take(4 * stride) }));
    this.memory = plan.allocate('Parallel SVD++');
    this.layout = layout;
    const buffer = this.memory.buffer;
    this.uOff = new Int32Array(buffer, layout.uOff, nUsers + 1);
    this.uOff.set(items.offsets);
    new Int32Array(buffer, layout.uMov, trainRows).set(items.movies);
    new Float32Array(buffer, layout.uRat, trainRows).set(items.ratings);
    this.perm = new Int32Array(buffer, layout.perm, trainRows);
    for (let n = 0; n < trainRows; n++) this.perm[n] = n;
    this.order = new Int32Array(buffer, layout.order, nUsers);
    for (let u = 0; u < nUsers; u++) this.order[u] = u;
    const vU = new Int32Array(buffer, layout.vUsers, validationRows);
    const vM = new Int32Array(buffer, layout.vMovies, validationRows);
    const vR = new Float32Array(buffer, layout.vRatings, validationRows);
    known.forEach((r, j) => {
      vU[j] = val!.users[r];
      vM[j] = val!.movies[r];
      vR[j] = val!.ratings[r];
    });
    const norm = new Float32Array(buffer, layout.norm, nUsers);
    for (let u = 0; u < nUsers; u++) {
      const n = items.offsets[u + 1] - items.offsets[u];
      norm[u] = n > 0 ? 1 / Math.sqrt(n) : 0;
    }
    copyRows(model.userFactors, new Float32Array(buffer, layout.P, nUsers * stride), nUsers, k, k, stride);
    copyRows(model.movieFactors, new Float32Array(buffer, layout.Q, nMovies * stride), nMovies, k, k, stride);
    new Float32Array(buffer, layout.bu, nUsers).set(model.userBias);
    new Float32Array(buffer, layout.bi, nMovies).set(model.movieBias);
    // Y and Z start at 0 (fresh memory), so z_u = 0 is fresh.

    // Chunk ids: [0, parts) the epoch's user order (bounds rewritten every epoch), then users (z), then validation rows.
    const parts = this.threads === 1 ? 1 : 8 * this.threads;
    const ranges: Array<[number, number]> = Array.from({ length: parts }, () => [0, 0]);
    const ids = (from: number, count: number) => Int32Array.from({ length: count }, (_, j) => from + j);
    this.visitChunks = ids(0, parts);
    const userRanges = rangesOf(rangeBounds(nUsers, 4 * Math.max(this.threads, 4), (u) => items.offsets[u + 1] - items.offsets[u] + 1));
    this.userChunks = ids(ranges.length, userRanges.length);
    ranges.push(...userRanges);
    const valRanges = validationRows ? rangesOf(rangeBounds(validationRows, 4 * Math.max(this.threads, 4), () => 1)) : [];
    this.validationChunks = ids(ranges.length, valRanges.length);
    ranges.push(...valRanges);
    this.bounds = new Int32Array(new SharedArrayBuffer(8 * ranges.length));
    ranges.forEach(([from, to], c) => this.bounds.set([from, to], 2 * c));

    this.chunkSse = new Float64Array(new SharedArrayBuffer(8 * ranges.length));
    if (this.threads === 1) {
      // One thread: the main thread runs the kernel (no worker to start, nothing to wait on).
      this.local = module ? wasmKernels(module, this.memory, layout, scratch[0]) : jsKernels(buffer, layout);
      return;
    }
    this.local = null;
    this.startWorkers('svdpp-worker.js', CELLS + ranges.length, (control, t) => ({
      memory: this.memory,
      module,
      control,
      params: this.params.buffer,
      chunkSse: this.chunkSse.buffer,
      bounds: this.bounds.buffer,
      layout,
      scratch: scratch[t],
      controlSlots: CONTROL,
    }));
  }

  /** One epoch over every user. Returns the sum of squared errors seen before each update. */
  epoch(step: SvdppStep): number {
    this.assertOpen();
    // The orders, drawn as the former single-thread trainer drew them: users, then each user's ratings in visiting order.
    const { order, perm, uOff, random } = this;
    shuffleInPlace(order, random);
    for (let o = 0; o < order.length; o++) shuffleInPlace(perm, random, uOff[order[o]], uOff[order[o] + 1]);
    const chunks = rangesOf(rangeBounds(order.length, this.visitChunks.length, (o) => uOff[order[o] + 1] - uOff[order[o]] + 1));
    for (let c = 0; c < this.visitChunks.length; c++) this.bounds.set(chunks[c] ?? [0, 0], 2 * c);
    this.writeStep(this.model.globalMean, step);
    this.params[6] = step.implicitLearningRate;
    this.params[7] = step.implicitRegularization;
    this.run(TASK_VISIT, this.visitChunks);
    this.zFresh = false;
    let sse = 0;
    for (const c of this.visitChunks) sse += this.chunkSse[c];
    return sse;
  }

  private refreshZ(): void {
    if (this.zFresh) return;
    this.run(TASK_Z, this.userChunks);
    this.zFresh = true;
  }

  /**
   * A copy of the current parameters (one memcpy of the padded arrays; `foldedModel(snapshot)` turns it
   * into a model): what early stopping keeps at every improvement.
   */
  snapshot(): SvdppSnapshot {
    this.assertOpen();
    this.refreshZ();
    const { layout } = this;
    const { nUsers, nMovies, stride } = layout;
    const copy = (at: number, n: number) => new Float32Array(this.memory.buffer, at, n).slice();
    return {
      P: copy(layout.P, nUsers * stride),
      Z: copy(layout.Z, nUsers * stride),
      Q: copy(layout.Q, nMovies * stride),
      bu: copy(layout.bu, nUsers),
      bi: copy(layout.bi, nMovies),
    };
  }

  /** A plain MfModel with the user vectors folded (p_u + z_u), of `snapshot` or of the current parameters. */
  foldedModel(snapshot: SvdppSnapshot = this.snapshot()): MfModel {
    const { model } = this;
    const { nUsers, nMovies, stride } = this.layout;
    const k = model.factors;
    const { P, Z } = snapshot;
    const userFactors = new Float32Array(nUsers * k);
    for (let u = 0; u < nUsers; u++) for (let f = 0; f < k; f++) userFactors[u * k + f] = P[u * stride + f] + Z[u * stride + f];
    const movieFactors = new Float32Array(nMovies * k);
    copyRows(snapshot.Q, movieFactors, nMovies, k, stride, k);
    return { ...model, userBias: snapshot.bu, movieBias: snapshot.bi, userFactors, movieFactors };
  }

  /** RMSE of the folded model on the `validation` rows (clipped; unknown users / movies through the biases); null without them. */
  validationRmse(): number | null {
    this.assertOpen();
    if (this.validationRows === 0) return null;
    this.refreshZ();
    let sse = 0;
    if (this.validationChunks.length) {
      this.params[0] = this.model.globalMean;
      this.run(TASK_SSE, this.validationChunks);
      for (const c of this.validationChunks) sse += this.chunkSse[c];
    }
    // The biases of the rows the kernel cannot score are the shared memory's (the model's arrays are not updated).
    const buffer = this.memory.buffer;
    const biases = this.hasFallbackRows
      ? {
          ...this.model,
          userBias: new Float32Array(buffer, this.layout.bu, this.layout.nUsers),
          movieBias: new Float32Array(buffer, this.layout.bi, this.layout.nMovies),
        }
      : this.model;
    return this.validationRmseWith(sse, biases);
  }

  private run(task: number, chunks: Int32Array): void {
    if (!this.local) return this.runCells(CONTROL, task, chunks);
    for (const chunk of chunks) runChunk(this.local, CONTROL, task, chunk, this.bounds, this.params, this.chunkSse);
  }
}
