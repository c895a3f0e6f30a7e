import { initTensorFlow } from '@reelrank/model';
import { invertSpdInPlace } from './spd-inverse';
import { invertSpdBlocked } from './spd-inverse-blocked';

/** A co-occurrence-like SPD matrix: XᵀX of a seeded 0/1 matrix plus λ·I. */
function gramPlusRidge(n: number, users: number, lambda: number, seed: number): Float64Array {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const X = Array.from({ length: users }, () => Array.from({ length: n }, () => (next() < 0.2 ? 1 : 0)));
  const A = new Float64Array(n * n);
  for (const row of X)
    for (let i = 0; i < n; i++) {
      if (!row[i]) continue;
      for (let j = 0; j < n; j++) A[i * n + j] += row[j];
    }
  for (let i = 0; i < n; i++) A[i * n + i] += lambda;
  return A;
}

describe('invertSpdBlocked', () => {
  it.each([5, 128, 300, 517])('matches the float64 Cholesky inverse to float32 precision, n = %i (leaf only and split sizes)', async (n) => {
    const { tf } = await initTensorFlow();
    const A = gramPlusRidge(n, 60, 3, n);
    const blocked = invertSpdBlocked(tf, A, n);
    const exact = invertSpdInPlace(Float64Array.from(A), n);
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < n * n; i++) {
      scale = Math.max(scale, Math.abs(exact[i]));
      worst = Math.max(worst, Math.abs(blocked[i] - exact[i]));
    }
    expect(worst).toBeLessThan(1e-4 * scale);
  });

  it('refuses a wrong size', async () => {
    const { tf } = await initTensorFlow();
    expect(() => invertSpdBlocked(tf, new Float64Array(5), 2)).toThrow(/5 values/);
  });
});
