import { EarlyStopping, epochLine } from './early-stopping.js';
import type { MfModel } from '@reelrank/model';
import { buildIndexing, groupByUser, indexRatings, type IndexedRatings, type UserItems } from './indexing.js';
import { deriveSeed, seededRandom, shuffleInPlace, type Random } from '@reelrank/random';
import type { RatingsColumns } from './ratings.js';
import { ratingMetrics } from './rating-metrics.js';
import { fitBaselineBiases, initModel } from './sgd-kernel.js';
import {
  BASELINE_REG_ITEM,
  BASELINE_REG_USER,
  BASELINE_SWEEPS,
  meanOf,
  type EpochStats,
  type MfHyperParameters,
  type TrainMfOptions,
  type TrainMfResult,
} from './train-mf.js';

/**
 * Biased MF with an SVD++-style implicit user term (Koren 2008), trained by SGD and served as a
 * plain MfModel. The model is
 *   r̂(u, i) = μ + b_u + b_i + (p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j) · q_i
 * where N(u) is the set of movies u rated in the training data. N(u) is fixed once training ends,
 * so the bracket is one effective user vector: the saved model stores it as the user factors and
 * the served formula stays μ + b_u + b_i + p_u·q_i (`predictRating`, fold-in, every scorer).
 * The y_j let users with few ratings borrow structure from what they chose to rate.
 *
 * SGD runs user by user (users and each user's ratings in a seeded random order): the implicit
 * sum z_u is computed once per user visit, the y_j gradient Σ e·q_i is accumulated over the user's
 * ratings and applied once at the end of the visit (the usual fast SVD++ form, O(ratings·k) per
 * epoch instead of O(ratings·|N(u)|·k)).
 */
export interface SvdppHyperParameters {
  /** Learning rate and L2 weight of the implicit item vectors y_j. */
  implicitLearningRate: number;
  implicitRegularization: number;
}

/** Chosen on the validation part carved from train of the fixed split (never on test). */
export const DEFAULT_SVDPP: SvdppHyperParameters = { implicitLearningRate: 0.001, implicitRegularization: 0.5 };

interface SvdppState {
  model: MfModel;
  /** nMovies × k implicit vectors. */
  y: Float32Array;
  items: UserItems;
  /** Visiting order of each user's ratings (positions into items), shuffled per visit. */
  perm: Int32Array;
  norm: Float32Array;
}

function foldedModel(state: SvdppState): MfModel {
  const { model, y, items, norm } = state;
  const k = model.factors;
  const P = model.userFactors.slice();
  const nUsers = model.userIds.length;
  for (let u = 0; u < nUsers; u++) {
    const s = norm[u];
    for (let n = items.offsets[u]; n < items.offsets[u + 1]; n++) {
      const o = items.movies[n] * k;
      for (let f = 0; f < k; f++) P[u * k + f] += s * y[o + f];
    }
  }
  return { ...model, userBias: model.userBias.slice(), movieBias: model.movieBias.slice(), movieFactors: model.movieFactors.slice(), userFactors: P };
}

function svdppEpoch(
  state: SvdppState,
  userOrder: Int32Array,
  random: Random,
  hyper: MfHyperParameters & SvdppHyperParameters,
  lr: number,
  lrY: number,
  z: Float64Array,
  gz: Float64Array,
): number {
  const { model, y, items, perm, norm } = state;
  const k = model.factors;
  const P = model.userFactors;
  const Q = model.movieFactors;
  const bu = model.userBias;
  const bi = model.movieBias;
  const mu = model.globalMean;
  const reg = hyper.regularization;
  const regB = hyper.biasRegularization;
  const regY = hyper.implicitRegularization;
  shuffleInPlace(userOrder, random);
  let sse = 0;
  for (let o = 0; o < userOrder.length; o++) {
    const u = userOrder[o];
    const from = items.offsets[u];
    const to = items.offsets[u + 1];
    if (to === from) continue;
    shuffleInPlace(perm, random, from, to);
    const s = norm[u];
    z.fill(0);
    gz.fill(0);
    for (let n = from; n < to; n++) {
      const yo = items.movies[n] * k;
      for (let f = 0; f < k; f++) z[f] += y[yo + f];
    }
    for (let f = 0; f < k; f++) z[f] *= s;
    const pu = u * k;
    for (let n = from; n < to; n++) {
      const at = perm[n];
      const i = items.movies[at];
      const qi = i * k;
      let dot = 0;
      for (let f = 0; f < k; f++) dot += (P[pu + f] + z[f]) * Q[qi + f];
      const e = items.ratings[at] - (mu + bu[u] + bi[i] + dot);
      sse += e * e;
      bu[u] += lr * (e - regB * bu[u]);
      bi[i] += lr * (e - regB * bi[i]);
      for (let f = 0; f < k; f++) {
        const p = P[pu + f];
        const q = Q[qi + f];
        P[pu + f] = p + lr * (e * q - reg * p);
        Q[qi + f] = q + lr * (e * (p + z[f]) - reg * q);
        gz[f] += e * q;
      }
    }
    for (let n = from; n < to; n++) {
      const yo = items.movies[n] * k;
      for (let f = 0; f < k; f++) y[yo + f] += lrY * (s * gz[f] - regY * y[yo + f]);
    }
  }
  return sse;
}

/**
 * Same contract as `trainMf` (early stopping on `validation`, or a fixed `options.epochs` refit),
 * returning the folded MfModel. Biases start from the ALS baseline, p and q from N(0, initStd²), y at 0.
 */
export function trainSvdpp(
  train: RatingsColumns,
  validation: RatingsColumns | null,
  hyper: MfHyperParameters & SvdppHyperParameters,
  options: TrainMfOptions = {},
): TrainMfResult {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  if (train.ratings.length === 0) throw new Error('Cannot train on an empty ratings set');
  const indexing = buildIndexing(train);
  const data: IndexedRatings = indexRatings(train, indexing);
  const nUsers = indexing.users.ids.length;
  const model = initModel(
    indexing.users.ids,
    indexing.movies.ids,
    hyper.factors,
    meanOf(train.ratings),
    hyper.initStd,
    seededRandom(deriveSeed(hyper.seed, 'init')),
  );
  fitBaselineBiases(model, data, BASELINE_SWEEPS, BASELINE_REG_ITEM, BASELINE_REG_USER);
  const baseline = { globalMean: model.globalMean, userBias: model.userBias.slice(), movieBias: model.movieBias.slice() };
  const items = groupByUser(data, nUsers);
  const norm = new Float32Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    const n = items.offsets[u + 1] - items.offsets[u];
    norm[u] = n > 0 ? 1 / Math.sqrt(n) : 0;
  }
  const perm = Int32Array.from({ length: items.movies.length }, (_, n) => n);
  const state: SvdppState = { model, y: new Float32Array(model.movieFactors.length), items, perm, norm };
  const valData = validation && validation.ratings.length && options.epochs === undefined ? indexRatings(validation, indexing) : null;
  const maxEpochs = options.epochs ?? hyper.maxEpochs;
  const random = seededRandom(deriveSeed(hyper.seed, 'order'));
  const userOrder = Int32Array.from({ length: nUsers }, (_, u) => u);
  const z = new Float64Array(hyper.factors);
  const gz = new Float64Array(hyper.factors);
  const history: EpochStats[] = [];
  const stopping = new EarlyStopping<MfModel>(hyper.patience, log);
  let lr = hyper.learningRate;
  let lrY = hyper.implicitLearningRate;
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    const t0 = performance.now();
    const sse = svdppEpoch(state, userOrder, random, hyper, lr, lrY, z, gz);
    const trainRmse = Math.sqrt(sse / data.ratings.length);
    if (!Number.isFinite(trainRmse)) throw new Error(`SVD++ SGD diverged at epoch ${epoch} (learning rate ${lr} too high?)`);
    const folded = valData ? foldedModel(state) : null;
    const validationRmse = folded && valData ? ratingMetrics(folded, valData).rmse : null;
    const seconds = (performance.now() - t0) / 1000;
    history.push({ epoch, learningRate: lr, trainRmse, validationRmse, seconds });
    log(epochLine('svd++ ', epoch, maxEpochs, lr, trainRmse, validationRmse, seconds));
    lr *= hyper.learningRateDecay;
    lrY *= hyper.learningRateDecay;
    if (stopping.record(epoch, validationRmse, () => folded!)) break;
  }
  return {
    model: valData && stopping.best ? stopping.best : foldedModel(state),
    indexing,
    history,
    bestEpoch: stopping.bestEpoch,
    epochsRun: history.length,
    bestValidationRmse: valData ? stopping.bestRmse : null,
    seconds: (performance.now() - started) / 1000,
    baseline,
  };
}
