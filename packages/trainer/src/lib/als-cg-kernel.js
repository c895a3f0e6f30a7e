// Per-row kernels of implicit ALS with conjugate-gradient solves (train-implicit.ts, als-worker.js).
// Plain CommonJS JavaScript on purpose: the worker threads load it with require() (no TypeScript
// loader in a worker), and the main thread imports the very same functions, so a row solved on a
// worker and a row solved on the main thread run the same float operations: the parallel sweep is
// bitwise equal to the single-threaded one. Types: als-cg-kernel.d.ts.
'use strict';

/**
 * Warm-started conjugate gradient (Takács, Pilászy & Tikk 2011) on every row g in [rowFrom, rowTo):
 * approximately solves the implicit-ALS normal equations of the row,
 *   (G + λI + Σ_n (c_n − 1) v_n v_nᵀ) x = Σ_n c_n v_n      (n over offsets[g]..offsets[g+1])
 * — the same system `solveImplicitRow` solves exactly by Cholesky — starting from the row's current
 * value in X and taking at most `steps` CG steps. A is never formed: A·p = G·p + λp + Σ (c−1)(v·p) v.
 * G is the full symmetric k × k Gram matrix VᵀV (float64). Arithmetic is float64; X is float32.
 * A row with no observations gets x = 0 (its exact solution).
 */
function cgSolveRows(G, V, k, offsets, others, conf, reg, X, rowFrom, rowTo, steps, s) {
  const x = s.x;
  const r = s.r;
  const p = s.p;
  const ap = s.ap;
  for (let g = rowFrom; g < rowTo; g++) {
    const from = offsets[g];
    const to = offsets[g + 1];
    const xo = g * k;
    if (to <= from) {
      for (let a = 0; a < k; a++) X[xo + a] = 0;
      continue;
    }
    for (let a = 0; a < k; a++) x[a] = X[xo + a];
    // r = b − A x = −(G + λI) x + Σ (c − (c − 1)(v·x)) v
    for (let a = 0; a < k; a++) {
      const row = a * k;
      let sum = reg * x[a];
      for (let d = 0; d < k; d++) sum += G[row + d] * x[d];
      r[a] = -sum;
    }
    for (let n = from; n < to; n++) {
      const o = others[n] * k;
      const c = conf[n];
      let dot = 0;
      for (let d = 0; d < k; d++) dot += V[o + d] * x[d];
      const w = c - (c - 1) * dot;
      for (let d = 0; d < k; d++) r[d] += w * V[o + d];
    }
    let rs = 0;
    for (let a = 0; a < k; a++) {
      p[a] = r[a];
      rs += r[a] * r[a];
    }
    // Alike model fold-in-cg.ts's CG steps by shape: deliberate, the per-user hot loop of this plain-JS worker (which cannot
    // import that TypeScript), inlined over the packed factor rows.
    for (let step = 0; step < steps && rs > 1e-20; step++) {
      // ap = (G + λI) p + Σ (c − 1)(v·p) v
      for (let a = 0; a < k; a++) {
        const row = a * k;
        let sum = reg * p[a];
        for (let d = 0; d < k; d++) sum += G[row + d] * p[d];
        ap[a] = sum;
      }
      for (let n = from; n < to; n++) {
        const o = others[n] * k;
        let dot = 0;
        for (let d = 0; d < k; d++) dot += V[o + d] * p[d];
        const w = (conf[n] - 1) * dot;
        for (let d = 0; d < k; d++) ap[d] += w * V[o + d];
      }
      let pap = 0;
      for (let a = 0; a < k; a++) pap += p[a] * ap[a];
      if (!(pap > 0)) break;
      const alpha = rs / pap;
      let rsNew = 0;
      for (let a = 0; a < k; a++) {
        x[a] += alpha * p[a];
        r[a] -= alpha * ap[a];
        rsNew += r[a] * r[a];
      }
      const beta = rsNew / rs;
      for (let a = 0; a < k; a++) p[a] = r[a] + beta * p[a];
      rs = rsNew;
    }
    for (let a = 0; a < k; a++) X[xo + a] = x[a];
  }
}

/** Scratch vectors of one CG solver (one per thread). */
function cgScratch(k) {
  return { x: new Float64Array(k), r: new Float64Array(k), p: new Float64Array(k), ap: new Float64Array(k) };
}

/**
 * Lower triangle of Σ_{rows in [rowFrom, rowTo)} v vᵀ (V row-major, k columns) written into
 * out[outOffset .. outOffset + k²) (float64; zeroed first). A Gram matrix is the sum of the parts
 * of fixed row chunks, added in chunk order, so it does not depend on which thread computed a part.
 */
function gramPart(V, k, rowFrom, rowTo, out, outOffset) {
  out.fill(0, outOffset, outOffset + k * k);
  for (let row = rowFrom; row < rowTo; row++) {
    const o = row * k;
    for (let a = 0; a < k; a++) {
      const va = V[o + a];
      if (va === 0) continue;
      const at = outOffset + a * k;
      for (let b = 0; b <= a; b++) out[at + b] += va * V[o + b];
    }
  }
}

module.exports = { cgSolveRows, cgScratch, gramPart };
