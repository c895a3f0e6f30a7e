import { type BiasModel, computePopularity, type MfModel, type PopularityRanking } from '@reelrank/model';
import { buildIndexing, indexRatings, type Indexing } from './indexing.js';
import type { RatingsColumns } from './ratings.js';
import { fitBaselineBiases } from './sgd-kernel.js';
import { BASELINE_REG_ITEM, BASELINE_REG_USER, BASELINE_SWEEPS, meanOf } from './train-mf.js';

/**
 * Reference models, expressed as MfModels with one all-zero factor so that they are scored by the
 * very same `predictRating` / `TensorScorer` code as the real model.
 */

function zeroModel(indexing: Indexing, globalMean: number): MfModel {
  const nUsers = indexing.users.ids.length;
  const nMovies = indexing.movies.ids.length;
  return {
    factors: 1,
    globalMean,
    userIds: indexing.users.ids,
    movieIds: indexing.movies.ids,
    userBias: new Float32Array(nUsers),
    movieBias: new Float32Array(nMovies),
    userFactors: new Float32Array(nUsers),
    movieFactors: new Float32Array(nMovies),
  };
}

/** r̂ = μ for everyone. */
export function fitGlobalMean(train: RatingsColumns): MfModel {
  return zeroModel(buildIndexing(train), meanOf(train.ratings));
}

/** r̂ = μ + b_u + b_i with regularised ALS biases (Surprise BaselineOnly: reg_i 10, reg_u 15, 10 sweeps). */
export function fitBaseline(
  train: RatingsColumns,
  options = { sweeps: BASELINE_SWEEPS, regItem: BASELINE_REG_ITEM, regUser: BASELINE_REG_USER },
): MfModel {
  const indexing = buildIndexing(train);
  const model = zeroModel(indexing, meanOf(train.ratings));
  fitBaselineBiases(model, indexRatings(train, indexing), options.sweeps, options.regItem, options.regUser);
  return model;
}

/**
 * The baseline row's model from the biases a rating model's fit started from (`TrainMfResult.baseline`, in
 * `indexing`'s order): the very fit `fitBaseline` makes of the same ratings, so it is not made twice.
 */
export function baselineOfFit(indexing: Indexing, biases: BiasModel): MfModel {
  const model = zeroModel(indexing, biases.globalMean);
  model.userBias.set(biases.userBias);
  model.movieBias.set(biases.movieBias);
  return model;
}

/**
 * The baseline predictor a rating model falls back on for unknown users or movies, fitted on the
 * same ratings and laid out in `model`'s indices (ids absent from the baseline get a zero bias).
 */
export function fitFallbackBiases(train: RatingsColumns, model: MfModel): BiasModel {
  const baseline = fitBaseline(train);
  const align = (ids: Int32Array, biases: Float32Array, target: Int32Array) => {
    const byId = new Map<number, number>();
    ids.forEach((id, i) => byId.set(id, biases[i]));
    return Float32Array.from(target, (id) => byId.get(id) ?? 0);
  };
  return {
    globalMean: baseline.globalMean,
    userBias: align(baseline.userIds, baseline.userBias, model.userIds),
    movieBias: align(baseline.movieIds, baseline.movieBias, model.movieIds),
  };
}

/** Number of train ratings per movie index (the most-rated ranking, ties by lower movie id). */
export function mostRatedScores(movieIndices: Int32Array, nMovies: number): Float32Array {
  const counts = new Float32Array(nMovies);
  for (let r = 0; r < movieIndices.length; r++) if (movieIndices[r] >= 0) counts[movieIndices[r]]++;
  return counts;
}

/** The cold-start list served to unknown users: damped-mean ranking of well-rated movies. */
export function coldStartPopularity(
  ratings: RatingsColumns,
  options: { popularityMinRatings: number; popularityPriorWeight: number },
): PopularityRanking {
  return computePopularity(ratings, { minRatings: options.popularityMinRatings, priorWeight: options.popularityPriorWeight });
}
