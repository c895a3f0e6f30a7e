import type { Tf } from '@reelrank/model';
import { invertSpdInPlace } from './spd-inverse.js';

type Tensor2D = ReturnType<Tf['tensor2d']>;

/** Blocks at most this size are inverted by the typed-array Cholesky (float64); larger ones are split. */
const LEAF = 128;

/**
 * Inverts the symmetric positive-definite n × n matrix A (row-major) by recursive 2 × 2 blocks and
 * Schur complements, every large product a TF.js matMul (float32):
 *   X = A₁₁⁻¹, T = A₂₁·X, S = A₂₂ − T·A₂₁ᵀ, Y = S⁻¹, P₂₁ = −Y·T, P₁₁ = X − Tᵀ·P₂₁.
 * About n³·4/3 flops, all but the leaves in matMul (~10 GFLOP/s on the wasm backend here, against
 * ~1 GFLOP/s for the typed-array loops). S of an SPD matrix is SPD, so no pivoting is needed.
 */
export function invertSpdBlocked(tf: Tf, A: ArrayLike<number>, n: number): Float32Array {
  if (A.length !== n * n) throw new Error(`invertSpdBlocked: ${A.length} values for a ${n} × ${n} matrix`);
  const inverse = invert(tf, tf.tensor2d(Float32Array.from(A), [n, n]));
  const values = inverse.dataSync() as Float32Array;
  inverse.dispose();
  return values;
}

/** `make`'s result, after disposing `used` (tf.tidy slows this recursion down several-fold on the wasm backend). */
function andDispose<T>(make: () => T, ...used: Array<{ dispose(): void }>): T {
  const result = make();
  for (const tensor of used) tensor.dispose();
  return result;
}

/** A⁻¹ as a new tensor; disposes A. */
function invert(tf: Tf, A: Tensor2D): Tensor2D {
  const n = A.shape[0];
  if (n <= LEAF) {
    const leaf = Float64Array.from(A.dataSync());
    A.dispose();
    invertSpdInPlace(leaf, n);
    return tf.tensor2d(Float32Array.from(leaf), [n, n]);
  }
  // Split on a multiple of 8 so the matMul blocks stay aligned.
  const n1 = Math.max(8, Math.floor(n / 16) * 8);
  const n2 = n - n1;
  const A11 = tf.slice(A, [0, 0], [n1, n1]);
  const A21 = tf.slice(A, [n1, 0], [n2, n1]);
  const A22 = andDispose(() => tf.slice(A, [n1, n1], [n2, n2]), A);
  const X = invert(tf, A11);
  const T = tf.matMul<Tensor2D>(A21, X);
  // matMul's transpose flags take a slow path on the wasm backend: transpose explicitly (O(n²)).
  const A12 = andDispose(() => tf.transpose(A21), A21);
  const TA12 = andDispose(() => tf.matMul<Tensor2D>(T, A12), A12);
  const S = andDispose(() => tf.sub<Tensor2D>(A22, TA12), A22, TA12);
  // Rounding leaves S a little asymmetric; the leaves read one triangle, so make it exact.
  const St = tf.transpose(S);
  const sum = andDispose(() => tf.add<Tensor2D>(S, St), S, St);
  const Y = invert(
    tf,
    andDispose(() => tf.mul<Tensor2D>(sum, 0.5), sum),
  );
  const YT = tf.matMul<Tensor2D>(Y, T);
  const P21 = andDispose(() => tf.neg<Tensor2D>(YT), YT);
  const Tt = andDispose(() => tf.transpose(T), T);
  const TtP21 = andDispose(() => tf.matMul<Tensor2D>(Tt, P21), Tt);
  const P11 = andDispose(() => tf.sub<Tensor2D>(X, TtP21), X, TtP21);
  const P12 = tf.transpose(P21);
  const top = andDispose(() => tf.concat2d([P11, P12], 1), P11, P12);
  const bottom = andDispose(() => tf.concat2d([P21, Y], 1), P21, Y);
  return andDispose(() => tf.concat2d([top, bottom], 0), top, bottom);
}
