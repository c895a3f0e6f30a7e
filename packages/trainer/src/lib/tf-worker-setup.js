// The start of every TF.js worker thread (startTfWorker in tf-worker.ts): registers the tsx loader, so the
// worker runs the trainer's own TypeScript, and initialises TF.js on the backend the caller named in
// workerData, failing when this thread gets another one. Plain CommonJS like the workers that require it.
'use strict';
const { workerData } = require('node:worker_threads');

/** TF.js on the caller's backend ({ tf, backend }), or an error naming `worker`. */
async function setUpTfWorker(worker) {
  require('tsx/cjs/api').register();
  const { initTensorFlow } = require('@reelrank/model');
  const { backend, preference } = workerData;
  const runtime = await initTensorFlow(preference);
  if (runtime.backend !== backend) throw new Error(`${worker}: TF.js backend ${runtime.backend}, the caller's is ${backend}`);
  return runtime;
}

module.exports = { setUpTfWorker };
