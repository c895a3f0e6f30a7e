import type { MfModel } from './mf-model.js';
import { F32, I32, op, V128, wasmModule } from './wasm-ops.js';

/**
 * An upper bound of every movie's score, read from 8-bit copies of the movie factors: a quarter of
 * the bytes the exact 32-bit scorer (simd-scorer.ts) reads per request, and about half its
 * instructions. Built at load from the 32-bit factors: each row is stored as int8 with its own scale
 * s_i = max_f |q_if| / 127, and each request's user vector as int16 with one scale. A WebAssembly
 * SIMD kernel takes the integer dot products (i32x4.dot_i16x8_s) and writes, for every movie,
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

// Parameters: u q b s out n kBytes (i32), base uScale err tau (f32), list cap (i32); result: count (i32).
// Locals: i qp up uEnd count (i32), v (f32), acc acc2 x y (v128).
const [U, Q, B, S, OUT, N, K_BYTES, BASE, U_SCALE, ERR, TAU, LIST, CAP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const [I, QP, UP, U_END, COUNT, V, ACC, ACC2, X, Y] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];

/** acc += dot(extend(x half), user i16 lanes at up+offset). */
const dotInto = (acc: number, x: number, high: boolean, offset: number) => [
  ...op.get(acc),
  ...op.get(x),
  ...(high ? op.i16x8ExtendHighI8x16S : op.i16x8ExtendLowI8x16S),
  ...op.get(UP),
  ...op.v128Load(offset),
  ...op.i32x4DotI16x8S,
  ...op.i32x4Add,
  ...op.set(acc),
];

const BODY = [
  ...[...op.get(Q), ...op.set(QP)],
  ...[...op.get(U), ...op.get(K_BYTES), ...op.i32Const(1), ...op.i32Shl, ...op.i32Add, ...op.set(U_END)],
  ...op.block,
  ...op.loop,
  ...[...op.get(I), ...op.get(N), ...op.i32GeU, ...op.brIf(1)],
  ...[...op.v128Zero, ...op.tee(ACC), ...op.set(ACC2), ...op.get(U), ...op.set(UP)],
  // 32 int8 factors a step against 32 int16 user values (kBytes is a multiple of 32).
  ...op.loop,
  ...[...op.get(QP), ...op.v128Load(0), ...op.set(X), ...op.get(QP), ...op.v128Load(16), ...op.set(Y)],
  ...dotInto(ACC, X, false, 0),
  ...dotInto(ACC2, X, true, 16),
  ...dotInto(ACC, Y, false, 32),
  ...dotInto(ACC2, Y, true, 48),
  ...[...op.get(QP), ...op.i32Const(32), ...op.i32Add, ...op.set(QP)],
  ...[...op.get(UP), ...op.i32Const(64), ...op.i32Add, ...op.tee(UP), ...op.get(U_END), ...op.i32LtU, ...op.brIf(0)],
  ...op.end,
  // v = (base + b[i]) + s[i] * (float(Σ lanes) * uScale + err); out[i] = v
  ...[...op.get(ACC), ...op.get(ACC2), ...op.i32x4Add, ...op.set(ACC)],
  ...[...op.get(BASE), ...op.get(B), ...op.get(I), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.f32Load(), ...op.f32Add],
  ...[...op.get(S), ...op.get(I), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.f32Load()],
  ...[...op.get(ACC), ...op.i32x4ExtractLane(0), ...op.get(ACC), ...op.i32x4ExtractLane(1), ...op.i32Add],
  ...[...op.get(ACC), ...op.i32x4ExtractLane(2), ...op.i32Add, ...op.get(ACC), ...op.i32x4ExtractLane(3), ...op.i32Add],
  ...[...op.f32ConvertI32S, ...op.get(U_SCALE), ...op.f32Mul, ...op.get(ERR), ...op.f32Add, ...op.f32Mul, ...op.f32Add, ...op.set(V)],
  ...[...op.get(OUT), ...op.get(I), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.get(V), ...op.f32Store()],
  // if v >= tau: list[count] = i (while count < cap); count++
  ...[...op.get(V), ...op.get(TAU), ...op.f32Ge, ...op.if],
  ...[...op.get(COUNT), ...op.get(CAP), ...op.i32LtU, ...op.if],
  ...[...op.get(LIST), ...op.get(COUNT), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.get(I), ...op.i32Store()],
  ...op.end,
  ...[...op.get(COUNT), ...op.i32Const(1), ...op.i32Add, ...op.set(COUNT)],
  ...op.end,
  ...[...op.get(I), ...op.i32Const(1), ...op.i32Add, ...op.set(I), ...op.br(0)],
  ...op.end,
  ...op.end,
  ...op.get(COUNT),
];

const KERNEL = wasmModule(
  'bounds',
  [I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, I32, I32],
  [I32],
  [I32, I32, I32, I32, I32, F32, V128, V128, V128, V128],
  BODY,
);

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
/** Relative slack added to every bound: ~100x the float32 rounding of a 512-term dot product. */
const SLACK = 2e-4;
/** Movies a call lists at most. */
const LIST_CAPACITY = 4096;

/** The int8 bound scorer of `model`'s movie factors and biases (a snapshot), or undefined without WebAssembly SIMD. */
export function createBoundScorer(model: Pick<MfModel, 'factors' | 'movieIds' | 'movieBias' | 'movieFactors'>): MovieBoundScorer | undefined {
  const module = kernelModule();
  const k = model.factors;
  const nMovies = model.movieIds.length;
  const stride = Math.ceil(k / 32) * 32;
  // int16 user values: the largest magnitude that keeps a row's i32 dot product from overflowing.
  const userMax = Math.min(32767, Math.floor(0x7fffffff / (127 * stride)));
  if (!module || userMax < 127) return undefined;

  const align = (x: number) => Math.ceil(x / 16) * 16;
  const uAt = 0;
  const outAt = align(uAt + stride * 2);
  const biasAt = align(outAt + nMovies * 4);
  const scaleAt = align(biasAt + nMovies * 4);
  const listAt = align(scaleAt + nMovies * 4);
  const factorsAt = align(listAt + LIST_CAPACITY * 4);
  const bytes = factorsAt + nMovies * stride;
  if (bytes > 2 ** 31) return undefined;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) || 1 });
  const kernel = new WebAssembly.Instance(module, { env: { mem: memory } }).exports.bounds as Kernel;
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
