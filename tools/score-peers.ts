/**
 * `npm run score:peers -- --split DIR [--seed 42] [--validation 0.1] [--lambdas 50,100,250,500,1000]
 *                         [--neighbours 10,20,50,100,200] [--ease-max-movies N] [--json FILE] [--record]`
 *
 * The strongest simple peers of the served ranker, on a fixed train/test split (DIR/train.csv,
 * DIR/test.csv) and with the ranking protocol of the trainer (its own `rankingMetrics`: candidates =
 * train movies the user did not rate in train; relevant = test rating >= 4.0; users with at least
 * one relevant test movie; ties by movie id):
 *   - most-rated: the train counts, the same list for everyone;
 *   - item-kNN: cosine over who-rated-what, k neighbours per movie;
 *   - EASE: the trainer's own fit (`fitEase`), λ as chosen.
 * k and λ are chosen on a validation carve of train (`splitRatings` with `--seed`, `--validation` of
 * train held out, never a test row); the chosen model is then refitted on all of train and scored on
 * test. Prints one table with the fit times, the seed and the choices.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@reelrank/config';
import { addEaseScores, easeScorer, type EaseModel } from '@reelrank/model';
import {
  easeGram,
  prepareEvaluation,
  rankingMetrics,
  solveEase,
  splitRatings,
  type RankingMetrics,
  type RelevantItems,
  type UserItems,
} from '@reelrank/trainer';
import { cosineNeighbours, itemKnn, scoreItemKnn, type ItemKnn } from './lib/item-knn';
import { K, loadSplit, popularityBaseline } from './lib/served-scoring';
import { benchRecord, writeBenchRecord } from './lib/bench-record';

const USAGE =
  'usage: npm run score:peers -- --split DIR [--seed N] [--validation F] [--lambdas L,..] [--neighbours K,..] [--ease-max-movies N] [--json FILE] [--record]';

function options() {
  const { values } = parseArgs({
    options: {
      split: { type: 'string' },
      seed: { type: 'string', default: '42' },
      validation: { type: 'string', default: '0.1' },
      lambdas: { type: 'string', default: '50,100,250,500,1000' },
      neighbours: { type: 'string', default: '10,20,50,100,200' },
      'ease-max-movies': { type: 'string' },
      json: { type: 'string' },
      record: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!values.split) throw new Error(`--split DIR is required\n${USAGE}`);
  const dir = resolve(process.cwd(), values.split);
  for (const file of ['train.csv', 'test.csv'])
    if (!existsSync(join(dir, file))) throw new Error(`--split: ${join(dir, file)} does not exist (a split folder holds train.csv and test.csv)`);
  const numbers = (flag: string, text: string, integer: boolean) => {
    const list = text.split(',').map(Number);
    if (!list.length || list.some((x) => !(x > 0) || (integer && !Number.isInteger(x))))
      throw new Error(`--${flag}: expected ${integer ? 'positive integers' : 'positive numbers'}, got "${text}"`);
    return list;
  };
  const seed = Number(values.seed);
  const validation = Number(values.validation);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected a non-negative integer, got "${values.seed}"`);
  if (!(validation > 0 && validation < 0.5)) throw new Error(`--validation: expected a fraction in (0, 0.5), got "${values.validation}"`);
  const maxMovies = values['ease-max-movies'] ?? String(loadConfig().training.ranker.ease.maxMovies);
  return {
    dir,
    seed,
    validation,
    lambdas: numbers('lambdas', values.lambdas, false),
    neighbours: numbers('neighbours', values.neighbours, true),
    easeMaxMovies: numbers('ease-max-movies', maxMovies, true)[0],
    json: values.json,
    record: values.record,
  };
}

/** The protocol's metrics of a per-user scorer (rated: the user's train movies). */
function metricsOf(
  train: UserItems,
  relevant: RelevantItems,
  nMovies: number,
  score: (rated: Int32Array, out: Float32Array) => Float32Array,
): RankingMetrics {
  const row = new Float32Array(nMovies);
  return rankingMetrics({
    k: K,
    nMovies,
    train,
    relevant,
    batchSize: 1,
    score: (users) => () => score(train.movies.subarray(train.offsets[users[0]], train.offsets[users[0] + 1]), row),
  });
}

/** EASE's scores with the movies it does not cover ranked last (as a full-catalogue EASE ranks rare movies). */
function easeRow(ease: EaseModel, nMovies: number) {
  const scorer = easeScorer(ease, nMovies);
  return (rated: Int32Array, out: Float32Array) => {
    out.fill(-Infinity);
    for (const i of ease.movies) out[i] = 0;
    return addEaseScores(scorer, rated, 0, rated.length, 1, out);
  };
}

const knnRow = (model: ItemKnn) => (rated: Int32Array, out: Float32Array) => scoreItemKnn(model, rated, out);

const seconds = (t0: number) => (performance.now() - t0) / 1000;

function main() {
  const o = options();
  const split = loadSplit(join(o.dir, 'train.csv'), join(o.dir, 'test.csv'));
  const nMovies = split.indexing.movies.ids.length;
  const carve = splitRatings(split.train, { seed: o.seed, validationFraction: o.validation, testFraction: 0 });
  const val = prepareEvaluation(carve.train, carve.validation);
  const valMovies = val.indexing.movies.ids.length;
  process.stderr.write(
    `[peers] train ${split.train.ratings.length} ratings (fit ${carve.train.ratings.length}, validation ${carve.validation.ratings.length}, seed ${o.seed}), test ${split.test.ratings.length}; ${split.relevant.users.length} test users with a relevant movie\n`,
  );

  const popularity = popularityBaseline(split);

  // item-kNN: k on validation, then refit on train.
  let t0 = performance.now();
  const valNeighbours = cosineNeighbours(val.trainItems, valMovies, Math.max(...o.neighbours));
  const knnSearch = o.neighbours.map((k) => ({
    k,
    ndcg: metricsOf(val.trainItems, val.relevant, valMovies, knnRow(itemKnn(valNeighbours, k))).ndcg,
  }));
  const bestK = [...knnSearch].sort((a, b) => b.ndcg - a.ndcg || a.k - b.k)[0].k;
  const knnSearchSeconds = seconds(t0);
  t0 = performance.now();
  const knn = itemKnn(cosineNeighbours(split.trainByUser, nMovies, bestK), bestK);
  const knnFit = seconds(t0);
  const knnTest = metricsOf(split.trainByUser, split.relevant, nMovies, knnRow(knn));
  process.stderr.write(
    `[peers] item-kNN validation NDCG@${K}: ${knnSearch.map((s) => `k=${s.k} ${s.ndcg.toFixed(4)}`).join(', ')} (${knnSearchSeconds.toFixed(1)} s)\n`,
  );

  // EASE: λ on validation (one Gram, one inverse per λ), then refit on train.
  t0 = performance.now();
  const valGram = easeGram(val.trainItems, valMovies, o.easeMaxMovies);
  const easeSearch = o.lambdas.map((lambda) => ({
    lambda,
    ndcg: metricsOf(val.trainItems, val.relevant, valMovies, easeRow(solveEase(valGram, lambda), valMovies)).ndcg,
  }));
  const bestLambda = [...easeSearch].sort((a, b) => b.ndcg - a.ndcg || a.lambda - b.lambda)[0].lambda;
  const easeSearchSeconds = seconds(t0);
  t0 = performance.now();
  const gram = easeGram(split.trainByUser, nMovies, o.easeMaxMovies);
  const ease = solveEase(gram, bestLambda);
  const easeFit = seconds(t0);
  const easeTest = metricsOf(split.trainByUser, split.relevant, nMovies, easeRow(ease, nMovies));
  process.stderr.write(
    `[peers] EASE validation NDCG@${K}: ${easeSearch.map((s) => `λ=${s.lambda} ${s.ndcg.toFixed(4)}`).join(', ')} (${easeSearchSeconds.toFixed(1)} s)\n`,
  );

  const rows = [
    { model: 'most-rated', choice: '-', fitSeconds: 0, metrics: popularity },
    { model: `item-kNN (cosine, ${bestK} neighbours)`, choice: `k = ${bestK} of ${o.neighbours.join('/')}`, fitSeconds: knnFit, metrics: knnTest },
    {
      model: `EASE (λ ${bestLambda}, ${ease.movies.length} most-rated movies)`,
      choice: `λ = ${bestLambda} of ${o.lambdas.join('/')}`,
      fitSeconds: easeFit,
      metrics: easeTest,
    },
  ];
  const lines = [
    `Peers on ${o.dir} (k and λ chosen on a ${o.validation} validation carve of train, seed ${o.seed}; ${split.relevant.users.length} test users)`,
    '',
    `| model | P@${K} | R@${K} | NDCG@${K} | coverage | chosen on validation | fit s (on train) |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.metrics.precision.toFixed(4)} | ${r.metrics.recall.toFixed(4)} | ${r.metrics.ndcg.toFixed(4)} | ${r.metrics.coverage.toFixed(4)} | ${r.choice} | ${r.fitSeconds.toFixed(2)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const out = { split: o.dir, seed: o.seed, validation: o.validation, knnSearch, easeSearch, rows };
  if (o.json) writeFileSync(o.json, `${JSON.stringify(out, null, 2)}\n`);
  if (o.record)
    writeBenchRecord(benchRecord('peers', `npm run score:peers -- ${process.argv.slice(2).join(' ')}`, { ...out, split: basename(o.dir) }));
}

try {
  main();
} catch (error) {
  process.stderr.write(`score-peers: ${(error as Error).message}\n`);
  process.exit(2);
}
