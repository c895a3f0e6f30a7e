// Worker thread of evaluateOffThread (evaluate-off-thread.ts). Plain CommonJS like the other workers,
// so it starts the same under tsx, ts-jest and plain node; it runs (setUpTfWorker: tsx and TF.js) the trainer's
// own evaluateMfModel (evaluate.ts) or evaluateRanker (ranking-blend.ts) and TF.js setup (@reelrank/model),
// on the backend the caller uses.
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { setUpTfWorker } = require('./tf-worker-setup.js');

async function main() {
  const runtime = await setUpTfWorker('evaluate worker');
  const { evaluateMfModel } = require('./evaluate.ts');
  const { evaluateRanker } = require('./ranking-blend.ts');
  const { buildIdIndex } = require('./indexing.ts');
  const { row, options, data } = workerData;
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
