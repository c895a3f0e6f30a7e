import { choleskySolveInPlace, confidenceOf, gramOf, implicitSolveBuffers, solveImplicitRow, type ImplicitConfidence } from '@reelrank/model';
import type { IndexedRatings } from './indexing.js';
import { deriveSeed, gaussian, normalDraws, seededRandom } from '@reelrank/random';
import { AlsSweeper, type AlsSide } from './als-parallel.js';
import type { KernelKind } from './kernel-pool.js';
import { runFit, type ModelFit, type PassRecord } from './model-fit.js';
import { stepThreads } from './train-threads.js';

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) over who-rated-what: every (user, movie) pair is
 * an observation, preference 1 where the user rated the movie and 0 elsewhere, confidence
 * c = 1 + α·w(r) on the rated pairs and 1 on the rest. Each half-sweep updates every row towards
 *   x_u = (YᵀY + Σ_{i∈N(u)} (c_ui − 1) y_i y_iᵀ + λI)⁻¹ Σ_{i∈N(u)} c_ui y_i
 * with the Gram trick (YᵀY once per half-sweep, then only the user's own rows).
 *
 * By default (cgSteps > 0) each row takes a few conjugate-gradient steps on that system, warm-started
 * from the row's previous value (Takács, Pilászy & Tikk 2011): A·p is applied as YᵀY·p + λp +
 * Σ (c−1)(y·p) y, so a sweep costs O(cgSteps·(ratings·k + rows·k²)), and the rows run on worker
 * threads over shared memory (als-parallel.ts; the same result for any thread count). With cgSteps 0
 * every row is solved exactly (k × k Cholesky, Woodbury for short rows): O(ratings·k² + rows·k³).
 * Either way the objective is the one the API's fold-in (`solveImplicitRow`, exact) minimises for a
 * new user against the fixed movie factors.
 */
export interface ImplicitHyperParameters extends ImplicitConfidence {
  factors: number;
  sweeps: number;
  initStd: number;
  seed: number;
  /** CG steps per row and half-sweep (warm-started); 0 = exact Cholesky / Woodbury solves. */
  cgSteps: number;
}

export interface ImplicitFactors {
  factors: number;
  userFactors: Float32Array;
  movieFactors: Float32Array;
  seconds: number;
}

/** Rows grouped by one key as CSR: entries of key g are rows[offsets[g]..offsets[g+1]). */
function groupRows(keys: Int32Array, other: Int32Array, nKeys: number): { offsets: Int32Array; rows: Int32Array } {
  const offsets = new Int32Array(nKeys + 1);
  for (let r = 0; r < keys.length; r++) if (keys[r] >= 0 && other[r] >= 0) offsets[keys[r] + 1]++;
  for (let g = 0; g < nKeys; g++) offsets[g + 1] += offsets[g];
  const fill = offsets.slice(0, nKeys);
  const rows = new Int32Array(offsets[nKeys]);
  for (let r = 0; r < keys.length; r++) if (keys[r] >= 0 && other[r] >= 0) rows[fill[keys[r]]++] = r;
  return { offsets, rows };
}

/**
 * Solves every row of one half-sweep. Rows with few observations (most movies: the median movie
 * has a handful of ratings) use the Woodbury identity around M = (G + λI)⁻¹, computed once:
 *   x = M b − M Uᵀ (D⁻¹ + U M Uᵀ)⁻¹ U M b,   U = the row's n observed vectors, D = diag(c − 1)
 * which costs O(n·k² + n²·k + n³) instead of a fresh O(k³) Cholesky; the rest use solveImplicitRow.
 * Both are the same exact solve (up to rounding).
 */
export function solveHalfSweep(
  G: Float64Array,
  V: Float32Array,
  k: number,
  others: Int32Array,
  conf: Float64Array,
  offsets: Int32Array,
  regularization: number,
  out: Float32Array,
): void {
  const rows = offsets.length - 1;
  const buffers = implicitSolveBuffers(k);
  const small = Math.max(1, Math.floor(k / 4));
  // M = (G + λI)⁻¹ by Cholesky against the identity's columns.
  const M = new Float64Array(k * k);
  const A0 = new Float64Array(k * k);
  const e = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    A0.set(G);
    for (let a = 0; a < k; a++) A0[a * k + a] += regularization;
    e.fill(0);
    e[c] = 1;
    choleskySolveInPlace(A0, e, k);
    for (let a = 0; a < k; a++) M[a * k + c] = e[a];
  }
  const W = new Float64Array(small * k);
  const S = new Float64Array(small * small);
  const t = new Float64Array(small);
  const mb = new Float64Array(k);
  for (let g = 0; g < rows; g++) {
    const from = offsets[g];
    const n = offsets[g + 1] - from;
    if (n === 0 || n > small) {
      solveImplicitRow(G, V, k, others, conf, from, from + n, regularization, out, g * k, buffers);
      continue;
    }
    // W = U M (n × k); mb = M b = Wᵀ c.
    mb.fill(0);
    for (let j = 0; j < n; j++) {
      const o = others[from + j] * k;
      const c = conf[from + j];
      for (let a = 0; a < k; a++) {
        let sum = 0;
        const ma = a * k;
        for (let d = 0; d < k; d++) sum += V[o + d] * M[ma + d];
        W[j * k + a] = sum;
        mb[a] += c * sum;
      }
    }
    // S = D⁻¹ + W Uᵀ (lower triangle); t = U mb.
    for (let j = 0; j < n; j++) {
      const oj = others[from + j] * k;
      for (let l = 0; l <= j; l++) {
        let sum = 0;
        for (let d = 0; d < k; d++) sum += W[l * k + d] * V[oj + d];
        S[j * n + l] = sum;
      }
      S[j * n + j] += 1 / (conf[from + j] - 1);
      let dot = 0;
      for (let d = 0; d < k; d++) dot += V[oj + d] * mb[d];
      t[j] = dot;
    }
    choleskySolveInPlace(S, t, n);
    const xo = g * k;
    for (let a = 0; a < k; a++) {
      let sum = mb[a];
      for (let j = 0; j < n; j++) sum -= W[j * k + a] * t[j];
      out[xo + a] = sum;
    }
  }
}

/** Options of trainImplicitAls that do not change the result (for a given kernel). */
export interface ImplicitRunOptions {
  /** Worker threads of the CG sweeps (default: one per core; 1 = in-process). */
  threads?: number;
  /** Below this many ratings the sweeps run in-process (default 200,000, as the SGD kernel). */
  parallelMinRatings?: number;
  /** Row solver: 'wasm' (SIMD, float32; default when it compiles) or 'js' (float64). */
  kernel?: KernelKind;
}

/** Fills `side` with the ratings grouped by `keys` (CSR): the other side's index and the confidence. */
function fillSide(side: AlsSide, keys: Int32Array, other: Int32Array, ratings: Float32Array, confidence: ImplicitConfidence): void {
  if (groupedInOrder(keys, other)) {
    // Rows already grouped by key (ratings ordered by user, none unknown): the CSR is the rows in order.
    side.offsets.fill(0);
    for (let r = 0; r < keys.length; r++) side.offsets[keys[r] + 1]++;
    for (let g = 0; g < side.rows; g++) side.offsets[g + 1] += side.offsets[g];
    side.others.set(other);
    for (let r = 0; r < keys.length; r++) side.conf[r] = confidenceOf(confidence, ratings[r]);
    return;
  }
  const { offsets, rows } = groupRows(keys, other, side.rows);
  side.offsets.set(offsets);
  for (let n = 0; n < rows.length; n++) {
    side.others[n] = other[rows[n]];
    side.conf[n] = confidenceOf(confidence, ratings[rows[n]]);
  }
}

/** Whether every row is known (no -1 on either side) and the keys never decrease (groupRows would keep the rows as they are). */
function groupedInOrder(keys: Int32Array, other: Int32Array): boolean {
  for (let r = 0; r < keys.length; r++) if (keys[r] < 0 || other[r] < 0 || (r > 0 && keys[r] < keys[r - 1])) return false;
  return true;
}

/** Fills `to` with the transpose of `from` (same entries grouped by the other side), reading `from` in order. */
function transposeSide(from: AlsSide, to: AlsSide): void {
  const offsets = to.offsets;
  offsets.fill(0);
  const nnz = from.offsets[from.rows];
  for (let n = 0; n < nnz; n++) offsets[from.others[n] + 1]++;
  for (let g = 0; g < to.rows; g++) offsets[g + 1] += offsets[g];
  const fill = offsets.slice(0, to.rows);
  for (let g = 0; g < from.rows; g++) {
    for (let n = from.offsets[g]; n < from.offsets[g + 1]; n++) {
      const at = fill[from.others[n]]++;
      to.others[at] = g;
      to.conf[at] = from.conf[n];
    }
  }
}

/** Trains implicit factors on indexed ratings (rows with an unknown index are skipped). */
export function trainImplicitAls(
  data: IndexedRatings,
  nUsers: number,
  nMovies: number,
  hyper: ImplicitHyperParameters,
  log?: (line: string) => void,
  options: ImplicitRunOptions = {},
): ImplicitFactors {
  const cgSteps = hyper.cgSteps;
  if (cgSteps > 0) return trainImplicitCg(data, nUsers, nMovies, hyper, cgSteps, log, options);
  return trainImplicitExact(data, nUsers, nMovies, hyper, log);
}

/** What an implicit-ALS sweep records besides the loop's figures (CPU seconds of the CG sweeps, all threads). */
interface SweepStats {
  cpuSeconds?: number;
}

/** Implicit ALS as a ModelFit: a sweep (both half-sweeps) per pass, no validation set, exported as its factors. */
abstract class ImplicitFit implements ModelFit<null, Omit<ImplicitFactors, 'seconds'>, SweepStats> {
  readonly validated = false;

  constructor(readonly passes: number) {}

  abstract pass(): SweepStats;
  abstract exportModel(): Omit<ImplicitFactors, 'seconds'>;

  validationScore(): null {
    return null;
  }

  snapshot(): null {
    return null;
  }

  progress({ epoch, seconds, cpuSeconds }: SweepStats & PassRecord): string {
    const cpu = cpuSeconds === undefined ? '' : ` (cpu ${cpuSeconds.toFixed(2)} s)`;
    return `[implicit] sweep ${epoch}/${this.passes} ${seconds.toFixed(2)} s${cpu}`;
  }

  close(): unknown {
    return undefined;
  }
}

function trainImplicitCg(
  data: IndexedRatings,
  nUsers: number,
  nMovies: number,
  hyper: ImplicitHyperParameters,
  cgSteps: number,
  log: ((line: string) => void) | undefined,
  options: ImplicitRunOptions,
): ImplicitFactors {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const k = hyper.factors;
  let nnz = 0;
  for (let r = 0; r < data.users.length; r++) if (data.users[r] >= 0 && data.movies[r] >= 0) nnz++;
  const threads = stepThreads(nnz, options);
  const sweeper = new AlsSweeper({ k, nUsers, nMovies, nnz, threads, kernel: options.kernel });
  try {
    fillSide(sweeper.users, data.users, data.movies, data.ratings, hyper);
    transposeSide(sweeper.users, sweeper.movies);
    sweeper.setFactors('movies', normalDraws(nMovies * k, hyper.initStd, gaussian(seededRandom(deriveSeed(hyper.seed, 'implicit-init')))));
    // CG is warm-started, so the users start from small random values too (their own stream).
    sweeper.setFactors('users', normalDraws(nUsers * k, hyper.initStd, gaussian(seededRandom(deriveSeed(hyper.seed, 'implicit-init-users')))));
    sweeper.start();
  } catch (error) {
    void sweeper.close();
    throw error;
  }
  log?.(
    `[implicit] CG ALS: ${cgSteps} steps per row, ${sweeper.kernel} kernel, ${threads} thread${threads === 1 ? '' : 's'}, k=${k}, ${nnz} ratings, setup ${((performance.now() - started) / 1000).toFixed(2)} s (cpu ${(process.cpuUsage(cpuStart).user / 1e6).toFixed(2)} s)`,
  );
  const outcome = runFit(new ImplicitCgFit(sweeper, hyper, cgSteps), { log, started });
  return { ...outcome.model, seconds: outcome.seconds };
}

/** Conjugate-gradient sweeps on the AlsSweeper's worker pool. */
class ImplicitCgFit extends ImplicitFit {
  constructor(
    private readonly sweeper: AlsSweeper,
    private readonly hyper: ImplicitHyperParameters,
    private readonly cgSteps: number,
  ) {
    super(hyper.sweeps);
  }

  pass(): SweepStats {
    const cpu0 = process.cpuUsage();
    this.sweeper.halfSweep('users', this.hyper.regularization, this.cgSteps);
    this.sweeper.halfSweep('movies', this.hyper.regularization, this.cgSteps);
    const cpu = process.cpuUsage(cpu0);
    return { cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }

  exportModel(): Omit<ImplicitFactors, 'seconds'> {
    return { factors: this.sweeper.k, userFactors: this.sweeper.factors('users'), movieFactors: this.sweeper.factors('movies') };
  }

  override close(): Promise<void> {
    return this.sweeper.close();
  }
}

function trainImplicitExact(
  data: IndexedRatings,
  nUsers: number,
  nMovies: number,
  hyper: ImplicitHyperParameters,
  log?: (line: string) => void,
): ImplicitFactors {
  const started = performance.now();
  const outcome = runFit(new ImplicitExactFit(data, nUsers, nMovies, hyper), { log, started });
  return { ...outcome.model, seconds: outcome.seconds };
}

/** Exact row solves (Cholesky, Woodbury for short rows) on the main thread. */
class ImplicitExactFit extends ImplicitFit {
  private readonly X: Float32Array;
  private readonly Y: Float32Array;
  private readonly byUser: { offsets: Int32Array; rows: Int32Array };
  private readonly byMovie: { offsets: Int32Array; rows: Int32Array };
  private readonly userItems: Int32Array;
  private readonly userConf: Float64Array;
  private readonly movieUsers: Int32Array;
  private readonly movieConf: Float64Array;
  private readonly woodbury: boolean;
  private readonly buffers: ReturnType<typeof implicitSolveBuffers>;

  constructor(
    data: IndexedRatings,
    private readonly nUsers: number,
    private readonly nMovies: number,
    private readonly hyper: ImplicitHyperParameters,
  ) {
    super(hyper.sweeps);
    const k = hyper.factors;
    this.X = new Float32Array(nUsers * k);
    this.Y = normalDraws(nMovies * k, hyper.initStd, gaussian(seededRandom(deriveSeed(hyper.seed, 'implicit-init'))));
    this.byUser = groupRows(data.users, data.movies, nUsers);
    this.byMovie = groupRows(data.movies, data.users, nMovies);
    // Per group: the other side's index and the confidence, in CSR order.
    this.userItems = Int32Array.from(this.byUser.rows, (r) => data.movies[r]);
    this.userConf = Float64Array.from(this.byUser.rows, (r) => confidenceOf(hyper, data.ratings[r]));
    this.movieUsers = Int32Array.from(this.byMovie.rows, (r) => data.users[r]);
    this.movieConf = Float64Array.from(this.byMovie.rows, (r) => confidenceOf(hyper, data.ratings[r]));
    this.woodbury = hyper.alpha > 0 && hyper.floor > 0 && hyper.ratingSlope >= 0;
    this.buffers = implicitSolveBuffers(k);
  }

  pass(): SweepStats {
    const { X, Y, hyper, byUser, byMovie, buffers } = this;
    const k = hyper.factors;
    const gy = gramOf(Y, k);
    if (this.woodbury) solveHalfSweep(gy, Y, k, this.userItems, this.userConf, byUser.offsets, hyper.regularization, X);
    else
      for (let u = 0; u < this.nUsers; u++)
        solveImplicitRow(gy, Y, k, this.userItems, this.userConf, byUser.offsets[u], byUser.offsets[u + 1], hyper.regularization, X, u * k, buffers);
    const gx = gramOf(X, k);
    if (this.woodbury) solveHalfSweep(gx, X, k, this.movieUsers, this.movieConf, byMovie.offsets, hyper.regularization, Y);
    else
      for (let i = 0; i < this.nMovies; i++)
        solveImplicitRow(
          gx,
          X,
          k,
          this.movieUsers,
          this.movieConf,
          byMovie.offsets[i],
          byMovie.offsets[i + 1],
          hyper.regularization,
          Y,
          i * k,
          buffers,
        );
    return {};
  }

  exportModel(): Omit<ImplicitFactors, 'seconds'> {
    return { factors: this.hyper.factors, userFactors: this.X, movieFactors: this.Y };
  }
}
