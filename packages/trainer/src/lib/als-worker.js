// Worker thread of implicit ALS (als-parallel.ts). Plain CommonJS JavaScript like sgd-worker.js, so
// `new Worker(path.join(__dirname, 'als-worker.js'))` runs the same under tsx, ts-jest and node.
//
// Everything is shared memory: one WebAssembly.Memory holds both factor matrices, the two CSR views
// of the ratings (by user, by movie) with their confidences, the float32 Gram matrix and the scratch
// vectors; the float64 Gram matrix and its parts are SharedArrayBuffers. The main thread posts a
// task and bumps GEN; workers take chunks with Atomics.add on NEXT and count themselves DONE:
//   TASK_GRAM  chunk j -> lower triangle of Σ v vᵀ over the j-th fixed row range of the fixed side,
//              into its own slot of gramParts (the main thread adds the parts in range order);
//   TASK_SOLVE chunk j -> warm-started CG solves of the j-th row range of the side being updated.
// A row's result depends only on its own inputs, never on which thread ran it: the parallel sweep
// equals the single-threaded one bit for bit.
'use strict';
const { workerData } = require('node:worker_threads');
const { cgSolveRows, cgScratch, gramPart } = require('./als-cg-kernel.js');
const { serveTasks, takeChunks } = require('./task-board-worker.js');

// This pool's task-board slots and task codes, defined once in als-parallel.ts.
const { TASK, SIDE, TASK_GRAM, TASK_SOLVE } = workerData.controlSlots;

function main() {
  const { memory, module, layout, control, params, index } = workerData;
  const ctl = new Int32Array(control);
  const par = new Float64Array(params);
  const G64 = new Float64Array(workerData.gram64);
  const parts = new Float64Array(workerData.gramParts);
  const chunks = workerData.chunks.map((b) => new Int32Array(b));
  const gramChunks = workerData.gramChunks.map((b) => new Int32Array(b));
  const buffer = memory.buffer;
  const stride = layout.stride;
  // Side 0 updates the users from the movies; side 1 the movies from the users.
  const at = [layout.users, layout.movies];
  const factors = at.map((s) => new Float32Array(buffer, s.factors, s.rows * stride));
  let solve;
  serveTasks(
    ctl,
    () => {
      if (module) {
        const { exports } = new WebAssembly.Instance(module, { env: { memory } });
        const scratch = layout.scratch + index * 16 * stride;
        solve = (s, from, to, reg, steps) =>
          exports.cg_rows(layout.G, at[1 - s].factors, stride, at[s].offsets, at[s].others, at[s].conf, reg, at[s].factors, from, to, steps, scratch);
      } else {
        const scratch = cgScratch(stride);
        const views = at.map((s) => ({
          offsets: new Int32Array(buffer, s.offsets, s.rows + 1),
          others: new Int32Array(buffer, s.others, layout.nnz),
          conf: new Float32Array(buffer, s.conf, layout.nnz),
        }));
        solve = (s, from, to, reg, steps) =>
          cgSolveRows(G64, factors[1 - s], stride, views[s].offsets, views[s].others, views[s].conf, reg, factors[s], from, to, steps, scratch);
      }
    },
    () => {
      const task = ctl[TASK];
      const side = ctl[SIDE];
      if (task === TASK_GRAM) {
        const bounds = gramChunks[1 - side];
        const V = factors[1 - side];
        takeChunks(ctl, bounds.length - 1, (j) => gramPart(V, stride, bounds[j], bounds[j + 1], parts, j * stride * stride));
      } else if (task === TASK_SOLVE) {
        const reg = par[0];
        const steps = par[1];
        const bounds = chunks[side];
        takeChunks(ctl, bounds.length - 1, (j) => solve(side, bounds[j], bounds[j + 1], reg, steps));
      }
    },
  );
}

main();
