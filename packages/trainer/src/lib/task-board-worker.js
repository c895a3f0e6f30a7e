// The worker side of the task board shared by the parallel SGD, SVD++, implicit-ALS and blend-tuning pools
// (sgd-worker.js, svdpp-worker.js, als-worker.js, blend-grid-worker.js; the main side is task-board.ts). Plain CommonJS so workers require it without a
// TypeScript loader.
//
// The board is an Int32Array on a SharedArrayBuffer. The main thread writes a task into its own
// slots, resets NEXT and DONE and bumps GEN; every worker wakes, takes chunk indices with
// Atomics.add on NEXT until none is left, and counts itself DONE. A failure anywhere sets ERROR,
// which the main thread turns into an exception. STOP ends the loop.
'use strict';

/** The board's common slots; slots 5, 6 and 8 and up are the pool's own (task code, cell lists, ...). */
const BOARD = Object.freeze({ GEN: 0, STOP: 1, NEXT: 2, DONE: 3, READY: 4, ERROR: 7 });
const { GEN, STOP, NEXT, DONE, READY, ERROR } = BOARD;

/**
 * Runs `setup()` once (reporting READY, or ERROR when it throws), then `runTask()` for every task the
 * main thread posts until STOP.
 */
function serveTasks(ctl, setup, runTask) {
  try {
    setup();
  } catch (error) {
    Atomics.store(ctl, ERROR, 1);
    Atomics.notify(ctl, READY);
    throw error;
  }
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  let gen = 0;
  for (;;) {
    while (Atomics.load(ctl, GEN) === gen) Atomics.wait(ctl, GEN, gen);
    gen = Atomics.load(ctl, GEN);
    if (Atomics.load(ctl, STOP)) break;
    try {
      runTask();
    } catch {
      Atomics.store(ctl, ERROR, 1);
    }
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

/** Calls `work(j)` for the chunk indices this worker takes from NEXT, until all `n` are taken. */
function takeChunks(ctl, n, work) {
  for (;;) {
    const j = Atomics.add(ctl, NEXT, 1);
    if (j >= n) return;
    work(j);
  }
}

module.exports = { BOARD, serveTasks, takeChunks };
