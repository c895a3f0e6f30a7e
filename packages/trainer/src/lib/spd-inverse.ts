/** Right-hand sides solved together: every row of L read once serves this many columns of the inverse. */
const PANEL = 8;

/**
 * Inverts the symmetric positive-definite n × n matrix A (row-major, float64) in place: a Cholesky
 * factor A = L·Lᵀ (lower triangle, dot-product form over contiguous rows), then A⁻¹ column by
 * column from L·Lᵀ·x = e_j, PANEL columns per pass, solving rows j..n−1 only (the inverse is
 * symmetric: the lower part of each column is enough), returned. About n³·2/3 multiply-adds. Plain typed-array
 * loops: on this machine they run at ~2 GFLOP/s, where TF.js's wasm matMul reaches ~1.2 GFLOP/s.
 */
export function invertSpdInPlace(A: Float64Array, n: number): Float64Array {
  if (A.length !== n * n) throw new Error(`invertSpdInPlace: ${A.length} values for a ${n} × ${n} matrix`);
  choleskyInPlace(A, n);
  const diag = new Float64Array(n);
  const Y = new Float64Array(n * PANEL);
  for (let j0 = 0; j0 < n; j0 += PANEL) {
    const w = Math.min(PANEL, n - j0);
    Y.fill(0, j0 * PANEL);
    // Forward: L·y = e_{j0+c}, rows p >= j0 (y is 0 above j0).
    for (let p = j0; p < n; p++) {
      const rp = p * n;
      const yp = p * PANEL;
      for (let q = j0; q < p; q++) {
        const l = A[rp + q];
        if (l === 0) continue;
        const yq = q * PANEL;
        for (let c = 0; c < w; c++) Y[yp + c] -= l * Y[yq + c];
      }
      const inv = 1 / A[rp + p];
      for (let c = 0; c < w; c++) Y[yp + c] = ((p === j0 + c ? 1 : 0) + Y[yp + c]) * inv;
    }
    // Backward: Lᵀ·x = y, rows n-1 down to j0, as row updates of L (contiguous).
    for (let p = n - 1; p >= j0; p--) {
      const rp = p * n;
      const yp = p * PANEL;
      const inv = 1 / A[rp + p];
      for (let c = 0; c < w; c++) Y[yp + c] *= inv;
      for (let q = j0; q < p; q++) {
        const l = A[rp + q];
        if (l === 0) continue;
        const yq = q * PANEL;
        for (let c = 0; c < w; c++) Y[yq + c] -= l * Y[yp + c];
      }
    }
    // Column j = j0+c of the inverse, rows > j, goes to row j of the (unused) strict upper triangle.
    for (let c = 0; c < w; c++) {
      const j = j0 + c;
      diag[j] = Y[j * PANEL + c];
      const rj = j * n;
      for (let p = j + 1; p < n; p++) A[rj + p] = Y[p * PANEL + c];
    }
  }
  for (let i = 0; i < n; i++) {
    A[i * n + i] = diag[i];
    for (let j = i + 1; j < n; j++) A[j * n + i] = A[i * n + j];
  }
  return A;
}

/** A = L·Lᵀ in place (lower triangle; the strict upper triangle is left as it was). */
function choleskyInPlace(A: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let p = 0;
      for (; p + 3 < j; p += 4) {
        s0 += A[ri + p] * A[rj + p];
        s1 += A[ri + p + 1] * A[rj + p + 1];
        s2 += A[ri + p + 2] * A[rj + p + 2];
        s3 += A[ri + p + 3] * A[rj + p + 3];
      }
      for (; p < j; p++) s0 += A[ri + p] * A[rj + p];
      const sum = A[ri + j] - (s0 + s1 + s2 + s3);
      if (i === j) {
        if (!(sum > 0)) throw new Error('invertSpdInPlace: the matrix is not positive definite');
        A[ri + i] = Math.sqrt(sum);
      } else A[ri + j] = sum / A[rj + j];
    }
  }
}
