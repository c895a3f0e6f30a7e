// Worker thread of the parallel SVD++ kernel (svdpp-parallel.ts). Plain CommonJS JavaScript, as
// sgd-worker.js, so it runs the same under tsx, ts-jest and plain node.
//
// Everything lives in one shared WebAssembly.Memory (layout in svdpp-parallel.ts). A task is a list
// of chunk ids; chunk c covers [bounds[2c], bounds[2c+1]) of the epoch's user order (TASK_VISIT),
// of the users (TASK_Z) or of the validation rows (TASK_SSE). TASK_VISIT is Hogwild: two workers may
// update one movie's q_i, b_i or y_j at the same time (see svdpp-parallel.ts); the other tasks
// write disjoint rows.
'use strict';
const { workerData } = require('node:worker_threads');
const { serveTasks, takeChunks } = require('./task-board-worker.js');
const { jsKernels, wasmKernels, runChunk } = require('./svdpp-kernels.js');

const slots = workerData.controlSlots;

// main() and sgd-worker.js's main() are alike by shape only: each worker maps its own workerData arrays; the serving loop is task-board-worker.js's serveTasks, once.
function main() {
  const { memory, module, control, params, chunkSse, bounds, layout, scratch } = workerData;
  const ctl = new Int32Array(control);
  const par = new Float64Array(params);
  const sseOut = new Float64Array(chunkSse);
  const range = new Int32Array(bounds);
  let kernels;
  serveTasks(
    ctl,
    () => {
      kernels = module ? wasmKernels(module, memory, layout, scratch) : jsKernels(memory.buffer, layout);
    },
    () => {
      const task = ctl[slots.TASK];
      takeChunks(ctl, ctl[slots.NCELLS], (slot) => runChunk(kernels, slots, task, ctl[slots.CELLS + slot], range, par, sseOut));
    },
  );
}

main();
