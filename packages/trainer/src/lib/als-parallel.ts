import { cgScratch, cgSolveRows, gramPart } from './als-cg-kernel.js';
import { rangeBounds } from './chunk-ranges.js';
import { KernelPool, type KernelPoolOptions } from './kernel-pool.js';
import { BOARD } from './task-board-worker.js';
import { loadKernelModule, paddedStride, SharedMemoryPlan } from './wasm-memory.js';

/**
 * Implicit-ALS half-sweeps with conjugate-gradient row solves, on worker threads sharing memory.
 *
 * Everything lives in one shared WebAssembly.Memory: both factor matrices (rows padded to `stride`,
 * a multiple of 8 floats, with zero padding that stays zero), the ratings grouped by user and by
 * movie (CSR: offsets, the other side's index, the confidence), the Gram matrix and the per-thread
 * scratch vectors. Nothing is copied per sweep. A half-sweep is two tasks: the Gram matrix of the
 * fixed side (fixed row ranges; each part is written to its own slot and the main thread adds the
 * parts in range order), then the CG solves of the updated side in chunks of rows balanced by
 * ratings. The row solve is the WebAssembly SIMD kernel (wasm/als-kernel.wat, f32x4) or, as the
 * fallback, the float64 JS kernel (als-cg-kernel.js). A row and a Gram part are computed by the
 * same code from the same inputs whichever thread takes them, so for a given kernel the result is
 * identical for any thread count, including the in-process path (threads 1).
 */

/** One side of the ratings as CSR (entries of row g: offsets[g]..offsets[g+1]). */
export interface AlsSide {
  rows: number;
  offsets: Int32Array;
  /** Index of the other side per entry. */
  others: Int32Array;
  /** Confidence c per entry (float32). */
  conf: Float32Array;
}

/** Row chunks per thread of the solve task (balanced by work; the result does not depend on them). */
const SOLVE_CHUNKS_PER_THREAD = 64;
/** Row ranges of the Gram task: a fixed function of the row count, never of the thread count. */
const GRAM_CHUNKS = 16;

/** This pool's slots of the task board (the common ones are BOARD's) and its task codes. */
const CONTROL = { ...BOARD, TASK: 5, SIDE: 6, TASK_GRAM: 0, TASK_SOLVE: 1 } as const;
const { TASK, SIDE, TASK_GRAM, TASK_SOLVE } = CONTROL;
const CONTROL_SLOTS = 16;

const ALS_KERNEL_FILE = 'als-kernel.wasm';

/** The compiled ALS kernel, or null when this runtime cannot compile it (no SIMD / shared memory). */
export function loadAlsWasm(): WebAssembly.Module | null {
  return loadKernelModule(ALS_KERNEL_FILE);
}

/** A row's work in a solve: its ratings plus a share of the k×k product. */
const byWork = (offsets: Int32Array, perRow: number) => (g: number) => offsets[g + 1] - offsets[g] + perRow;

function sharedInts(values: number[]): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(4 * values.length));
  out.set(values);
  return out;
}

interface SideLayout {
  rows: number;
  offsets: number;
  others: number;
  conf: number;
  factors: number;
}

export interface AlsLayout {
  stride: number;
  nnz: number;
  G: number;
  scratch: number;
  users: SideLayout;
  movies: SideLayout;
}

export interface AlsSweeperOptions extends KernelPoolOptions {
  k: number;
  nUsers: number;
  nMovies: number;
  /** Ratings (entries per side). */
  nnz: number;
}

export class AlsSweeper extends KernelPool {
  readonly k: number;
  readonly stride: number;
  /** CSR views to fill before `start()`. */
  readonly users: AlsSide;
  readonly movies: AlsSide;
  /** Users × stride and movies × stride factors (padding columns zero); updated in place. */
  readonly X: Float32Array;
  readonly Y: Float32Array;
  private readonly memory: WebAssembly.Memory;
  private readonly layout: AlsLayout;
  private readonly gram64: Float64Array;
  private readonly gram32: Float32Array;
  private readonly parts: Float64Array;
  private readonly params: Float64Array;
  private chunks: [Int32Array, Int32Array] | null = null;
  private gramChunks: [Int32Array, Int32Array] | null = null;
  private solveInProcess: ((side: number, reg: number, steps: number) => void) | null = null;

  constructor(options: AlsSweeperOptions) {
    super('implicit ALS', options, ALS_KERNEL_FILE);
    const { k, nUsers, nMovies, nnz } = options;
    this.k = k;
    const stride = (this.stride = paddedStride(k));
    const plan = new SharedMemoryPlan();
    const take = (bytes: number) => plan.take(bytes);
    const side = (rows: number): SideLayout => ({
      rows,
      offsets: take(4 * (rows + 1)),
      others: take(4 * nnz),
      conf: take(4 * nnz),
      factors: take(4 * rows * stride),
    });
    this.layout = {
      stride,
      nnz,
      G: take(4 * stride * stride),
      scratch: take(16 * stride * (this.threads + 1)),
      users: side(nUsers),
      movies: side(nMovies),
    };
    this.memory = plan.allocate('implicit ALS');
    const buffer = this.memory.buffer;
    const view = (s: SideLayout): AlsSide => ({
      rows: s.rows,
      offsets: new Int32Array(buffer, s.offsets, s.rows + 1),
      others: new Int32Array(buffer, s.others, nnz),
      conf: new Float32Array(buffer, s.conf, nnz),
    });
    this.users = view(this.layout.users);
    this.movies = view(this.layout.movies);
    this.X = new Float32Array(buffer, this.layout.users.factors, nUsers * stride);
    this.Y = new Float32Array(buffer, this.layout.movies.factors, nMovies * stride);
    this.gram32 = new Float32Array(buffer, this.layout.G, stride * stride);
    this.gram64 = new Float64Array(new SharedArrayBuffer(8 * stride * stride));
    this.parts = new Float64Array(new SharedArrayBuffer(8 * stride * stride * GRAM_CHUNKS));
    this.params = new Float64Array(new SharedArrayBuffer(8 * 4));
  }

  /** Writes unpadded row-major factors (rows × k) into X ('users') or Y ('movies'). */
  setFactors(side: 'users' | 'movies', values: Float32Array): void {
    const out = side === 'users' ? this.X : this.Y;
    const { k, stride } = this;
    for (let g = 0; g < values.length / k; g++) out.set(values.subarray(g * k, g * k + k), g * stride);
  }

  /** Unpadded copy (rows × k) of X or Y. */
  factors(side: 'users' | 'movies'): Float32Array {
    const from = side === 'users' ? this.X : this.Y;
    const { k, stride } = this;
    const rows = from.length / stride;
    const out = new Float32Array(rows * k);
    for (let g = 0; g < rows; g++) out.set(from.subarray(g * stride, g * stride + k), g * k);
    return out;
  }

  /** Call once the CSR views are filled: cuts the chunks and starts the workers (threads > 1). */
  start(): void {
    const perRow = this.stride / 2;
    const nChunks = SOLVE_CHUNKS_PER_THREAD * this.threads;
    this.chunks = [
      sharedInts(rangeBounds(this.users.rows, nChunks, byWork(this.users.offsets, perRow))),
      sharedInts(rangeBounds(this.movies.rows, nChunks, byWork(this.movies.offsets, perRow))),
    ];
    this.gramChunks = [sharedInts(rangeBounds(this.users.rows, GRAM_CHUNKS)), sharedInts(rangeBounds(this.movies.rows, GRAM_CHUNKS))];
    if (this.threads === 1) {
      this.solveInProcess = this.inProcessSolver();
      return;
    }
    const { chunks, gramChunks } = this;
    this.startWorkers('als-worker.js', CONTROL_SLOTS, (control, t) => ({
      memory: this.memory,
      module: this.module,
      layout: this.layout,
      control,
      params: this.params.buffer,
      gram64: this.gram64.buffer,
      gramParts: this.parts.buffer,
      chunks: chunks.map((c) => c.buffer),
      gramChunks: gramChunks.map((c) => c.buffer),
      controlSlots: CONTROL,
      index: t + 1,
    }));
  }

  private inProcessSolver(): (side: number, reg: number, steps: number) => void {
    const { stride, layout } = this;
    const sides = [this.users, this.movies];
    const factors = [this.X, this.Y];
    if (this.module) {
      const { exports } = new WebAssembly.Instance(this.module, { env: { memory: this.memory } });
      const cgRows = exports.cg_rows as (...args: number[]) => void;
      const at = [layout.users, layout.movies];
      return (s, reg, steps) =>
        cgRows(
          layout.G,
          at[1 - s].factors,
          stride,
          at[s].offsets,
          at[s].others,
          at[s].conf,
          reg,
          at[s].factors,
          0,
          at[s].rows,
          steps,
          layout.scratch,
        );
    }
    const scratch = cgScratch(stride);
    return (s, reg, steps) => {
      const st = sides[s];
      cgSolveRows(this.gram64, factors[1 - s], stride, st.offsets, st.others, st.conf, reg, factors[s], 0, st.rows, steps, scratch);
    };
  }

  /**
   * Updates every user row (side 'users', from the movie factors) or every movie row (side 'movies')
   * by `steps` warm-started CG steps on its implicit-ALS normal equations with L2 weight `reg`.
   */
  halfSweep(side: 'users' | 'movies', reg: number, steps: number): void {
    this.assertOpen();
    if (!this.chunks || !this.gramChunks) throw new Error('AlsSweeper.start() was not called');
    const s = side === 'users' ? 0 : 1;
    const V = s === 0 ? this.Y : this.X;
    const k = this.stride;
    const bounds = this.gramChunks[1 - s];
    const nParts = bounds.length - 1;
    if (this.threads === 1) for (let j = 0; j < nParts; j++) gramPart(V, k, bounds[j], bounds[j + 1], this.parts, j * k * k);
    else this.run(TASK_GRAM, s);
    // G = Σ parts in range order (lower triangle), mirrored; a float32 copy for the SIMD kernel.
    const G = this.gram64;
    G.fill(0);
    for (let j = 0; j < nParts; j++) {
      const o = j * k * k;
      for (let a = 0; a < k; a++) for (let b = 0; b <= a; b++) G[a * k + b] += this.parts[o + a * k + b];
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) G[b * k + a] = G[a * k + b];
    this.gram32.set(G);
    this.params[0] = reg;
    this.params[1] = steps;
    if (this.threads === 1) this.solveInProcess!(s, reg, steps);
    else this.run(TASK_SOLVE, s);
  }

  private run(task: number, side: number): void {
    this.runWorkers([
      [TASK, task],
      [SIDE, side],
    ]);
  }
}
