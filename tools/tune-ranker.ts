/**
 * `npm run tune`: the search behind the ranker's committed settings (`ranker` in config/training.json).
 *
 * Same protocol as the train stage, and never a test row: the ratings are split with the training
 * seed (the test part is set aside and not used), a validation part is carved out of the rest
 * (`validationFraction`), the rating model is trained once on the fit part with early stopping on
 * validation, and then for every implicit-ALS setting of a small grid the ranker is fit on the fit
 * part and its blend weights are tuned on the validation part exactly as the trainer does
 * (`fitRanker` + `tuneBlendWeights`). Prints validation NDCG@K / P@K per setting and the best.
 * With `--rating-*` flags the rating model is first searched too (factors × regularization × bias
 * regularization, early stopping on validation; a table of validation RMSE). With `--knn-*` flags the
 * neighbourhood predictor blended into the served rating is searched as well (k × shrinkage × candidates;
 * validation RMSE alone and blended, the blend weights fitted on one half of validation and scored on the other).
 * EASE's λ, K and what a rating below 4.0 counts in X (`--ease-lambda`, `--ease-movies`,
 * `--ease-other-weight`; default the committed ones) multiply the grid: EASE is fitted once per
 * (λ, K, weight) on the fit part. The default grid (9 settings: factors x alpha at
 * the committed lambda) takes about 4 minutes on ml-latest-small on the 2-core development machine;
 * widen it with the flags.
 *
 *   npm run tune -- [--source DIR|ratings.csv] [--factors 16,32,64] [--alpha 1,2,4]
 *                   [--regularization 10] [--sweeps 10] [--ease-lambda 100,250,500] [--ease-movies 2000] [--ease-other-weight 0.33,0.5,1]
 *                   [--rating-factors 100,250] [--rating-regularization 0.06,0.1,0.15] [--bias-regularization 0.02,0.05]
 *                   [--knn-k 10,20,40] [--knn-shrinkage 50,100,200] [--knn-candidates 50,200] [--json]
 *
 * Data: `--source`, else the configured source (MOVIELENS_SOURCE / `source` in config/dataset.json;
 * a folder with ratings.csv, or its single sub-folder), else the configured data set's database
 * (run `npm run pipeline` first).
 */
import { existsSync, statSync } from 'node:fs';
import { ratingGridTable, tuneRatingModel, type RatingGridRow } from './lib/tune-rating.js';
import { neighbourhoodGridTable, tuneNeighbourhood, type NeighbourhoodGridRow } from './lib/tune-neighbourhood.js';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type ImplicitConfig } from '@reelrank/config';
import { resolveSourceFolder } from '@reelrank/ingest';
import { initTensorFlow } from '@reelrank/model';
import {
  easeSettings,
  fitEase,
  fitRanker,
  planTraining,
  prepareEvaluation,
  readRatingsCsv,
  readTrainingData,
  selectRows,
  splitRatings,
  splitRows,
  trainRatingModel,
  tuneBlendWeights,
  type RatingsColumns,
} from '@reelrank/trainer';
import { gridTable, rowMarks } from './lib/grid-table.js';

const USAGE =
  'usage: npm run tune -- [--source DIR|ratings.csv] [--factors 16,32,64] [--alpha 1,2,4] [--regularization 10] [--sweeps 10] [--ease-lambda 100,250,500] [--ease-movies 2000] [--ease-other-weight 0.33,0.5,1] [--rating-factors 100,250] [--rating-regularization 0.06,0.1,0.15] [--bias-regularization 0.02,0.05] [--knn-k 10,20,40] [--knn-shrinkage 50,100,200] [--knn-candidates 50,200] [--json]';

function numbers(flag: string, text: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0))
    throw new Error(`--${flag} must be a comma-separated list of non-negative numbers, got "${text}"\n${USAGE}`);
  return values;
}

function readRatings(source: string | null, dbPath: string): { ratings: RatingsColumns; from: string } {
  if (source) {
    if (!existsSync(source)) throw new Error(`source ${source} does not exist`);
    const file = statSync(source).isDirectory() ? join(resolveSourceFolder(source), 'ratings.csv') : source;
    if (!file.endsWith('.csv') || !existsSync(file))
      throw new Error(`${source}: the tune reads a ratings.csv (folder or file); for other formats run \`npm run pipeline\` and omit --source`);
    return { ratings: readRatingsCsv(file), from: file };
  }
  if (!existsSync(dbPath)) throw new Error(`no --source and no database at ${dbPath}: pass --source or run \`npm run pipeline\` first`);
  return { ratings: readTrainingData(dbPath).ratings, from: dbPath };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      factors: { type: 'string', default: '16,32,64' },
      alpha: { type: 'string', default: '1,2,4' },
      regularization: { type: 'string', default: '10' },
      sweeps: { type: 'string' },
      'ease-lambda': { type: 'string' },
      'ease-movies': { type: 'string' },
      'ease-other-weight': { type: 'string' },
      'rating-factors': { type: 'string' },
      'rating-regularization': { type: 'string' },
      'bias-regularization': { type: 'string' },
      'knn-k': { type: 'string' },
      'knn-shrinkage': { type: 'string' },
      'knn-candidates': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig();
  const hyper = config.training;
  const committed = hyper.ranker.implicit;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { tf, backend } = await initTensorFlow(config.operations.tfBackend);

  const source = values.source ? resolve(values.source) : config.dataset.source;
  const { ratings: all, from } = readRatings(source, config.paths.dbPath);
  // The train stage's split: test rows are set aside first (and never looked at here) ...
  const rows = splitRows(all, { seed: hyper.seed, validationFraction: 0, testFraction: hyper.testFraction });
  const trainPart = selectRows(all, rows.train);
  // ... then the validation part is carved out of train only, as evaluateOnSplit does.
  const validationShare = hyper.validationFraction / (1 - hyper.testFraction);
  const carve = splitRatings(trainPart, { seed: hyper.seed + 1, validationFraction: validationShare, testFraction: 0 });
  log(
    `[tune] ${from}: ${all.ratings.length} ratings; fit ${carve.train.ratings.length}, validation ${carve.validation.ratings.length}, test ${rows.test.length} (set aside, unused); backend ${backend}`,
  );

  // The rating model and its settings are the train stage's (planTraining on the same train part).
  const { rating } = planTraining(hyper, { ratings: all.ratings.length, trainRatings: trainPart.ratings.length });
  const t0 = performance.now();
  const selection = trainRatingModel(rating.kind, carve.train, carve.validation, { ...hyper, ...rating.settings }, { svdpp: rating.svdpp });
  log(
    `[tune] rating model (${rating.label}, ${rating.settings.factors} factors): best epoch ${selection.bestEpoch}, validation RMSE ${selection.bestValidationRmse?.toFixed(4)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const validationData = prepareEvaluation(carve.train, carve.validation);

  // The rating model's own grid (only when asked): factors × regularization × bias regularization, validation RMSE.
  const ratingFlags = [values['rating-factors'], values['rating-regularization'], values['bias-regularization']];
  let ratingRows: RatingGridRow[] = [];
  if (ratingFlags.some((flag) => flag !== undefined)) {
    const planned = { ...hyper, ...rating.settings };
    const points = numbers('rating-factors', values['rating-factors'] ?? String(planned.factors)).flatMap((factors) =>
      numbers('rating-regularization', values['rating-regularization'] ?? String(planned.regularization)).flatMap((regularization) =>
        numbers('bias-regularization', values['bias-regularization'] ?? String(planned.biasRegularization)).map((biasRegularization) => ({
          factors,
          regularization,
          biasRegularization,
        })),
      ),
    );
    ratingRows = tuneRatingModel(rating.kind, carve.train, carve.validation, planned, rating.svdpp, points, log);
  }

  // The neighbourhood blend's grid (only when asked): k × shrinkage × candidates, validation RMSE out of sample.
  const knnFlags = [values['knn-k'], values['knn-shrinkage'], values['knn-candidates']];
  let knnRows: NeighbourhoodGridRow[] = [];
  if (knnFlags.some((flag) => flag !== undefined)) {
    const planned = hyper.neighbourhood;
    const points = numbers('knn-k', values['knn-k'] ?? String(planned.k)).flatMap((k) =>
      numbers('knn-shrinkage', values['knn-shrinkage'] ?? String(planned.shrinkage)).flatMap((shrinkage) =>
        numbers('knn-candidates', values['knn-candidates'] ?? String(planned.candidates)).map((candidates) => ({
          k,
          shrinkage,
          candidates,
          minCommon: planned.minCommon,
        })),
      ),
    );
    const committedKnn = { k: planned.k, shrinkage: planned.shrinkage, candidates: planned.candidates, minCommon: planned.minCommon };
    knnRows = tuneNeighbourhood(carve.train, carve.validation, selection.model, committedKnn, points, hyper.seed, log);
  }

  const grid: ImplicitConfig[] = [];
  for (const factors of numbers('factors', values.factors!))
    for (const alpha of numbers('alpha', values.alpha!))
      for (const regularization of numbers('regularization', values.regularization!))
        grid.push({ ...committed, factors, alpha, regularization, sweeps: values.sweeps ? numbers('sweeps', values.sweeps)[0] : committed.sweeps });
  const isCommitted = (g: ImplicitConfig) => (Object.keys(committed) as (keyof ImplicitConfig)[]).every((key) => g[key] === committed[key]);
  if (!grid.some(isCommitted)) grid.push({ ...committed });

  // EASE does not depend on the implicit settings: fitted once per (λ, K) on the fit part, shared by every implicit row.
  const committedEase = hyper.ranker.ease;
  const easeGrid = numbers('ease-movies', values['ease-movies'] ?? String(committedEase.maxMovies)).flatMap((maxMovies) =>
    numbers('ease-lambda', values['ease-lambda'] ?? String(committedEase.lambda)).flatMap((lambda) =>
      numbers('ease-other-weight', values['ease-other-weight'] ?? String(committedEase.otherRatingWeight)).map((otherRatingWeight) => ({
        lambda,
        maxMovies,
        otherRatingWeight,
      })),
    ),
  );
  const rows_: Array<
    ImplicitConfig & {
      easeLambda: number;
      easeMovies: number;
      easeOther: number;
      rating: number;
      popularity: number;
      ease: number;
      ndcg: number;
      precision: number;
      seconds: number;
      committed: boolean;
    }
  > = [];
  for (const easePoint of easeGrid) {
    const easeFit = fitEase(validationData.trainItems, validationData.indexing.movies.ids.length, easeSettings(easePoint), tf);
    log(
      `[tune] EASE on ${easeFit.ease.movies.length} movies (lambda ${easePoint.lambda}, other ratings ${easePoint.otherRatingWeight}) in ${easeFit.seconds.toFixed(1)} s`,
    );
    for (const [i, implicit] of grid.entries()) {
      const started = performance.now();
      const fit = fitRanker(validationData, selection.model, { ...implicit, seed: hyper.seed }, { implicit: 1, rating: 0, popularity: 0 });
      const tuning = tuneBlendWeights(tf, validationData, selection.model, { ...fit.ranking, ease: easeFit.ease }, hyper.rankingK, hyper.ranker);
      const best = tuning.grid[0];
      const seconds = (performance.now() - started) / 1000;
      rows_.push({
        ...implicit,
        easeLambda: easePoint.lambda,
        easeMovies: easePoint.maxMovies,
        easeOther: easePoint.otherRatingWeight,
        rating: best.rating,
        popularity: best.popularity,
        ease: best.ease ?? 0,
        ndcg: best.ndcg,
        precision: best.precision,
        seconds,
        committed:
          isCommitted(implicit) &&
          easePoint.lambda === committedEase.lambda &&
          easePoint.maxMovies === committedEase.maxMovies &&
          easePoint.otherRatingWeight === committedEase.otherRatingWeight,
      });
      log(
        `[tune] ${i + 1}/${grid.length} k ${implicit.factors} alpha ${implicit.alpha} lambda ${implicit.regularization}, EASE lambda ${easePoint.lambda} K ${easePoint.maxMovies} other ${easePoint.otherRatingWeight}: NDCG@${hyper.rankingK} ${best.ndcg.toFixed(4)} (${seconds.toFixed(1)} s)`,
      );
    }
  }
  const ranked = [...rows_].sort((a, b) => b.ndcg - a.ndcg || b.precision - a.precision);
  const winner = ranked[0];
  const mine = rows_.find((r) => r.committed) ?? null;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ source: from, ratings: all.ratings.length, ratingModel: rating.kind, ratingRows, knnRows, rows: rows_, best: winner, committed: mine }, null, 2)}\n`,
    );
    return;
  }
  const K = hyper.rankingK;
  const header = [
    'factors',
    'sweeps',
    'alpha',
    'lambda',
    'EASE λ',
    'EASE K',
    'EASE other',
    'w_rating',
    'w_pop',
    'w_ease',
    `NDCG@${K}`,
    `P@${K}`,
    's',
    '',
  ];
  const lines = rows_.map((r) => [
    String(r.factors),
    String(r.sweeps),
    String(r.alpha),
    String(r.regularization),
    String(r.easeLambda),
    String(r.easeMovies),
    String(r.easeOther),
    String(r.rating),
    String(r.popularity),
    String(r.ease),
    r.ndcg.toFixed(4),
    r.precision.toFixed(4),
    r.seconds.toFixed(1),
    rowMarks(r === winner, r.committed),
  ]);
  const out = [
    ...(ratingRows.length ? [ratingGridTable(ratingRows, rating.label), ''] : []),
    ...(knnRows.length ? [neighbourhoodGridTable(knnRows), ''] : []),
    gridTable(
      `validation ranking of the ranker on ${from} (${all.ratings.length} ratings; fit ${carve.train.ratings.length} / validation ${carve.validation.ratings.length}, test rows unused; rating model ${rating.label}; blend tuned per row over the committed grid)`,
      header,
      lines,
    ),
    '',
    `best: factors ${winner.factors}, sweeps ${winner.sweeps}, alpha ${winner.alpha}, lambda ${winner.regularization}, EASE lambda ${winner.easeLambda} over ${winner.easeMovies} movies, other ratings ${winner.easeOther} (w_rating ${winner.rating}, w_popularity ${winner.popularity}, w_ease ${winner.ease}): NDCG@${K} ${winner.ndcg.toFixed(4)}, P@${K} ${winner.precision.toFixed(4)}`,
    !mine
      ? 'the committed ranker settings (config/training.json) are not in this grid'
      : winner === mine || winner.ndcg === mine.ndcg
        ? 'the committed ranker settings (config/training.json) are the best of this grid'
        : `the committed ranker settings (factors ${mine.factors}, alpha ${mine.alpha}, lambda ${mine.regularization}, EASE lambda ${mine.easeLambda} K ${mine.easeMovies} other ${mine.easeOther}) reach NDCG@${K} ${mine.ndcg.toFixed(4)}: ${(winner.ndcg - mine.ndcg).toFixed(4)} below the best of this grid`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`tune failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
