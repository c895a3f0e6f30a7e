// Worker thread of evaluateMfModelOffThread (evaluate-off-thread.ts). Plain CommonJS like the other workers,
// so it starts the same under tsx, ts-jest and plain node; it registers the tsx loader to run the trainer's
// own evaluateMfModel (evaluate.ts) and TF.js setup (@reelrank/model), on the backend the caller uses.
'use strict';
const { workerData, parentPort } = require('node:worker_threads');

async function main() {
  require('tsx/cjs/api').register();
  const { initTensorFlow } = require('@reelrank/model');
  const { evaluateMfModel } = require('./evaluate.ts');
  const { buildIdIndex } = require('./indexing.ts');
  const { name, model, backend, preference, options, data } = workerData;
  const runtime = await initTensorFlow(preference);
  if (runtime.backend !== backend) throw new Error(`evaluate worker: TF.js backend ${runtime.backend}, the caller's is ${backend}`);
  const indexing = { users: buildIdIndex(data.userIds), movies: buildIdIndex(data.movieIds) };
  const row = evaluateMfModel(
    name,
    model,
    { indexing, test: data.test, trainItems: data.trainItems, relevant: data.relevant },
    { ...options, tf: runtime.tf },
  );
  parentPort.postMessage(row);
}

main();
