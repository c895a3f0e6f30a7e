// The SVD++ kernels over the shared memory laid out by svdpp-parallel.ts: the WebAssembly SIMD one
// (svdpp-kernel.wasm) and the plain-JS fallback, plus the task dispatch. Plain CommonJS, required by
// the worker threads (svdpp-worker.js) and by the main thread when it runs the kernel itself (1 thread).
'use strict';

/**
 * Plain-JS kernels over the same memory: the fallback when WebAssembly SIMD is unavailable, and the
 * reference the SIMD kernel is tested against (same operations in the same order; z and g in f64).
 * The per-rating update repeats sgd-kernel.ts's with the implicit term added, deliberately: it is the
 * hot loop, and a shared helper call per rating would cost more than the lines it saves.
 */
function jsKernels(buffer, L) {
  const f32 = (at, n) => new Float32Array(buffer, at, n);
  const i32 = (at, n) => new Int32Array(buffer, at, n);
  const k = L.stride;
  const order = i32(L.order, L.nUsers);
  const uOff = i32(L.uOff, L.nUsers + 1);
  const uMov = i32(L.uMov, L.trainRows);
  const uRat = f32(L.uRat, L.trainRows);
  const perm = i32(L.perm, L.trainRows);
  const vU = i32(L.vUsers, L.validationRows);
  const vM = i32(L.vMovies, L.validationRows);
  const vR = f32(L.vRatings, L.validationRows);
  const P = f32(L.P, L.nUsers * k);
  const Z = f32(L.Z, L.nUsers * k);
  const Q = f32(L.Q, L.nMovies * k);
  const Y = f32(L.Y, L.nMovies * k);
  const bu = f32(L.bu, L.nUsers);
  const bi = f32(L.bi, L.nMovies);
  const norm = f32(L.norm, L.nUsers);
  const z = new Float64Array(k);
  const g = new Float64Array(k);
  return {
    visits(start, end, mu, lr, reg, regB, lrY, regY) {
      let sse = 0;
      for (let o = start; o < end; o++) {
        const u = order[o];
        const from = uOff[u];
        const to = uOff[u + 1];
        if (to === from) continue;
        const s = norm[u];
        z.fill(0);
        g.fill(0);
        for (let n = from; n < to; n++) for (let f = 0, yj = uMov[n] * k; f < k; f++) z[f] += Y[yj + f];
        for (let f = 0; f < k; f++) z[f] *= s;
        const pu = u * k;
        // Alike sgd-kernel.ts's sgdEpoch by deliberate: the per-rating hot loop; a shared helper per rating would cost a call per rating (this one adds z_u and g).
        for (let n = from; n < to; n++) {
          const at = perm[n];
          const i = uMov[at];
          const qi = i * k;
          let dot = 0;
          for (let f = 0; f < k; f++) dot += (P[pu + f] + z[f]) * Q[qi + f];
          const e = uRat[at] - (mu + bu[u] + bi[i] + dot);
          sse += e * e;
          bu[u] += lr * (e - regB * bu[u]);
          bi[i] += lr * (e - regB * bi[i]);
          for (let f = 0; f < k; f++) {
            const p = P[pu + f];
            const q = Q[qi + f];
            P[pu + f] = p + lr * (e * q - reg * p);
            Q[qi + f] = q + lr * (e * (p + z[f]) - reg * q);
            g[f] += e * q;
          }
        }
        for (let n = from; n < to; n++) for (let f = 0, yj = uMov[n] * k; f < k; f++) Y[yj + f] += lrY * (s * g[f] - regY * Y[yj + f]);
      }
      return sse;
    },
    zsum(from, to) {
      for (let u = from; u < to; u++) {
        const zu = u * k;
        Z.fill(0, zu, zu + k);
        for (let n = uOff[u]; n < uOff[u + 1]; n++) for (let f = 0, yj = uMov[n] * k; f < k; f++) Z[zu + f] += Y[yj + f];
        for (let f = 0; f < k; f++) Z[zu + f] *= norm[u];
      }
    },
    // Alike sgd-worker.js's jsKernels().sse by deliberate: the per-row hot loop of the JS fallback; a shared helper per row would cost a call per row (this one adds z_u).
    sse(start, end, mu, lo, hi) {
      let sse = 0;
      for (let n = start; n < end; n++) {
        const pu = vU[n] * k;
        const qi = vM[n] * k;
        let dot = 0;
        for (let f = 0; f < k; f++) dot += (P[pu + f] + Z[pu + f]) * Q[qi + f];
        const e = vR[n] - Math.min(hi, Math.max(lo, mu + bu[vU[n]] + bi[vM[n]] + dot));
        sse += e * e;
      }
      return sse;
    },
  };
}

function wasmKernels(module, memory, L, scratch) {
  const { exports: x } = new WebAssembly.Instance(module, { env: { memory } });
  const s = L.stride;
  return {
    visits: (start, end, mu, lr, reg, regB, lrY, regY) =>
      x.visits(
        L.order,
        start,
        end,
        L.uOff,
        L.uMov,
        L.uRat,
        L.perm,
        L.P,
        L.Q,
        L.Y,
        L.bu,
        L.bi,
        L.norm,
        scratch.z,
        scratch.g,
        s,
        mu,
        lr,
        reg,
        regB,
        lrY,
        regY,
      ),
    zsum: (from, to) => x.zsum(from, to, L.uOff, L.uMov, L.Y, L.Z, L.norm, s),
    sse: (start, end, mu, lo, hi) => x.sse(L.vUsers, L.vMovies, L.vRatings, start, end, L.P, L.Z, L.Q, L.bu, L.bi, s, mu, lo, hi),
  };
}

/**
 * Runs chunk `chunk` of task `task` (codes in `slots`) with `kernels`: its range is
 * [range[2 chunk], range[2 chunk + 1]), its squared-error sum (visits, validation) goes to sseOut[chunk].
 * par: mu, lr, reg, regB, lo, hi, lrY, regY.
 */
function runChunk(kernels, slots, task, chunk, range, par, sseOut) {
  const start = range[2 * chunk];
  const end = range[2 * chunk + 1];
  if (task === slots.TASK_VISIT) sseOut[chunk] = kernels.visits(start, end, par[0], par[1], par[2], par[3], par[6], par[7]);
  else if (task === slots.TASK_SSE) sseOut[chunk] = kernels.sse(start, end, par[0], par[4], par[5]);
  else if (task === slots.TASK_Z) kernels.zsum(start, end);
  else throw new Error(`unknown task ${task}`);
}

module.exports = { jsKernels, wasmKernels, runChunk };
