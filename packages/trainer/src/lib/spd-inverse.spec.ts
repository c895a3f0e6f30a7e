import { invertSpdInPlace } from './spd-inverse';

/** A random SPD matrix MᵀM + n·I (seeded LCG, so the case is fixed). */
function spd(n: number, seed: number): Float64Array {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const M = Float64Array.from({ length: n * n }, next);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += M[p * n + i] * M[p * n + j];
      A[i * n + j] = s + (i === j ? 1 : 0);
    }
  return A;
}

describe('invertSpdInPlace', () => {
  it.each([1, 3, 8, 9, 20, 37])('gives A·A⁻¹ = I for an n × n SPD matrix, n = %i (panel edges included)', (n) => {
    const A = spd(n, n + 7);
    const inverse = Float64Array.from(A);
    invertSpdInPlace(inverse, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += A[i * n + p] * inverse[p * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
  });

  it('returns a symmetric inverse', () => {
    const n = 13;
    const inverse = spd(n, 3);
    invertSpdInPlace(inverse, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(inverse[i * n + j]).toBe(inverse[j * n + i]);
  });

  it('refuses a matrix that is not positive definite, and a wrong size', () => {
    expect(() => invertSpdInPlace(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/not positive definite/);
    expect(() => invertSpdInPlace(new Float64Array(5), 2)).toThrow(/5 values/);
  });
});
