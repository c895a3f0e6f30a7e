import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { evaluateOnSplit } from './lib/evaluate-split.js';
import { readRatingsCsv } from './lib/ratings.js';
import { formatModelTable } from './lib/report-table.js';

/**
 * Benchmark on the fixed split of ANCHORS.md: `npx tsx packages/trainer/src/eval-fixed-split.ts [dir]`.
 * Hyper-parameters come from config/training.json (plus REELRANK_TRAIN_* env overrides, e.g.
 * REELRANK_TRAIN_RATING_MODEL=mf for the plain model); the epoch count is chosen on a validation
 * part carved from train only, never on the test file. REELRANK_VERBOSE=1 prints the training log.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  await initTensorFlow(config.runtime.tfBackend);
  const dir = process.argv[2] ?? join(config.root, '..', 'shared', 'benchmarks', 'ml-latest-small-80-20');
  const fallback = '/work/shared/benchmarks/ml-latest-small-80-20';
  const pick = (file: string) => {
    try {
      return readRatingsCsv(join(dir, file));
    } catch {
      return readRatingsCsv(join(fallback, file));
    }
  };
  const train = pick('train.csv');
  const test = pick('test.csv');
  const verbose = config.runtime.verbose;
  const { report } = await evaluateOnSplit(train, test, config.training, { log: verbose ? (l) => process.stderr.write(`${l}\n`) : undefined, scorer: config.training.evalScorer });
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
