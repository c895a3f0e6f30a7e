// Worker thread of evaluateOffThread (evaluate-off-thread.ts). Plain CommonJS like the other workers,
// so it starts the same under tsx, ts-jest and plain node; it registers the tsx loader to run the trainer's
// own evaluateMfModel (evaluate.ts) or evaluateRanker (ranking-blend.ts) and TF.js setup (@reelrank/model),
// on the backend the caller uses.
'use strict';
const { workerData, parentPort } = require('node:worker_threads');

async function main() {
  require('tsx/cjs/api').register();
  const { initTensorFlow } = require('@reelrank/model');
  const { evaluateMfModel } = require('./evaluate.ts');
  const { evaluateRanker } = require('./ranking-blend.ts');
  const { buildIdIndex } = require('./indexing.ts');
  const { row, backend, preference, options, data } = workerData;
  const runtime = await initTensorFlow(preference);
  if (runtime.backend !== backend) throw new Error(`evaluate worker: TF.js backend ${runtime.backend}, the caller's is ${backend}`);
  const indexing = { users: buildIdIndex(data.userIds), movies: buildIdIndex(data.movieIds) };
  const evaluation = { indexing, test: data.test, trainItems: data.trainItems, relevant: data.relevant };
  const withTf = { ...options, tf: runtime.tf };
  parentPort.postMessage(
    row.kind === 'ranker'
      ? evaluateRanker(row.name, row.ratingModel, row.ranking, evaluation, withTf)
      : evaluateMfModel(row.name, row.model, evaluation, withTf),
  );
}

main();
