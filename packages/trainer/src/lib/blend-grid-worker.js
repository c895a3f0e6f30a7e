// Worker thread of the blend tuning (blend-grid-pool.ts). Plain CommonJS like the other workers, so it
// starts the same under tsx, ts-jest and plain node; it registers the tsx loader to run the TypeScript
// scorer of blend-grid.ts, the very function the main thread runs on the single-thread path.
//
// The batch of score rows, the users' train and relevant movies and the gains are shared memory. The
// main thread fills a batch and posts its user count; workers take chunks of users with Atomics.add on
// NEXT and write each user's gains to its own row, so the figures do not depend on which worker took
// which chunk.
'use strict';
const { workerData } = require('node:worker_threads');
const { serveTasks, takeChunks } = require('./task-board-worker.js');

const { control, spec, batch, controlSlots } = workerData;
const { NUSERS, USERS_PER_CHUNK } = controlSlots;
const ctl = new Int32Array(control);
let score = null;

serveTasks(
  ctl,
  () => {
    require('tsx/cjs/api').register();
    const { blendGridScorer } = require('./blend-grid.ts');
    score = blendGridScorer(spec);
  },
  () => {
    const n = ctl[NUSERS];
    takeChunks(ctl, Math.ceil(n / USERS_PER_CHUNK), (j) => {
      const end = Math.min(n, (j + 1) * USERS_PER_CHUNK);
      for (let b = j * USERS_PER_CHUNK; b < end; b++) score(batch, b);
    });
  },
);
