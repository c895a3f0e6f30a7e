import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { evaluateOnSplit } from './lib/evaluate-split.js';
import { readRatingsCsv } from './lib/ratings.js';
import { formatModelTable } from './lib/report-table.js';

/**
 * Accuracy on a fixed train/test split: `npx tsx packages/trainer/src/eval-fixed-split.ts DIR`, where
 * DIR holds train.csv and test.csv (userId,movieId,rating,timestamp). Hyper-parameters come from
 * config/training.json (plus REELRANK_TRAIN_* env overrides, e.g. REELRANK_TRAIN_RATING_MODEL=mf for
 * the plain model); the epoch count is chosen on a validation part carved from train only, never on
 * the test file. REELRANK_VERBOSE=1 prints the training log. A missing folder or file is an error
 * naming it: there is no fallback to another split.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: eval-fixed-split.ts DIR (a folder holding train.csv and test.csv)');
  for (const file of ['train.csv', 'test.csv']) {
    if (!existsSync(join(dir, file))) throw new Error(`${join(dir, file)} does not exist (DIR must hold train.csv and test.csv)`);
  }
  await initTensorFlow(config.operations.tfBackend);
  const train = readRatingsCsv(join(dir, 'train.csv'));
  const test = readRatingsCsv(join(dir, 'test.csv'));
  const verbose = config.operations.verbose;
  const { report } = await evaluateOnSplit(train, test, config.training, {
    log: verbose ? (l) => process.stderr.write(`${l}\n`) : undefined,
    scorer: config.training.evalScorer,
  });
  const h = config.training;
  const r = report.ranking;
  const ranker = r
    ? `ranker: implicit ALS k ${r.implicit.factors}, ${r.implicit.sweeps} sweeps, alpha ${r.implicit.alpha}, lambda ${r.implicit.regularization}; ` +
      `blend tuned on validation: w_implicit 1, w_rating ${r.tuning.weights.rating}, w_popularity ${r.tuning.weights.popularity} (validation NDCG@${report.k} ${r.tuning.grid[0].ndcg.toFixed(4)}); fit ${r.fitSeconds.toFixed(2)} s\n`
    : '';
  process.stdout.write(
    `fixed split: ${report.splits.train} train / ${report.splits.test} test ratings (${report.test.unknownMovieRows} test rows of movies absent from train), ` +
      `backend ${report.backend}, ranking scorer ${report.rankingScorer}\n` +
      `MF (${report.ratingModel === 'svdpp' ? 'with the SVD++ implicit user term, served folded' : 'plain'}): factors ${h.factors}, lr ${h.learningRate}, decay ${h.learningRateDecay}, reg ${h.regularization}, bias reg ${h.biasRegularization}, init std ${h.initStd}; ` +
      `best epoch ${report.selection.bestEpoch} of ${report.selection.epochsRun} (validation RMSE ${report.selection.bestValidationRmse?.toFixed(4)}), refit ${report.refit.seconds.toFixed(2)} s\n` +
      ranker +
      '\n' +
      `${formatModelTable(report.models, report.k)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`eval-fixed-split failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
