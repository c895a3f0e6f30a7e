import type { RankerConfig } from '@reelrank/config';
import { popularityPrior, TensorScorer, rankingScoringModel, scoreForRanking, type MfModel, type RankingBlendWeights, type RankingModel, type Tf } from '@reelrank/model';
import { mostRatedScores } from './baselines.js';
import { tensorRankingMetrics, type EvaluationData, type ModelEvaluation, type RankingScorer } from './evaluate.js';
import { rankingMetrics, type RankingMetrics, type RelevantItems } from './ranking-metrics.js';
import { ratingMetrics } from './rating-metrics.js';
import { trainImplicitAls, type ImplicitHyperParameters } from './train-implicit.js';

/** Name of the served ranker's row in the report table. */
export const RANKER_MODEL_NAME = 'served ranking (MF + implicit ALS + popularity)';

/**
 * Blend weights tried on the validation part (w_implicit is fixed at 1: only ratios matter) and the
 * users they are tuned on, at most (memory: 2 × users × movies floats): `training.ranker` in the config.
 */
export type BlendGrid = Pick<RankerConfig, 'ratingWeightGrid' | 'popularityWeightGrid' | 'maxTuningUsers'>;

/**
 * Fits the implicit factors on `data.train` and assembles the ranker over `ratingModel` (which must
 * be indexed like `data`): the popularity prior counts the same training ratings.
 */
export function fitRanker(data: Pick<EvaluationData, 'train' | 'indexing'>, ratingModel: MfModel, implicit: ImplicitHyperParameters, weights: RankingBlendWeights, log?: (line: string) => void): { ranking: RankingModel; seconds: number } {
  const nUsers = data.indexing.users.ids.length;
  const nMovies = data.indexing.movies.ids.length;
  if (ratingModel.userIds.length !== nUsers || ratingModel.movieIds.length !== nMovies) throw new Error('fitRanker: the rating model is indexed differently from the data');
  const factors = trainImplicitAls(data.train, nUsers, nMovies, implicit, log);
  const { factors: k, userFactors, movieFactors } = factors;
  const { alpha, ratingSlope, ratingPivot, floor, regularization } = implicit;
  return {
    ranking: {
      factors: k,
      userFactors,
      movieFactors,
      moviePrior: popularityPrior(mostRatedScores(data.train.movies, nMovies)),
      weights: { ...weights },
      confidence: { alpha, ratingSlope, ratingPivot, floor, regularization },
    },
    seconds: factors.seconds,
  };
}

/** Scores of `model` for the ranked users, as one TF.js matMul per batch. */
function componentRows(tf: Tf, model: MfModel, users: Int32Array): Float32Array {
  const scorer = new TensorScorer(tf, model);
  try {
    const nMovies = model.movieIds.length;
    const out = new Float32Array(users.length * nMovies);
    for (let start = 0; start < users.length; start += 256) {
      const batch = users.subarray(start, Math.min(users.length, start + 256));
      out.set(scorer.scoreUsers(batch), start * nMovies);
    }
    return out;
  } finally {
    scorer.dispose();
  }
}

export interface BlendTuning {
  weights: RankingBlendWeights;
  /** NDCG@K / P@K on the validation part for every grid point (best first). */
  grid: Array<RankingBlendWeights & { ndcg: number; precision: number }>;
  seconds: number;
}

/** An evenly spaced, deterministic subset of at most `max` users of `relevant` (all of them when fewer). */
export function everyNthUser(relevant: RelevantItems, max: number): RelevantItems {
  const n = relevant.users.length;
  if (n <= max) return relevant;
  const picks = Array.from({ length: max }, (_, j) => Math.floor((j * n) / max));
  return {
    users: Int32Array.from(picks, (p) => relevant.users[p]),
    knownRelevant: picks.map((p) => relevant.knownRelevant[p]),
    relevantCount: Int32Array.from(picks, (p) => relevant.relevantCount[p]),
    skippedUnknownUserRows: relevant.skippedUnknownUserRows,
  };
}

/**
 * Picks w_rating and w_popularity (w_implicit = 1) maximising NDCG@K on held-out ratings of the
 * validation part (`data` = fit part vs validation part, never the test set). Each component is
 * scored once (TF.js batches); each grid point is then a cheap linear combination of the rows.
 */
export function tuneBlendWeights(tf: Tf, data: EvaluationData, ratingModel: MfModel, ranking: RankingModel, k: number, grid: BlendGrid): BlendTuning {
  const started = performance.now();
  // Each component is held as users × movies floats: at ml-20m scale all validation users would
  // need ~15 GB, so the weights are tuned on an evenly spaced subset (all users on small sets).
  const relevant = everyNthUser(data.relevant, grid.maxTuningUsers);
  const users = relevant.users;
  const nMovies = data.indexing.movies.ids.length;
  const zero = { implicit: 0, rating: 0, popularity: 0 };
  const implicitRows = componentRows(tf, rankingScoringModel(ratingModel, { ...ranking, weights: { ...zero, implicit: 1 } }), users);
  const ratingRows = componentRows(tf, ratingModel, users);
  const prior = ranking.moviePrior;
  const position = new Map<number, number>();
  users.forEach((u, p) => position.set(u, p));
  const row = new Float32Array(nMovies);
  const results: BlendTuning['grid'] = [];
  for (const rating of grid.ratingWeightGrid) {
    for (const popularity of grid.popularityWeightGrid) {
      const metrics: RankingMetrics = rankingMetrics({
        k,
        nMovies,
        train: data.trainItems,
        relevant,
        score: (batch) => (b) => {
          const o = position.get(batch[b])! * nMovies;
          for (let i = 0; i < nMovies; i++) row[i] = implicitRows[o + i] + rating * ratingRows[o + i] + popularity * prior[i];
          return row;
        },
      });
      results.push({ implicit: 1, rating, popularity, ndcg: metrics.ndcg, precision: metrics.precision });
    }
  }
  results.sort((a, b) => b.ndcg - a.ndcg || b.precision - a.precision);
  const best = results[0];
  return { weights: { implicit: 1, rating: best.rating, popularity: best.popularity }, grid: results, seconds: (performance.now() - started) / 1000 };
}

/**
 * The served ranker's row: RMSE / MAE of the rating model (the `predicted_rating` it serves) and
 * top-K metrics of the blended ranking: by default `rankingScoringModel` scored in TF.js batches
 * (TensorScorer), with scorer 'typed-array' the single-user `scoreForRanking` (the same formula).
 */
export function evaluateRanker(
  name: string,
  ratingModel: MfModel,
  ranking: RankingModel,
  data: EvaluationData,
  options: { tf: Tf; k: number; fitSeconds: number; batchSize?: number; scorer?: RankingScorer },
): ModelEvaluation {
  const started = performance.now();
  const nMovies = ratingModel.movieIds.length;
  const rating = ratingMetrics(ratingModel, data.test);
  const common = { k: options.k, nMovies, train: data.trainItems, relevant: data.relevant, batchSize: options.batchSize };
  let ranked: RankingMetrics;
  if (options.scorer === 'typed-array') {
    const buffer = new Float32Array(nMovies);
    const bundle = { model: ratingModel, ranking };
    ranked = rankingMetrics({ ...common, score: (users) => (b) => scoreForRanking(bundle, users[b], buffer) });
  } else {
    ranked = tensorRankingMetrics(options.tf, rankingScoringModel(ratingModel, ranking), common);
  }
  return {
    model: name,
    rmse: rating.rmse,
    mae: rating.mae,
    precisionAtK: ranked.precision,
    recallAtK: ranked.recall,
    ndcgAtK: ranked.ndcg,
    coverage: ranked.coverage,
    fitSeconds: options.fitSeconds,
    evalSeconds: (performance.now() - started) / 1000,
  };
}
