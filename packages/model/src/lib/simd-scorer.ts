import type { MfModel } from './mf-model.js';

/**
 * Scores one user vector against every movie with a tiny hand-assembled WebAssembly SIMD kernel
 * (f32x4, two accumulators), ~4x the plain-JS loop of scoreAllMovies. The movie factors are copied
 * once into the module's memory, each row padded to a multiple of 8 floats with zeros, so the result
 * is the same formula μ + b_u + b_i + p_u·q_i (summed in float32 instead of float64: differences are
 * ~1e-6). Nothing is allocated per call: the user vector is copied into a fixed slot and the scores
 * are written into a Float32Array view over the module's memory that the caller reads directly.
 * Without WebAssembly SIMD (very old runtimes) it falls back to the same loop in JS.
 *
 * Over half of this file is the kernel's bytes, one a line as Prettier prints them (the repeated
 * runs are the kernel's unrolled loads, not duplicated code).
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

// (module (import "env" "mem" (memory 0))
//   (func (export "score") (param $u i32) (param $q i32) (param $b i32) (param $out i32)
//                          (param $n i32) (param $kBytes i32) (param $base f32) ...))
// Bytes assembled by hand; the spec in simd-scorer.spec.ts checks them against scoreAllMovies.
const HEADER = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: (i32 i32 i32 i32 i32 i32 f32) -> ()
  0x01, 0x0b, 0x01, 0x60, 0x07, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7d, 0x00,
  // import section: env.mem, memory, min 0 pages
  0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x00,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // export section: "score" = func 0
  0x07, 0x09, 0x01, 0x05, 0x73, 0x63, 0x6f, 0x72, 0x65, 0x00, 0x00,
];

const BODY = [
  // locals: 3 x i32 ($i=7, $f=8, $qp=9), 2 x v128 ($acc=10, $acc2=11)
  0x02,
  0x03,
  0x7f,
  0x02,
  0x7b,
  0x20,
  0x01,
  0x21,
  0x09, // qp = q
  0x02,
  0x40, // block
  0x03,
  0x40, //  loop (movies)
  0x20,
  0x07,
  0x20,
  0x04,
  0x4f,
  0x0d,
  0x01, // if i >= n: break
  0xfd,
  0x0c,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0x22,
  0x0a,
  0x21,
  0x0b, // acc = acc2 = 0
  0x41,
  0x00,
  0x21,
  0x08, // f = 0
  0x03,
  0x40, //   loop (factors, 8 at a time)
  0x20,
  0x0a,
  0x20,
  0x00,
  0x20,
  0x08,
  0x6a,
  0xfd,
  0x00,
  0x00,
  0x00, // v128.load u+f
  0x20,
  0x09,
  0x20,
  0x08,
  0x6a,
  0xfd,
  0x00,
  0x00,
  0x00, // v128.load qp+f
  0xfd,
  0xe6,
  0x01,
  0xfd,
  0xe4,
  0x01,
  0x21,
  0x0a, // acc += mul
  0x20,
  0x0b,
  0x20,
  0x00,
  0x20,
  0x08,
  0x6a,
  0xfd,
  0x00,
  0x00,
  0x10, // v128.load u+f+16
  0x20,
  0x09,
  0x20,
  0x08,
  0x6a,
  0xfd,
  0x00,
  0x00,
  0x10, // v128.load qp+f+16
  0xfd,
  0xe6,
  0x01,
  0xfd,
  0xe4,
  0x01,
  0x21,
  0x0b, // acc2 += mul
  0x20,
  0x08,
  0x41,
  0x20,
  0x6a,
  0x22,
  0x08, // f += 32
  0x20,
  0x05,
  0x49,
  0x0d,
  0x00, // while f < kBytes
  0x0b, //   end loop
  0x20,
  0x0a,
  0x20,
  0x0b,
  0xfd,
  0xe4,
  0x01,
  0x21,
  0x0a, // acc += acc2
  0x20,
  0x03,
  0x20,
  0x07,
  0x41,
  0x02,
  0x74,
  0x6a, // &out[i]
  0x20,
  0x06, // base
  0x20,
  0x02,
  0x20,
  0x07,
  0x41,
  0x02,
  0x74,
  0x6a,
  0x2a,
  0x02,
  0x00, // b[i]
  0x92, // base + b[i]
  0x20,
  0x0a,
  0xfd,
  0x1f,
  0x00,
  0x20,
  0x0a,
  0xfd,
  0x1f,
  0x01,
  0x92,
  0x20,
  0x0a,
  0xfd,
  0x1f,
  0x02,
  0x92,
  0x20,
  0x0a,
  0xfd,
  0x1f,
  0x03,
  0x92, // horizontal sum
  0x92, // + dot
  0x38,
  0x02,
  0x00, // out[i] = ...
  0x20,
  0x09,
  0x20,
  0x05,
  0x6a,
  0x21,
  0x09, // qp += kBytes
  0x20,
  0x07,
  0x41,
  0x01,
  0x6a,
  0x21,
  0x07, // i++
  0x0c,
  0x00, // continue
  0x0b, // end loop
  0x0b, // end block
  0x0b, // end function
];

function leb128(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

const CODE = [0x01, ...leb128(BODY.length), ...BODY];
const KERNEL = new Uint8Array([...HEADER, 0x0a, ...leb128(CODE.length), ...CODE]);

type Kernel = (u: number, q: number, b: number, out: number, n: number, kBytes: number, base: number) => void;

let compiled: WebAssembly.Module | null | undefined;
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = WebAssembly.validate(KERNEL) ? new WebAssembly.Module(KERNEL) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;

/** A scorer over `model`'s movie factors and biases (a snapshot: later edits to the model are not seen). */
export function createMovieScorer(
  model: Pick<MfModel, 'factors' | 'movieIds' | 'movieBias' | 'movieFactors'>,
  options: { simd?: boolean } = {},
): MovieScorer {
  const k = model.factors;
  const nMovies = model.movieIds.length;
  const module = options.simd === false ? null : kernelModule();
  if (!module || k > 1 << 16) return jsScorer(model);

  const stride = Math.ceil(k / 8) * 8;
  // Layout (bytes): user vector | scores | biases | factors, each 16-byte aligned.
  const align = (x: number) => Math.ceil(x / 16) * 16;
  const uAt = 0;
  const outAt = align(uAt + stride * 4);
  const biasAt = align(outAt + nMovies * 4);
  const factorsAt = align(biasAt + nMovies * 4);
  const bytes = factorsAt + nMovies * stride * 4;
  if (bytes > 2 ** 31) return jsScorer(model);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) || 1 });
  const instance = new WebAssembly.Instance(module, { env: { mem: memory } });
  const kernel = instance.exports.score as Kernel;
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
