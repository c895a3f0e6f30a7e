// Worker thread of startServedFit (served-fit.ts). Plain CommonJS like the other workers, so it starts the
// same under tsx, ts-jest and plain node; it runs (setUpTfWorker: tsx and TF.js) the trainer's own
// fitServedOnAll and TF.js setup (@reelrank/model) on the backend the caller uses. It loads all of that
// at once, fits the ranker's part (no epoch count needed), then waits for the epoch count; its log lines and
// the fit go back as messages.
'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const { setUpTfWorker } = require('./tf-worker-setup.js');

async function main() {
  const runtime = await setUpTfWorker('served fit worker');
  const { fitServedOnAll, fitServedRanking, transferList } = require('./served-fit.ts');
  const { input } = workerData;
  const log = (line) => parentPort.postMessage({ log: line });
  // The ranker's part needs no epoch count: fitted while the caller still chooses it.
  const ranking = fitServedRanking(input, log, runtime.tf);
  parentPort.once('message', ({ epochs }) => {
    const fit = fitServedOnAll(input, epochs, log, runtime.tf, ranking);
    parentPort.postMessage({ fit }, transferList(fit));
  });
}

main();
