import type { MfModel } from './mf-model.js';
import { kernelInstance, kernelLayout, loadKernel } from './wasm-kernel.js';

/**
 * An upper bound of every movie's score, read from 8-bit copies of the movie factors: a quarter of
 * the bytes the exact 32-bit scorer (simd-scorer.ts) reads per request, and about half its
 * instructions. Built at load from the 32-bit factors: each row is stored as int8 with its own scale
 * s_i = max_f |q_if| / 127, and each request's user vector as int16 with one scale. A WebAssembly
 * SIMD kernel (source: packages/model/wasm/movie-bounds.wat) takes the integer dot products
 * (i32x4.dot_i16x8_s) and writes, for every movie,
 *
 *   bound_i = base + b_i + approx(u·q_i) + s_i · E_u  ≥  the exact score base + b_i + u·q_i,
 *
 * where E_u = |u|₁/2 + (user scale)·127·k/2 bounds the rounding of both copies (each int8 value is
 * within s_i/2 of the factor, each int16 one within half the user scale), plus a slack far above the
 * float32 rounding of either kernel. The same pass lists the movies whose bound reaches a threshold,
 * so a caller holding a lower bound of the n-th best exact score scores only those exactly
 * (serving's bounded-top-n.ts). Without WebAssembly SIMD it is not built (undefined).
 */
export interface MovieBoundScorer {
  readonly nMovies: number;
  /** Bytes of the module's memory (the int8 copy, scales, biases, the output and the list). */
  readonly bytes: number;
  /** The bounds of the last call, one per movie (a view, valid until the next call). */
  readonly upper: Float32Array;
  /** The first `capacity` movies of the last call whose bound reached its threshold, ascending. */
  readonly listed: Int32Array;
  /**
   * Bounds base + b_i + vector·q_i for every movie into `upper`, lists those ≥ `threshold` in
   * `listed` and returns how many there are (more than listed.length: the list is cut).
   */
  bound(vector: Float32Array, offset: number, base: number, threshold?: number): number;
}

type Kernel = (
  u: number,
  q: number,
  b: number,
  s: number,
  out: number,
  n: number,
  kBytes: number,
  base: number,
  uScale: number,
  err: number,
  tau: number,
  list: number,
  cap: number,
) => number;

/** Relative slack added to every bound: ~100x the float32 rounding of a 512-term dot product. */
const SLACK = 2e-4;
/** Movies a call lists at most. */
const LIST_CAPACITY = 4096;

/** The int8 bound scorer of `model`'s movie factors and biases (a snapshot), or undefined without WebAssembly SIMD. */
export function createBoundScorer(model: Pick<MfModel, 'factors' | 'movieIds' | 'movieBias' | 'movieFactors'>): MovieBoundScorer | undefined {
  const module = loadKernel('movie-bounds.wasm');
  const k = model.factors;
  const nMovies = model.movieIds.length;
  const stride = Math.ceil(k / 32) * 32;
  // int16 user values: the largest magnitude that keeps a row's i32 dot product from overflowing.
  const userMax = Math.min(32767, Math.floor(0x7fffffff / (127 * stride)));
  if (!module || userMax < 127) return undefined;

  const {
    at: [uAt, outAt, biasAt, scaleAt, listAt, factorsAt],
    bytes,
  } = kernelLayout([stride * 2, nMovies * 4, nMovies * 4, nMovies * 4, LIST_CAPACITY * 4, nMovies * stride]);
  const wasm = kernelInstance(module, bytes);
  if (!wasm) return undefined;
  const { memory } = wasm;
  const kernel = wasm.exports.bounds as Kernel;
  const floats = new Float32Array(memory.buffer);
  const int8 = new Int8Array(memory.buffer);
  const user = new Int16Array(memory.buffer, uAt, stride);
  floats.set(model.movieBias, biasAt / 4);
  const Qf = model.movieFactors;
  let maxBias = 0;
  let maxFactor = 0;
  for (let i = 0; i < nMovies; i++) {
    maxBias = Math.max(maxBias, Math.abs(model.movieBias[i]));
    let max = 0;
    for (let f = 0; f < k; f++) max = Math.max(max, Math.abs(Qf[i * k + f]));
    maxFactor = Math.max(maxFactor, max);
    const scale = Math.fround(max / 127);
    floats[scaleAt / 4 + i] = scale;
    if (scale === 0) continue;
    for (let f = 0; f < k; f++) int8[factorsAt + i * stride + f] = Math.max(-127, Math.min(127, Math.round(Qf[i * k + f] / scale)));
  }
  return {
    nMovies,
    bytes,
    upper: floats.subarray(outAt / 4, outAt / 4 + nMovies),
    listed: new Int32Array(memory.buffer, listAt, LIST_CAPACITY),
    bound(vector, offset, base, threshold = -Infinity) {
      let max = 0;
      let l1 = 0;
      for (let f = 0; f < k; f++) {
        const a = Math.abs(vector[offset + f]);
        l1 += a;
        if (a > max) max = a;
      }
      const userScale = max / userMax;
      for (let f = 0; f < k; f++) user[f] = userScale === 0 ? 0 : Math.round(vector[offset + f] / userScale);
      const err = (l1 / 2 + (userScale * 127 * k) / 2) * (1 + 1e-6);
      const slack = SLACK * (1 + Math.abs(base) + maxBias + l1 * maxFactor);
      return kernel(uAt, factorsAt, biasAt, scaleAt, outAt, nMovies, stride, base + slack, userScale, err, threshold, listAt, LIST_CAPACITY);
    },
  };
}
