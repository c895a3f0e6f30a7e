import { kernelInstance, kernelLayout, loadKernel } from './wasm-kernel.js';

/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): an item-item weight
 * matrix B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, over the who-rated-what matrix X. A user's
 * scores are x_u·B: the sum of the B rows of the movies they rated, each scaled by what its rating
 * counts in X (`easeRatingWeight`), so a new user needs no solve.
 * The dense inverse grows as K³ (and B as K²), so B covers only the K most-rated movies; every other
 * movie gets an EASE score of 0 and is ranked by the blend's other signals.
 */
export interface EaseModel {
  /** Model movie indices B covers (the K most-rated), ascending. */
  movies: Int32Array;
  /** B (K × K, row-major): row a holds what rating movies[a] adds to each covered movie; zero diagonal. */
  weights: Float32Array;
  /** The L2 weight λ it was fitted with. */
  lambda: number;
  /** What a rating counts in X and x_u (easeRatingWeight); absent: every rating counts 1 (the 0/1 matrix). */
  input?: EaseInput;
}

/**
 * A rating's entry in X: 1 from `likedRating` up (what the ranking protocol calls relevant), `otherWeight`
 * below it. Every rating says the user watched the movie; the liked ones say more about what to show next.
 */
export interface EaseInput {
  likedRating: number;
  otherWeight: number;
}

/** What a rating of `rating` counts in X and x_u under `input` (1 without one). */
export function easeRatingWeight(input: EaseInput | undefined, rating: number): number {
  return !input || rating >= input.likedRating ? 1 : input.otherWeight;
}

/** Throws if `ease` does not fit a model of `nMovies` movies. */
export function assertEaseShape(ease: EaseModel, nMovies: number): void {
  const k = ease.movies.length;
  const problems: string[] = [];
  if (ease.weights.length !== k * k) problems.push(`ease weights has ${ease.weights.length}, expected ${k * k}`);
  for (let a = 0; a < k; a++) {
    const i = ease.movies[a];
    if (!(i >= 0 && i < nMovies) || (a > 0 && i <= ease.movies[a - 1])) {
      problems.push(`ease movie ${a} (index ${i}) is outside the model or out of order`);
      break;
    }
  }
  if (problems.length) throw new Error(`Invalid EASE model: ${problems.join('; ')}`);
}

/** A user's rated movies `items[from..to)` (model indices) and their ratings (parallel): x_u of the EASE term. */
export interface RatedSpan {
  items: ArrayLike<number>;
  ratings: ArrayLike<number>;
  from: number;
  to: number;
}

/** Position of each model movie in B (−1: not covered), length nMovies. */
export function easePositions(ease: Pick<EaseModel, 'movies'>, nMovies: number): Int32Array {
  const positions = new Int32Array(nMovies).fill(-1);
  ease.movies.forEach((i, a) => (positions[i] = a));
  return positions;
}

/** What scoring with B needs besides the model: its positions and a K-float accumulator (reused, so not re-entrant). */
export interface EaseScorer {
  ease: EaseModel;
  positions: Int32Array;
  sums: Float32Array;
  /** B in WebAssembly memory and its SIMD kernel (sums is then a view of that memory); null: the JavaScript loop. */
  kernel: EaseSumsKernel | null;
}

/** The ease-sums.wasm kernel over one copy of B (layout in easeSumsKernel). */
interface EaseSumsKernel {
  addRows: (sums: number, rows: number, xs: number, count: number, kBytes: number) => void;
  /** Byte addresses: the sums, the row addresses (i32), their scales (f64), B's first row; bytes per padded row. */
  sumsAt: number;
  rowsAt: number;
  xsAt: number;
  weightsAt: number;
  rowBytes: number;
  /** Rows a call takes at most (a longer x_u is added in several calls, in order). */
  capacity: number;
  rows: Int32Array;
  xs: Float64Array;
}

/**
 * B copied into WebAssembly memory, each row padded to a multiple of 4 floats, for ease-sums.wasm; null when
 * SIMD is not available or B would not fit in 2 GiB (the JavaScript loop then adds the rows).
 */
function easeSumsKernel(ease: EaseModel): { kernel: EaseSumsKernel; sums: Float32Array } | null {
  const module = loadKernel('ease-sums.wasm');
  const k = ease.movies.length;
  if (!module || k === 0) return null;
  const stride = Math.ceil(k / 4) * 4;
  const capacity = Math.min(k, 4096);
  const {
    at: [sumsAt, rowsAt, xsAt, weightsAt],
    bytes,
  } = kernelLayout([stride * 4, capacity * 4, capacity * 8, k * stride * 4]);
  const wasm = kernelInstance(module, bytes);
  if (!wasm) return null;
  const { memory } = wasm;
  const heap = new Float32Array(memory.buffer);
  for (let a = 0; a < k; a++) heap.set(ease.weights.subarray(a * k, (a + 1) * k), weightsAt / 4 + a * stride);
  const kernel: EaseSumsKernel = {
    addRows: wasm.exports.addRows as EaseSumsKernel['addRows'],
    sumsAt,
    rowsAt,
    xsAt,
    weightsAt,
    rowBytes: stride * 4,
    capacity,
    rows: new Int32Array(memory.buffer, rowsAt, capacity),
    xs: new Float64Array(memory.buffer, xsAt, capacity),
  };
  return { kernel, sums: heap.subarray(sumsAt / 4, sumsAt / 4 + k) };
}

/** A scorer of `ease` in a model of `nMovies` movies (simd false: the JavaScript loop, as where SIMD is missing). */
export function easeScorer(ease: EaseModel, nMovies: number, options: { simd?: boolean } = {}): EaseScorer {
  assertEaseShape(ease, nMovies);
  const wasm = options.simd === false ? null : easeSumsKernel(ease);
  return {
    ease,
    positions: easePositions(ease, nMovies),
    sums: wasm?.sums ?? new Float32Array(ease.movies.length),
    kernel: wasm?.kernel ?? null,
  };
}

/**
 * x_u·B into `scorer.sums` (one per covered movie), where x_u is easeRatingWeight(ratings[p]) on the
 * movies `rated[from..to)` (model indices; uncovered ones add nothing; `ratings` parallel to `rated`,
 * needed when the model weighs ratings); false when none of them is covered (all sums 0).
 */
export function fillEaseSums(scorer: EaseScorer, rated: ArrayLike<number>, from: number, to: number, ratings?: ArrayLike<number>): boolean {
  const { ease, positions, sums } = scorer;
  const k = ease.movies.length;
  const B = ease.weights;
  const { input } = ease;
  if (input && !ratings) throw new Error('EASE weighs ratings: x_u needs the ratings of the rated movies');
  sums.fill(0);
  let any = false;
  const kernel = scorer.kernel;
  let queued = 0;
  for (let p = from; p < to; p++) {
    const a = positions[rated[p]];
    if (a < 0) continue;
    const x = input ? easeRatingWeight(input, ratings![p]) : 1;
    if (x === 0) continue;
    any = true;
    if (kernel) {
      kernel.rows[queued] = kernel.weightsAt + a * kernel.rowBytes;
      kernel.xs[queued++] = x;
      if (queued === kernel.capacity) queued = addQueuedRows(kernel, queued);
      continue;
    }
    const row = a * k;
    if (x === 1) for (let b = 0; b < k; b++) sums[b] += B[row + b];
    else for (let b = 0; b < k; b++) sums[b] += x * B[row + b];
  }
  if (kernel && queued > 0) addQueuedRows(kernel, queued);
  return any;
}

/** Adds the queued rows to the sums in the kernel's memory, in queue order; returns the new queue length (0). */
function addQueuedRows(kernel: EaseSumsKernel, count: number): number {
  kernel.addRows(kernel.sumsAt, kernel.rowsAt, kernel.xsAt, count, kernel.rowBytes);
  return 0;
}

/** Adds weight · x_u·B (fillEaseSums; `ratings` as there) to `out` (length nMovies, model movie indices). Cost: covered rated movies × K. */
export function addEaseScores(
  scorer: EaseScorer,
  rated: ArrayLike<number>,
  from: number,
  to: number,
  weight: number,
  out: Float32Array,
  ratings?: ArrayLike<number>,
): Float32Array {
  if (weight === 0 || !fillEaseSums(scorer, rated, from, to, ratings)) return out;
  const { movies } = scorer.ease;
  const { sums } = scorer;
  for (let b = 0; b < movies.length; b++) out[movies[b]] += weight * sums[b];
  return out;
}
