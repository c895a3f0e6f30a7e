import { scoreAllMovies, TensorScorer, type MfModel, type Tf } from '@reelrank/model';
import { mostRatedScores } from './baselines.js';
import { buildIndexing, groupByUser, indexRatings, type IndexedRatings, type Indexing, type UserItems } from './indexing.js';
import { rankingMetrics, relevantItems, type RankingMetrics, type RelevantItems } from './ranking-metrics.js';
import type { RatingsColumns } from './ratings.js';
import { ratingMetrics } from './rating-metrics.js';

/** One row of the evaluation table (null where a metric does not apply to the model). */
export interface ModelEvaluation {
  model: string;
  rmse: number | null;
  mae: number | null;
  precisionAtK: number | null;
  recallAtK: number | null;
  ndcgAtK: number | null;
  coverage: number | null;
  fitSeconds: number;
  evalSeconds: number;
}

/**
 * How top-K candidates are scored: 'tensor' = `TensorScorer.scoreUsers` (dense TF.js matMul per
 * batch, the default), 'typed-array' = `scoreAllMovies` per user. Both are the shared scoring code.
 * Configured as `training.evalScorer` (env REELRANK_EVAL_SCORER).
 */
export type RankingScorer = 'tensor' | 'typed-array';

/** Train and held-out data indexed once (by the train ids) and shared by every evaluated model. */
export interface EvaluationData {
  indexing: Indexing;
  train: IndexedRatings;
  test: IndexedRatings;
  trainItems: UserItems;
  relevant: RelevantItems;
}

/**
 * `fitted`: a fit's indexing and indexed rows of these very `train` columns (its `indexed.ratings` is `train.ratings`),
 * reused instead of indexing them again; anything else is ignored.
 */
export function prepareEvaluation(
  train: RatingsColumns,
  test: RatingsColumns,
  fitted?: { indexing: Indexing; indexed?: IndexedRatings },
): EvaluationData {
  const reuse = fitted?.indexed?.ratings === train.ratings ? fitted : null;
  const indexing = reuse ? reuse.indexing : buildIndexing(train);
  const trainIndexed = reuse?.indexed ?? indexRatings(train, indexing);
  const testIndexed = indexRatings(test, indexing);
  return {
    indexing,
    train: trainIndexed,
    test: testIndexed,
    trainItems: groupByUser(trainIndexed, indexing.users.ids.length),
    relevant: relevantItems(testIndexed),
  };
}

/**
 * `data` with another held-out part, indexed by the same train ids: the train side is reused, not
 * indexed again (the validation part of a run whose test evaluation already indexed the fit part).
 */
export function withHeldOut(data: EvaluationData, heldOut: RatingsColumns): EvaluationData {
  const test = indexRatings(heldOut, data.indexing);
  return { ...data, test, relevant: relevantItems(test) };
}

function sameIds(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, j) => v === b[j]);
}

function row(
  model: string,
  fitSeconds: number,
  started: number,
  rating: { rmse: number; mae: number } | null,
  ranking: RankingMetrics | null,
): ModelEvaluation {
  return {
    model,
    rmse: rating?.rmse ?? null,
    mae: rating?.mae ?? null,
    precisionAtK: ranking?.precision ?? null,
    recallAtK: ranking?.recall ?? null,
    ndcgAtK: ranking?.ndcg ?? null,
    coverage: ranking?.coverage ?? null,
    fitSeconds,
    evalSeconds: (performance.now() - started) / 1000,
  };
}

/**
 * Top-K metrics of `model` with every batch of users scored at once by TensorScorer (dense TF.js
 * matMul against all movies); the model may be a rating model or a flattened ranker.
 */
export function tensorRankingMetrics(tf: Tf, model: MfModel, common: Omit<Parameters<typeof rankingMetrics>[0], 'score'>): RankingMetrics {
  const nMovies = model.movieIds.length;
  const scorer = new TensorScorer(tf, model);
  try {
    return rankingMetrics({
      ...common,
      score: (users) => {
        const flat = scorer.scoreUsers(users);
        return (b) => flat.subarray(b * nMovies, (b + 1) * nMovies);
      },
    });
  } finally {
    scorer.dispose();
  }
}

/**
 * RMSE / MAE through `predictRating` and top-K metrics through `TensorScorer.scoreUsers` (dense
 * TF.js matMul, `batchSize` users at a time) + `topN` with the user's train movies excluded.
 */
export function evaluateMfModel(
  name: string,
  model: MfModel,
  data: Omit<EvaluationData, 'train'>,
  options: { tf: Tf; k: number; fitSeconds: number; ranking?: boolean; batchSize?: number; scorer?: RankingScorer },
): ModelEvaluation {
  const started = performance.now();
  if (!sameIds(model.userIds, data.indexing.users.ids) || !sameIds(model.movieIds, data.indexing.movies.ids)) {
    throw new Error(`${name}: model ids differ from the evaluation's train ids (trained on another set?)`);
  }
  const rating = ratingMetrics(model, data.test);
  let ranking: RankingMetrics | null = null;
  if (options.ranking !== false) {
    const nMovies = model.movieIds.length;
    const common = { k: options.k, nMovies, train: data.trainItems, relevant: data.relevant, batchSize: options.batchSize };
    if (options.scorer === 'typed-array') {
      const buffer = new Float32Array(nMovies);
      ranking = rankingMetrics({ ...common, score: (users) => (b) => scoreAllMovies(model, users[b], buffer) });
    } else {
      ranking = tensorRankingMetrics(options.tf, model, common);
    }
  }
  return row(name, options.fitSeconds, started, rating, ranking);
}

/** The most-rated-movies ranking (train counts), the same list for every user minus what they rated. */
export function evaluateMostRated(data: EvaluationData, options: { k: number; fitSeconds?: number }): ModelEvaluation {
  const started = performance.now();
  const counts = mostRatedScores(data.train.movies, data.indexing.movies.ids.length);
  const ranking = rankingMetrics({
    k: options.k,
    nMovies: counts.length,
    train: data.trainItems,
    relevant: data.relevant,
    score: () => () => counts,
  });
  return row('most-rated (popularity)', options.fitSeconds ?? (performance.now() - started) / 1000, started, null, ranking);
}
