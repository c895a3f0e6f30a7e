// Worker thread of the parallel SVD++ kernel (svdpp-parallel.ts). Plain CommonJS JavaScript, as
// sgd-worker.js, so it runs the same under tsx, ts-jest and plain node.
//
// Everything lives in one shared WebAssembly.Memory (layout in svdpp-parallel.ts). A task is a list
// of chunk ids; chunk c covers [bounds[2c], bounds[2c+1]) of rows (TASK_SGD, TASK_SSE), users
// (TASK_Z) or movies (TASK_Y). Chunks of one task never write the same parameters (SGD: cells of
// one DSGD stratum; Z: disjoint users; Y: disjoint movies), so the result does not depend on which
// worker took which chunk.
'use strict';
const { workerData } = require('node:worker_threads');
const { serveTasks, takeChunks } = require('./task-board-worker.js');

const { NCELLS, TASK, CELLS, TASK_SGD, TASK_SSE, TASK_Z, TASK_Y } = workerData.controlSlots;

/**
 * Plain-JS kernels over the same memory: the fallback when WebAssembly SIMD is unavailable, and the
 * reference the SIMD kernels are tested against (same operations in the same order, f32 storage).
 */
function jsKernels(buffer, L) {
  const f32 = (at, n) => new Float32Array(buffer, at, n);
  const i32 = (at, n) => new Int32Array(buffer, at, n);
  const k = L.stride;
  const U = i32(L.users, L.rows);
  const M = i32(L.movies, L.rows);
  const R = f32(L.ratings, L.rows);
  const uOff = i32(L.uOff, L.nUsers + 1);
  const uMov = i32(L.uMov, L.trainRows);
  const mOff = i32(L.mOff, L.nMovies + 1);
  const mUsr = i32(L.mUsr, L.trainRows);
  const P = f32(L.P, L.nUsers * k);
  const Z = f32(L.Z, L.nUsers * k);
  const G = f32(L.G, L.nUsers * k);
  const Q = f32(L.Q, L.nMovies * k);
  const Y = f32(L.Y, L.nMovies * k);
  const bu = f32(L.bu, L.nUsers);
  const bi = f32(L.bi, L.nMovies);
  const norm = f32(L.norm, L.nUsers);
  const decayY = f32(L.decayY, L.nMovies);
  const dot = (u, i) => {
    let d = 0;
    for (let f = 0; f < k; f++) d += (P[u * k + f] + Z[u * k + f]) * Q[i * k + f];
    return d;
  };
  return {
    zsum(from, to) {
      for (let u = from; u < to; u++) {
        const zu = u * k;
        Z.fill(0, zu, zu + k);
        G.fill(0, zu, zu + k);
        for (let n = uOff[u]; n < uOff[u + 1]; n++) {
          const yj = uMov[n] * k;
          for (let f = 0; f < k; f++) Z[zu + f] += Y[yj + f];
        }
        for (let f = 0; f < k; f++) Z[zu + f] *= norm[u];
      }
    },
    sgd(start, end, mu, lr, reg, regB) {
      const decay = 1 - lr * reg;
      let sse = 0;
      for (let n = start; n < end; n++) {
        const u = U[n];
        const i = M[n];
        const e = R[n] - (mu + bu[u] + bi[i] + dot(u, i));
        sse += e * e;
        bu[u] += lr * (e - regB * bu[u]);
        bi[i] += lr * (e - regB * bi[i]);
        const le = lr * e;
        const pu = u * k;
        const qi = i * k;
        for (let f = 0; f < k; f++) {
          const p = P[pu + f];
          const q = Q[qi + f];
          P[pu + f] = decay * p + le * q;
          Q[qi + f] = decay * q + le * (p + Z[pu + f]);
          G[pu + f] += e * q;
        }
      }
      return sse;
    },
    yupd(from, to, lrY) {
      for (let j = from; j < to; j++) {
        const yj = j * k;
        for (let f = 0; f < k; f++) Y[yj + f] *= decayY[j];
        for (let n = mOff[j]; n < mOff[j + 1]; n++) {
          const u = mUsr[n];
          const c = lrY * norm[u];
          for (let f = 0; f < k; f++) Y[yj + f] += c * G[u * k + f];
        }
      }
    },
    sse(start, end, mu, lo, hi) {
      let sse = 0;
      for (let n = start; n < end; n++) {
        const e = R[n] - Math.min(hi, Math.max(lo, mu + bu[U[n]] + bi[M[n]] + dot(U[n], M[n])));
        sse += e * e;
      }
      return sse;
    },
  };
}

function wasmKernels(module, memory, L) {
  const { exports: x } = new WebAssembly.Instance(module, { env: { memory } });
  const s = L.stride;
  return {
    zsum: (from, to) => x.zsum(from, to, L.uOff, L.uMov, L.Y, L.Z, L.G, L.norm, s),
    sgd: (start, end, mu, lr, reg, regB) => x.sgd(L.users, L.movies, L.ratings, start, end, L.P, L.Z, L.G, L.Q, L.bu, L.bi, s, mu, lr, reg, regB),
    yupd: (from, to, lrY) => x.yupd(from, to, L.mOff, L.mUsr, L.G, L.Y, L.norm, L.decayY, lrY, s),
    sse: (start, end, mu, lo, hi) => x.sse(L.users, L.movies, L.ratings, start, end, L.P, L.Z, L.Q, L.bu, L.bi, s, mu, lo, hi),
  };
}

function main() {
  const { memory, module, control, params, chunkSse, bounds, layout } = workerData;
  const ctl = new Int32Array(control);
  const par = new Float64Array(params);
  const sseOut = new Float64Array(chunkSse);
  const range = new Int32Array(bounds);
  let kernels;
  serveTasks(
    ctl,
    () => {
      kernels = module ? wasmKernels(module, memory, layout) : jsKernels(memory.buffer, layout);
    },
    () => {
      const task = ctl[TASK];
      takeChunks(ctl, ctl[NCELLS], (slot) => {
        const chunk = ctl[CELLS + slot];
        const start = range[2 * chunk];
        const end = range[2 * chunk + 1];
        if (task === TASK_SGD) sseOut[chunk] = kernels.sgd(start, end, par[0], par[1], par[2], par[3]);
        else if (task === TASK_SSE) sseOut[chunk] = kernels.sse(start, end, par[0], par[4], par[5]);
        else if (task === TASK_Z) kernels.zsum(start, end);
        else if (task === TASK_Y) kernels.yupd(start, end, par[6]);
        else throw new Error(`unknown task ${task}`);
      });
    },
  );
}

main();
