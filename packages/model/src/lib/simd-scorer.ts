import type { MfModel } from './mf-model.js';
import { kernelInstance, kernelLayout, loadKernel } from './wasm-kernel.js';

/**
 * Scores one user vector against every movie with a small WebAssembly SIMD kernel (f32x4, two
 * accumulators; source: packages/model/wasm/movie-scorer.wat), ~4x the plain-JS loop of scoreAllMovies. The movie factors are copied
 * once into the module's memory, each row padded to a multiple of 8 floats with zeros, so the result
 * is the same formula μ + b_u + b_i + p_u·q_i (summed in float32 instead of float64: differences are
 * ~1e-6). Nothing is allocated per call: the user vector is copied into a fixed slot and the scores
 * are written into a Float32Array view over the module's memory that the caller reads directly.
 * Without WebAssembly SIMD (very old runtimes) it falls back to the same loop in JS.
 */

export interface MovieScorer {
  readonly nMovies: number;
  readonly factors: number;
  /** true when the WebAssembly kernel is in use, false for the JS fallback. */
  readonly simd: boolean;
  /**
   * Writes base + b_i + vector·q_i for every movie into the returned view (valid until the next
   * call). `vector` holds `factors` floats starting at `offset` (e.g. a row of model.userFactors).
   */
  score(vector: Float32Array, offset: number, base: number): Float32Array;
  /**
   * The same scores (bit for bit) for the `count` movie indices `indices[0..count)` only, written into
   * `out[0..count)`: the exact re-rank of a few candidates.
   */
  scoreSome(vector: Float32Array, offset: number, base: number, indices: Int32Array, count: number, out: Float32Array): void;
}

type Kernel = (u: number, q: number, b: number, out: number, n: number, kBytes: number, base: number) => void;

/** A scorer over `model`'s movie factors and biases (a snapshot: later edits to the model are not seen). */
export function createMovieScorer(
  model: Pick<MfModel, 'factors' | 'movieIds' | 'movieBias' | 'movieFactors'>,
  options: { simd?: boolean } = {},
): MovieScorer {
  const k = model.factors;
  const nMovies = model.movieIds.length;
  const module = options.simd === false ? null : loadKernel('movie-scorer.wasm');
  if (!module || k > 1 << 16) return jsScorer(model);

  const stride = Math.ceil(k / 8) * 8;
  // Layout (bytes): user vector | scores | biases | factors, each 16-byte aligned.
  const {
    at: [uAt, outAt, biasAt, factorsAt],
    bytes,
  } = kernelLayout([stride * 4, nMovies * 4, nMovies * 4, nMovies * stride * 4]);
  const wasm = kernelInstance(module, bytes);
  if (!wasm) return jsScorer(model);
  const { memory } = wasm;
  const kernel = wasm.exports.score as Kernel;
  const heap = new Float32Array(memory.buffer);
  heap.set(model.movieBias, biasAt / 4);
  for (let i = 0; i < nMovies; i++) heap.set(model.movieFactors.subarray(i * k, i * k + k), factorsAt / 4 + i * stride);
  const user = heap.subarray(uAt / 4, uAt / 4 + k);
  const out = heap.subarray(outAt / 4, outAt / 4 + nMovies);
  return {
    nMovies,
    factors: k,
    simd: true,
    score(vector, offset, base) {
      user.set(vector.subarray(offset, offset + k));
      kernel(uAt, factorsAt, biasAt, outAt, nMovies, stride * 4, base);
      return out;
    },
    scoreSome(vector, offset, base, indices, count, into) {
      user.set(vector.subarray(offset, offset + k));
      for (let c = 0; c < count; c++) {
        const i = indices[c];
        kernel(uAt, factorsAt + i * stride * 4, biasAt + i * 4, outAt + i * 4, 1, stride * 4, base);
        into[c] = out[i];
      }
    },
  };
}

function jsScorer(model: Pick<MfModel, 'factors' | 'movieIds' | 'movieBias' | 'movieFactors'>): MovieScorer {
  const k = model.factors;
  const nMovies = model.movieIds.length;
  const Q = model.movieFactors;
  const B = model.movieBias;
  const out = new Float32Array(nMovies);
  const scoreOne = (vector: Float32Array, offset: number, base: number, i: number) => {
    let dot = 0;
    for (let f = 0, qi = i * k; f < k; f++) dot += vector[offset + f] * Q[qi + f];
    return base + B[i] + dot;
  };
  return {
    nMovies,
    factors: k,
    simd: false,
    score(vector, offset, base) {
      for (let i = 0; i < nMovies; i++) out[i] = scoreOne(vector, offset, base, i);
      return out;
    },
    scoreSome(vector, offset, base, indices, count, into) {
      for (let c = 0; c < count; c++) into[c] = scoreOne(vector, offset, base, indices[c]);
    },
  };
}
