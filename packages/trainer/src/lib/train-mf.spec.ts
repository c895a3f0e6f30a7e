import { predictRating } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { baselineOfFit, fitBaseline, fitFallbackBiases } from './baselines.js';
import { DEFAULT_SVDPP, trainSvdpp } from './train-svdpp.js';
import { buildIdIndex, indexRatings } from './indexing.js';
import { ratingMetrics } from './rating-metrics.js';
import { trainMf, type MfHyperParameters } from './train-mf.js';

const hyper: MfHyperParameters = {
  seed: 5,
  factors: 4,
  maxEpochs: 300,
  learningRate: 0.03,
  learningRateDecay: 0.995,
  regularization: 0.005,
  biasRegularization: 0.001,
  initStd: 0.1,
  patience: 10,
};

function heldOutRmse(model: Parameters<typeof ratingMetrics>[0], data: ReturnType<typeof plantedData>['heldOut']) {
  const indexing = { users: buildIdIndex(model.userIds), movies: buildIdIndex(model.movieIds) };
  return ratingMetrics(model, indexRatings(data, indexing)).rmse;
}

describe('trainMf', () => {
  const planted = plantedData({ nUsers: 60, nMovies: 40, rank: 2, observedShare: 0.7, noise: 0.02 });

  it('when trained on a planted rank-2 data set, then it recovers the held-out entries far better than the bias baseline', () => {
    const result = trainMf(planted.observed, null, hyper);
    const mfRmse = heldOutRmse(result.model, planted.heldOut);
    const baselineRmse = heldOutRmse(fitBaseline(planted.observed), planted.heldOut);
    expect(mfRmse).toBeLessThan(0.1);
    expect(mfRmse).toBeLessThan(baselineRmse / 3);
    expect(result.epochsRun).toBe(hyper.maxEpochs);
    expect(Array.from(result.model.userIds)).toEqual([...result.model.userIds].sort((a, b) => a - b));
  });

  it('when trained twice with the same seed, then the parameters are identical', () => {
    const short = { ...hyper, maxEpochs: 5 };
    const a = trainMf(planted.observed, null, short).model;
    const b = trainMf(planted.observed, null, short).model;
    expect(Array.from(a.userFactors)).toEqual(Array.from(b.userFactors));
    expect(Array.from(a.movieBias)).toEqual(Array.from(b.movieBias));
  });

  it('when validation RMSE stops improving, then training stops after `patience` epochs and keeps the best epoch', () => {
    // Few observations and many unregularised factors: the model overfits and validation RMSE turns up.
    const small = plantedData({ nUsers: 30, nMovies: 20, observedShare: 0.3, noise: 0.3, seed: 9 });
    const overfit = { ...hyper, factors: 20, regularization: 0, learningRate: 0.05, learningRateDecay: 1, initStd: 0.3, patience: 3, maxEpochs: 500 };
    const result = trainMf(small.observed, small.heldOut, overfit);
    expect(result.epochsRun).toBeLessThan(500);
    expect(result.epochsRun - result.bestEpoch).toBe(3);
    const rmses = result.history.map((e) => e.validationRmse!);
    expect(result.bestValidationRmse).toBe(Math.min(...rmses));
    expect(rmses[result.bestEpoch - 1]).toBe(result.bestValidationRmse);
    // The returned parameters are those of the best epoch, not of the last one.
    expect(heldOutRmse(result.model, small.heldOut)).toBeCloseTo(result.bestValidationRmse!, 10);
    expect(rmses[rmses.length - 1]).toBeGreaterThan(result.bestValidationRmse!);
  });

  it('when a held-out user or movie is unknown to train, then prediction falls back through the biases', () => {
    const result = trainMf(planted.observed, null, { ...hyper, maxEpochs: 3 });
    const m = result.model;
    expect(predictRating(m, -1, 0)).toBeCloseTo(Math.min(5, Math.max(0.5, m.globalMean + m.movieBias[0])), 6);
    expect(result.indexing.users.indexOf(999_999)).toBe(-1);
  });
});

describe('the baseline kept by the trainers', () => {
  it('when trainMf and trainSvdpp return their starting baseline, then it is bit for bit the fallback fitFallbackBiases fits on the same ratings', () => {
    const planted = plantedData({ nUsers: 30, nMovies: 20, seed: 6 });
    const hyper = {
      seed: 1,
      factors: 3,
      maxEpochs: 2,
      learningRate: 0.01,
      learningRateDecay: 1,
      regularization: 0.05,
      biasRegularization: 0.01,
      initStd: 0.1,
      patience: 2,
    };
    for (const result of [trainMf(planted.observed, null, hyper), trainSvdpp(planted.observed, null, { ...DEFAULT_SVDPP, ...hyper })]) {
      const fitted = fitFallbackBiases(planted.observed, result.model);
      expect(result.baseline!.globalMean).toBe(fitted.globalMean);
      expect(Array.from(result.baseline!.userBias)).toEqual(Array.from(fitted.userBias));
      expect(Array.from(result.baseline!.movieBias)).toEqual(Array.from(fitted.movieBias));
    }
  });

  it("when the baseline row is built from a fit's kept baseline, then it is bit for bit the model fitBaseline fits on the same ratings", () => {
    const planted = plantedData({ nUsers: 40, nMovies: 25, seed: 8 });
    const hyper = {
      seed: 2,
      factors: 3,
      maxEpochs: 2,
      learningRate: 0.01,
      learningRateDecay: 1,
      regularization: 0.05,
      biasRegularization: 0.01,
      initStd: 0.1,
      patience: 2,
    };
    const result = trainMf(planted.observed, planted.heldOut, hyper);
    const reused = baselineOfFit(result.indexing, result.baseline!);
    const fitted = fitBaseline(planted.observed);
    expect(reused.globalMean).toBe(fitted.globalMean);
    expect(Array.from(reused.userIds)).toEqual(Array.from(fitted.userIds));
    expect(Array.from(reused.movieIds)).toEqual(Array.from(fitted.movieIds));
    expect(Array.from(reused.userBias)).toEqual(Array.from(fitted.userBias));
    expect(Array.from(reused.movieBias)).toEqual(Array.from(fitted.movieBias));
    expect(reused.factors).toBe(fitted.factors);
    // The SGD epochs moved the model's own biases, not the kept baseline's.
    expect(Array.from(result.model.userBias)).not.toEqual(Array.from(fitted.userBias));
  });
});
