// Worker thread of the parallel SGD kernel (sgd-parallel.ts). Plain CommonJS JavaScript on purpose:
// it is started with `new Worker(path.join(__dirname, 'sgd-worker.js'))`, which works the same
// under tsx, ts-jest and plain node, with no TypeScript loader in the worker.
//
// Everything is shared memory: the factors, biases and blocked rating columns live in one shared
// WebAssembly.Memory; `control` (Int32Array on a SharedArrayBuffer) is the task board. The main
// thread posts a list of grid cells and bumps GEN; workers take cells with Atomics.add on NEXT, run
// the kernel over each cell's rows, store the cell's squared-error sum, and count themselves DONE.
// Validation rows (if any) follow the training rows as extra cells, scored by the TASK_SSE task.
// Cells of one task never share a user block or a movie block, so no two threads touch the same
// parameters at once (DSGD strata) and the result does not depend on which worker took which cell.
'use strict';
const { workerData } = require('node:worker_threads');
const { serveTasks, takeChunks } = require('./task-board-worker.js');

// This pool's task-board slots and task codes, defined once in sgd-parallel.ts.
const { NCELLS, TASK, CELLS, TASK_SGD, TASK_SSE } = workerData.controlSlots;

/** Plain-JS kernel over the same memory (the fallback when WebAssembly SIMD is unavailable, and the measured alternative). */
function jsKernels(buffer, layout) {
  const U = new Int32Array(buffer, layout.users, layout.rows);
  const M = new Int32Array(buffer, layout.movies, layout.rows);
  const R = new Float32Array(buffer, layout.ratings, layout.rows);
  const P = new Float32Array(buffer, layout.P, layout.nUsers * layout.stride);
  const Q = new Float32Array(buffer, layout.Q, layout.nMovies * layout.stride);
  const bu = new Float32Array(buffer, layout.bu, layout.nUsers);
  const bi = new Float32Array(buffer, layout.bi, layout.nMovies);
  const k = layout.stride;
  return {
    sgd(start, end, mu, lr, reg, regB) {
      const decay = 1 - lr * reg;
      let sse = 0;
      for (let n = start; n < end; n++) {
        const u = U[n];
        const i = M[n];
        const pu = u * k;
        const qi = i * k;
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let f = 0; f < k; f += 4) {
          d0 += P[pu + f] * Q[qi + f];
          d1 += P[pu + f + 1] * Q[qi + f + 1];
          d2 += P[pu + f + 2] * Q[qi + f + 2];
          d3 += P[pu + f + 3] * Q[qi + f + 3];
        }
        const e = R[n] - (mu + bu[u] + bi[i] + (d0 + d1 + (d2 + d3)));
        sse += e * e;
        bu[u] += lr * (e - regB * bu[u]);
        bi[i] += lr * (e - regB * bi[i]);
        const le = lr * e;
        for (let f = 0; f < k; f++) {
          const p = P[pu + f];
          const q = Q[qi + f];
          P[pu + f] = decay * p + le * q;
          Q[qi + f] = decay * q + le * p;
        }
      }
      return sse;
    },
    // Alike svdpp-kernels.js's jsKernels().sse by deliberate: the per-row hot loop of the JS fallback; a shared helper per row would cost a call per row (that one adds z_u).
    sse(start, end, mu, lo, hi) {
      let sse = 0;
      for (let n = start; n < end; n++) {
        const pu = U[n] * k;
        const qi = M[n] * k;
        let dot = 0;
        for (let f = 0; f < k; f++) dot += P[pu + f] * Q[qi + f];
        const e = R[n] - Math.min(hi, Math.max(lo, mu + bu[U[n]] + bi[M[n]] + dot));
        sse += e * e;
      }
      return sse;
    },
  };
}

function wasmKernels(module, memory, layout) {
  const { exports } = new WebAssembly.Instance(module, { env: { memory } });
  const { users, movies, ratings, P, Q, bu, bi, stride } = layout;
  return {
    sgd: (start, end, mu, lr, reg, regB) => exports.sgd(users, movies, ratings, start, end, P, Q, bu, bi, stride, mu, lr, reg, regB),
    sse: (start, end, mu, lo, hi) => exports.sse(users, movies, ratings, start, end, P, Q, bu, bi, stride, mu, lo, hi),
  };
}

// main() and svdpp-worker.js's main() are alike by shape only: each worker maps its own workerData arrays; the serving loop is task-board-worker.js's serveTasks, once.
function main() {
  const { memory, module, control, params, cellSse, cellStart, layout } = workerData;
  const ctl = new Int32Array(control);
  const par = new Float64Array(params);
  const sseOut = new Float64Array(cellSse);
  const starts = new Int32Array(cellStart);
  let kernels;
  serveTasks(
    ctl,
    () => {
      kernels = module ? wasmKernels(module, memory, layout) : jsKernels(memory.buffer, layout);
    },
    () => {
      const task = ctl[TASK];
      const mu = par[0];
      const lr = par[1];
      const reg = par[2];
      const regB = par[3];
      takeChunks(ctl, ctl[NCELLS], (slot) => {
        const cell = ctl[CELLS + slot];
        const start = starts[cell];
        const end = starts[cell + 1];
        sseOut[cell] =
          task === TASK_SGD ? kernels.sgd(start, end, mu, lr, reg, regB) : task === TASK_SSE ? kernels.sse(start, end, mu, par[4], par[5]) : NaN;
      });
    },
  );
}

main();
