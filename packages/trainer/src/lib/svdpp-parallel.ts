import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { predictRating, RATING_MAX, RATING_MIN, type MfModel } from '@reelrank/model';
import { seededRandom, shuffleInPlace, type Random } from '@reelrank/random';
import type { IndexedRatings } from './indexing.js';
import type { SgdStep } from './sgd-kernel.js';
import { align, copyRows, DEFAULT_GRID_BLOCKS, groupRowsByUser, randomBlocks, WASM_PAGE, type SgdKernelKind } from './sgd-parallel.js';
import { TaskBoard } from './task-board.js';
import { BOARD } from './task-board-worker.js';

/**
 * Parallel SVD++ SGD over worker threads sharing one WebAssembly.Memory, deterministic for a seed at
 * any thread count. The model is r̂ = μ + b_u + b_i + (p_u + z_u)·q_i with z_u = |N(u)|^-½ Σ_{j∈N(u)} y_j.
 * An epoch has three phases, each a task of the shared worker pool (task-board.ts):
 * 1. SGD over the ratings in DSGD strata, as the parallel MF kernel (sgd-parallel.ts): a seeded
 *    blocks × blocks grid of (user block, movie block) cells; the cells of one stratum share no user
 *    and no movie, so p_u, b_u, q_i, b_i and the per-user gradient sum g_u = Σ e·q_i are never written
 *    by two threads at once. z_u is held fixed during this phase.
 * 2. y update, split by movie: y_j ← (1 − lrY·λy)^|N(j)| y_j + lrY Σ_{u∈N(j)} |N(u)|^-½ g_u. This is the
 *    usual fast SVD++ step (each user visit adds lrY(|N(u)|^-½ g_u − λy y_j) to every y_j it rated)
 *    with the visits' updates of one epoch applied together, so no two threads touch one y_j.
 * 3. z_u recomputed from the new y, split by user (also zeroes g_u): the next epoch's z, and the
 *    folded user vector p_u + z_u that the validation RMSE and the saved model use.
 * The old single-thread trainer refreshed z_u per user visit instead of per epoch; with lrY = 0.001 the
 * y move little within an epoch and the fixed-split RMSE is the same (README, "Training speed").
 * Kernels: wasm/svdpp-kernel.wat (f32x4, committed as svdpp-kernel.wasm), a plain-JS fallback in the worker.
 */

export interface ParallelSvdppOptions {
  threads: number;
  /** Seed of the block assignment, the order of each user's ratings and the strata order. */
  seed: number;
  /** Blocks per side of the grid (default 8, as the MF kernel). Fixing it fixes the result whatever `threads` is. */
  blocks?: number;
  kernel?: SgdKernelKind;
  /** Held-out rows scored by `validationRmse()` inside the workers (same clipping as predictRating). */
  validation?: IndexedRatings | null;
}

export interface SvdppStep extends SgdStep {
  implicitLearningRate: number;
  implicitRegularization: number;
}

const CONTROL = { ...BOARD, NCELLS: 5, TASK: 6, CELLS: 16, TASK_SGD: 0, TASK_SSE: 1, TASK_Z: 2, TASK_Y: 3 } as const;
const { NCELLS, TASK, CELLS, TASK_SGD, TASK_SSE, TASK_Z, TASK_Y } = CONTROL;

let wasmModule: WebAssembly.Module | null | undefined;

/** The compiled SIMD kernel, or null when this runtime cannot compile it. */
export function loadSvdppWasm(): WebAssembly.Module | null {
  if (wasmModule === undefined) {
    try {
      wasmModule = new WebAssembly.Module(readFileSync(join(__dirname, 'svdpp-kernel.wasm')));
    } catch {
      wasmModule = null;
    }
  }
  return wasmModule;
}

/** Byte addresses of the arrays in the shared memory (handed to the workers). */
interface Layout {
  rows: number;
  trainRows: number;
  nUsers: number;
  nMovies: number;
  stride: number;
  [array: string]: number;
}

/** Cuts [0, n) into at most `chunks` ranges of about equal `weight` (offsets: n + 1 cumulative weights). */
function balancedRanges(offsets: Int32Array, n: number, chunks: number): Array<[number, number]> {
  const total = offsets[n];
  const out: Array<[number, number]> = [];
  let from = 0;
  for (let c = 1; c <= chunks && from < n; c++) {
    let to = from + 1;
    const target = (total * c) / chunks;
    while (to < n && offsets[to] < target) to++;
    if (c === chunks) to = n;
    out.push([from, to]);
    from = to;
  }
  return out;
}

/** Row numbers grouped by movie (CSR offsets + the user of each entry), from rows already grouped by user. */
function usersByMovie(byUserMovies: Int32Array, uOff: Int32Array, nUsers: number, nMovies: number): { mOff: Int32Array; mUsr: Int32Array } {
  const mOff = new Int32Array(nMovies + 1);
  for (let n = 0; n < byUserMovies.length; n++) mOff[byUserMovies[n] + 1]++;
  for (let j = 0; j < nMovies; j++) mOff[j + 1] += mOff[j];
  const fill = mOff.slice(0, nMovies);
  const mUsr = new Int32Array(byUserMovies.length);
  for (let u = 0; u < nUsers; u++) for (let n = uOff[u]; n < uOff[u + 1]; n++) mUsr[fill[byUserMovies[n]]++] = u;
  return { mOff, mUsr };
}

export class ParallelSvdpp {
  readonly threads: number;
  readonly blocks: number;
  readonly kernel: SgdKernelKind;
  private readonly model: MfModel;
  private readonly memory: WebAssembly.Memory;
  private readonly layout: Layout;
  private readonly board: TaskBoard;
  private readonly params: Float64Array;
  private readonly chunkSse: Float64Array;
  private readonly random: Random;
  private readonly nCells: number;
  private readonly movieCounts: Int32Array;
  private readonly validationChunks: Int32Array;
  private readonly userChunks: Int32Array;
  private readonly movieChunks: Int32Array;
  private readonly validationRows: number;
  private readonly validationFallback: { users: Int32Array; movies: Int32Array; ratings: Float32Array };
  private closed = false;

  /** `model`: biases and p, q initialised (y starts at 0). Rows with an unknown user or movie are skipped. */
  constructor(model: MfModel, data: IndexedRatings, options: ParallelSvdppOptions) {
    this.model = model;
    this.threads = Math.max(1, Math.floor(options.threads));
    const B = (this.blocks = Math.max(1, Math.min(options.blocks ?? DEFAULT_GRID_BLOCKS, 1024)));
    const module = options.kernel === 'js' ? null : loadSvdppWasm();
    this.kernel = module ? 'wasm' : 'js';
    this.random = seededRandom(options.seed);
    const k = model.factors;
    const stride = Math.ceil(k / 8) * 8;
    const nUsers = model.userIds.length;
    const nMovies = model.movieIds.length;
    const { users, movies, ratings } = data;

    // Rows grouped by user, each user's ratings in a seeded random order (kept for every epoch).
    const byUser = groupRowsByUser(users, movies, nUsers);
    const trainRows = byUser.length;
    const uOff = new Int32Array(nUsers + 1);
    for (let n = 0; n < trainRows; n++) uOff[users[byUser[n]] + 1]++;
    for (let u = 0; u < nUsers; u++) uOff[u + 1] += uOff[u];
    for (let u = 0; u < nUsers; u++) shuffleInPlace(byUser, this.random, uOff[u], uOff[u + 1]);
    const uMovies = Int32Array.from(byUser, (r) => movies[r]);
    const { mOff, mUsr } = usersByMovie(uMovies, uOff, nUsers, nMovies);
    this.movieCounts = Int32Array.from({ length: nMovies }, (_, j) => mOff[j + 1] - mOff[j]);

    // Grid cells (stable counting sort of the user-grouped rows), then the validation rows.
    const userBlock = randomBlocks(nUsers, B, this.random);
    const movieBlock = randomBlocks(nMovies, B, this.random);
    const nCells = (this.nCells = B * B);
    const cellStart = new Int32Array(nCells + 1);
    for (const r of byUser) cellStart[userBlock[users[r]] * B + movieBlock[movies[r]] + 1]++;
    for (let c = 0; c < nCells; c++) cellStart[c + 1] += cellStart[c];
    const val = options.validation ?? null;
    const valKnown: number[] = [];
    const fallback = { users: [] as number[], movies: [] as number[], ratings: [] as number[] };
    if (val)
      for (let r = 0; r < val.ratings.length; r++) {
        if (val.users[r] >= 0 && val.movies[r] >= 0) valKnown.push(r);
        else {
          fallback.users.push(val.users[r]);
          fallback.movies.push(val.movies[r]);
          fallback.ratings.push(val.ratings[r]);
        }
      }
    this.validationRows = val ? val.ratings.length : 0;
    this.validationFallback = {
      users: Int32Array.from(fallback.users),
      movies: Int32Array.from(fallback.movies),
      ratings: Float32Array.from(fallback.ratings),
    };
    const rows = trainRows + valKnown.length;

    // Chunks: grid cells, validation chunks, user chunks (Z), movie chunks (Y); chunk c = [bounds[2c], bounds[2c+1]).
    const parts = 4 * Math.max(this.threads, 4);
    const ranges: Array<[number, number]> = [];
    for (let c = 0; c < nCells; c++) ranges.push([cellStart[c], cellStart[c + 1]]);
    const valChunks = valKnown.length ? Math.min(valKnown.length, parts) : 0;
    for (let j = 0; j < valChunks; j++)
      ranges.push([trainRows + Math.round((j * valKnown.length) / valChunks), trainRows + Math.round(((j + 1) * valKnown.length) / valChunks)]);
    const ids = (from: number, count: number) => Int32Array.from({ length: count }, (_, j) => from + j);
    this.validationChunks = ids(nCells, valChunks);
    const userRanges = balancedRanges(uOff, nUsers, parts);
    this.userChunks = ids(ranges.length, userRanges.length);
    ranges.push(...userRanges);
    const movieRanges = balancedRanges(mOff, nMovies, parts);
    this.movieChunks = ids(ranges.length, movieRanges.length);
    ranges.push(...movieRanges);
    const bounds = new Int32Array(new SharedArrayBuffer(8 * ranges.length));
    ranges.forEach(([from, to], c) => bounds.set([from, to], 2 * c));

    let offset = 64;
    const take = (bytes: number) => {
      const at = offset;
      offset = align(offset + bytes);
      return at;
    };
    const layout: Layout = {
      rows,
      trainRows,
      nUsers,
      nMovies,
      stride,
      users: take(4 * rows),
      movies: take(4 * rows),
      ratings: take(4 * rows),
      uOff: take(4 * (nUsers + 1)),
      uMov: take(4 * trainRows),
      mOff: take(4 * (nMovies + 1)),
      mUsr: take(4 * trainRows),
      P: take(4 * nUsers * stride),
      Z: take(4 * nUsers * stride),
      G: take(4 * nUsers * stride),
      Q: take(4 * nMovies * stride),
      Y: take(4 * nMovies * stride),
      bu: take(4 * nUsers),
      bi: take(4 * nMovies),
      norm: take(4 * nUsers),
      decayY: take(4 * nMovies),
    };
    const pages = Math.ceil(offset / WASM_PAGE);
    if (pages > 65536) throw new Error(`Parallel SVD++ needs ${offset} bytes of WebAssembly memory (over 4 GiB)`);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.layout = layout;
    const buffer = this.memory.buffer;
    const U = new Int32Array(buffer, layout.users, rows);
    const M = new Int32Array(buffer, layout.movies, rows);
    const R = new Float32Array(buffer, layout.ratings, rows);
    const fill = cellStart.slice(0, nCells);
    for (const r of byUser) {
      const at = fill[userBlock[users[r]] * B + movieBlock[movies[r]]]++;
      U[at] = users[r];
      M[at] = movies[r];
      R[at] = ratings[r];
    }
    valKnown.forEach((r, j) => {
      U[trainRows + j] = val!.users[r];
      M[trainRows + j] = val!.movies[r];
      R[trainRows + j] = val!.ratings[r];
    });
    new Int32Array(buffer, layout.uOff, nUsers + 1).set(uOff);
    new Int32Array(buffer, layout.uMov, trainRows).set(uMovies);
    new Int32Array(buffer, layout.mOff, nMovies + 1).set(mOff);
    new Int32Array(buffer, layout.mUsr, trainRows).set(mUsr);
    const norm = new Float32Array(buffer, layout.norm, nUsers);
    for (let u = 0; u < nUsers; u++) norm[u] = uOff[u + 1] > uOff[u] ? 1 / Math.sqrt(uOff[u + 1] - uOff[u]) : 0;
    copyRows(model.userFactors, new Float32Array(buffer, layout.P, nUsers * stride), nUsers, k, k, stride);
    copyRows(model.movieFactors, new Float32Array(buffer, layout.Q, nMovies * stride), nMovies, k, k, stride);
    new Float32Array(buffer, layout.bu, nUsers).set(model.userBias);
    new Float32Array(buffer, layout.bi, nMovies).set(model.movieBias);
    // Y and Z start at 0 (fresh memory), G too.

    this.board = new TaskBoard(new Int32Array(new SharedArrayBuffer(4 * (CELLS + ranges.length))), 'Parallel SVD++');
    this.params = new Float64Array(new SharedArrayBuffer(8 * 8));
    this.chunkSse = new Float64Array(new SharedArrayBuffer(8 * ranges.length));
    this.params[4] = RATING_MIN;
    this.params[5] = RATING_MAX;
    const workerData = {
      memory: this.memory,
      module,
      control: this.board.ctl.buffer,
      params: this.params.buffer,
      chunkSse: this.chunkSse.buffer,
      bounds: bounds.buffer,
      layout,
      controlSlots: CONTROL,
    };
    this.board.start(join(__dirname, 'svdpp-worker.js'), this.threads, () => workerData);
  }

  /**
   * One epoch (SGD strata, y update, z refresh). Returns the sum of squared errors seen before each
   * update. The model's arrays are not touched: `foldedModel()` reads the result.
   */
  epoch(step: SvdppStep): number {
    if (this.closed) throw new Error('ParallelSvdpp is closed');
    const B = this.blocks;
    this.params[0] = this.model.globalMean;
    this.params[1] = step.learningRate;
    this.params[2] = step.regularization;
    this.params[3] = step.biasRegularization;
    this.params[6] = step.implicitLearningRate;
    const shifts = Int32Array.from({ length: B }, (_, s) => s);
    shuffleInPlace(shifts, this.random);
    const cells = new Int32Array(B);
    for (let s = 0; s < B; s++) {
      for (let b = 0; b < B; b++) cells[b] = b * B + ((b + shifts[s]) % B);
      this.run(TASK_SGD, cells);
    }
    let sse = 0;
    for (let c = 0; c < this.nCells; c++) sse += this.chunkSse[c];
    const decayY = new Float32Array(this.memory.buffer, this.layout.decayY, this.layout.nMovies);
    const keep = 1 - step.implicitLearningRate * step.implicitRegularization;
    for (let j = 0; j < decayY.length; j++) decayY[j] = Math.pow(keep, this.movieCounts[j]);
    this.run(TASK_Y, this.movieChunks);
    this.run(TASK_Z, this.userChunks);
    return sse;
  }

  /** A copy of the current parameters as a plain MfModel with the user vectors folded (p_u + z_u). */
  foldedModel(): MfModel {
    const { model, layout } = this;
    const buffer = this.memory.buffer;
    const { nUsers, nMovies, stride } = layout;
    const k = model.factors;
    const P = new Float32Array(buffer, layout.P, nUsers * stride);
    const Z = new Float32Array(buffer, layout.Z, nUsers * stride);
    const userFactors = new Float32Array(nUsers * k);
    for (let u = 0; u < nUsers; u++) for (let f = 0; f < k; f++) userFactors[u * k + f] = P[u * stride + f] + Z[u * stride + f];
    const movieFactors = new Float32Array(nMovies * k);
    copyRows(new Float32Array(buffer, layout.Q, nMovies * stride), movieFactors, nMovies, k, stride, k);
    return {
      ...model,
      userBias: new Float32Array(buffer, layout.bu, nUsers).slice(),
      movieBias: new Float32Array(buffer, layout.bi, nMovies).slice(),
      userFactors,
      movieFactors,
    };
  }

  /** RMSE of the folded model on the `validation` rows (clipped; unknown users / movies through the biases); null without them. */
  validationRmse(): number | null {
    if (this.closed) throw new Error('ParallelSvdpp is closed');
    if (this.validationRows === 0) return null;
    let sse = 0;
    if (this.validationChunks.length) {
      this.params[0] = this.model.globalMean;
      this.run(TASK_SSE, this.validationChunks);
      for (const c of this.validationChunks) sse += this.chunkSse[c];
    }
    const fb = this.validationFallback;
    if (fb.ratings.length) {
      const biases = { ...this.model, ...this.foldedBiases() };
      for (let r = 0; r < fb.ratings.length; r++) {
        const e = fb.ratings[r] - predictRating(biases, fb.users[r], fb.movies[r]);
        sse += e * e;
      }
    }
    return Math.sqrt(sse / this.validationRows);
  }

  private foldedBiases(): Pick<MfModel, 'userBias' | 'movieBias'> {
    const buffer = this.memory.buffer;
    return {
      userBias: new Float32Array(buffer, this.layout.bu, this.layout.nUsers).slice(),
      movieBias: new Float32Array(buffer, this.layout.bi, this.layout.nMovies).slice(),
    };
  }

  private run(task: number, chunks: Int32Array): void {
    const ctl = this.board.ctl;
    ctl.set(chunks, CELLS);
    Atomics.store(ctl, NCELLS, chunks.length);
    Atomics.store(ctl, TASK, task);
    this.board.run();
  }

  /** Stops the workers (idempotent); the promise settles once every worker thread has exited. */
  close(): Promise<void> {
    this.closed = true;
    return this.board.close();
  }
}
