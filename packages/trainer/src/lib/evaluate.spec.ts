import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computePopularity,
  initTensorFlow,
  loadModelArtifacts,
  predictRating,
  saveModelArtifacts,
  scoreAllMovies,
  TensorScorer,
  type MfModel,
} from '@reelrank/model';
import type { RatingsColumns } from './ratings.js';
import { plantedData } from '../testing/planted-data.js';
import { evaluateMfModel, evaluateMostRated, prepareEvaluation } from './evaluate.js';
import { trainMf, type MfHyperParameters } from './train-mf.js';

const hyper: MfHyperParameters = {
  seed: 1,
  factors: 6,
  maxEpochs: 40,
  learningRate: 0.02,
  learningRateDecay: 0.98,
  regularization: 0.02,
  biasRegularization: 0.01,
  initStd: 0.1,
  patience: 5,
};

/**
 * A model small enough to score by hand: users 1..3, movies 10..50, one factor, μ = 3,
 * score(u, i) = 3 + b_u + b_i + p_u q_i. User 3 only adds train ratings (no test rows).
 */
function handModel() {
  const columns = (rows: [number, number, number][]): RatingsColumns => ({
    userIds: Int32Array.from(rows.map((r) => r[0])),
    movieIds: Int32Array.from(rows.map((r) => r[1])),
    ratings: Float32Array.from(rows.map((r) => r[2])),
    timestamps: new Float64Array(rows.length),
  });
  const train = columns([
    [1, 10, 4],
    [1, 20, 3],
    [2, 10, 5],
    [2, 30, 2],
    [3, 20, 2],
    [3, 30, 3],
    [3, 40, 3],
    [3, 50, 4],
  ]);
  const test = columns([
    [1, 30, 4.5],
    [1, 50, 2],
    [2, 20, 4],
    [2, 40, 5],
  ]);
  const model: MfModel = {
    factors: 1,
    globalMean: 3,
    userIds: Int32Array.from([1, 2, 3]),
    movieIds: Int32Array.from([10, 20, 30, 40, 50]),
    userBias: Float32Array.from([0.5, -0.5, 0]),
    movieBias: Float32Array.from([0.2, -0.3, 0.1, 0, 0.3]),
    userFactors: Float32Array.from([1, 2, 0]),
    movieFactors: Float32Array.from([0.5, -1, 0.25, 0.4, -0.2]),
  };
  return { train, test, model };
}

describe('evaluation through the shared scoring code', () => {
  const hand = handModel();
  const planted = plantedData({ nUsers: 40, nMovies: 30, seed: 3 });
  const trained = trainMf(planted.observed, null, hyper).model;

  it('when users are scored in a TF.js batch, then the scores match scoreAllMovies within 1e-4', async () => {
    const { tf } = await initTensorFlow();
    const scorer = new TensorScorer(tf, trained);
    const users = Int32Array.from([0, 7, 19, 39]);
    const batch = scorer.scoreUsers(users);
    scorer.dispose();
    const nMovies = trained.movieIds.length;
    const row = new Float32Array(nMovies);
    users.forEach((u, b) => {
      scoreAllMovies(trained, u, row);
      for (let i = 0; i < nMovies; i++) expect(Math.abs(batch[b * nMovies + i] - row[i])).toBeLessThan(1e-4);
    });
  });

  it('when a model is evaluated, then RMSE, MAE and the top-K metrics equal values computed by hand', async () => {
    const { tf } = await initTensorFlow();
    const data = prepareEvaluation(hand.train, hand.test);
    const result = evaluateMfModel('mf', hand.model, data, { tf, k: 2, fitSeconds: 0 });
    // Errors 4.5 - 3.85, 2 - 3.6, 4 - 0.5 (0.2 clipped to 0.5), 5 - 3.3: see handModel().
    expect(result.rmse).toBeCloseTo(Math.sqrt((0.65 ** 2 + 1.6 ** 2 + 3.5 ** 2 + 1.7 ** 2) / 4), 5); // 2.128527
    expect(result.mae).toBeCloseTo((0.65 + 1.6 + 3.5 + 1.7) / 4, 5); // 1.8625
    // User 1 gets [40, 30] (relevant {30}); user 2 gets [40, 50] (relevant {20, 40}).
    expect(result.precisionAtK).toBeCloseTo(0.5, 6);
    expect(result.recallAtK).toBeCloseTo((1 + 0.5) / 2, 6);
    expect(result.ndcgAtK).toBeCloseTo((1 / Math.log2(3) + 1 / (1 + 1 / Math.log2(3))) / 2, 5); // 0.622038
    expect(result.coverage).toBeCloseTo(3 / 5, 6);
  });

  it('when the most-rated list is evaluated, then its top-K metrics equal values computed by hand', () => {
    const data = prepareEvaluation(hand.train, hand.test);
    const popular = evaluateMostRated(data, { k: 2 });
    // Train counts 10:2 20:2 30:2 40:1 50:1, ties by id: user 1 gets [30, 40], user 2 gets [20, 40].
    expect(popular.rmse).toBeNull();
    expect(popular.precisionAtK).toBeCloseTo((0.5 + 1) / 2, 6);
    expect(popular.recallAtK).toBeCloseTo(1, 6);
    expect(popular.ndcgAtK).toBeCloseTo(1, 6);
  });

  it('when ranking metrics are computed with TF.js batches or per-user typed arrays, then they agree', async () => {
    const { tf } = await initTensorFlow();
    const data = prepareEvaluation(planted.observed, planted.heldOut);
    const tensor = evaluateMfModel('mf', trained, data, { tf, k: 5, fitSeconds: 0, batchSize: 7 });
    const typed = evaluateMfModel('mf', trained, data, { tf, k: 5, fitSeconds: 0, scorer: 'typed-array' });
    expect(typed.precisionAtK).toBeCloseTo(tensor.precisionAtK!, 10);
    expect(typed.ndcgAtK).toBeCloseTo(tensor.ndcgAtK!, 10);
    expect(typed.coverage).toBeCloseTo(tensor.coverage!, 10);
  });

  it("when given the fit of the same train ratings, then prepareEvaluation reuses its indexed rows and prepares what a fresh preparation does; another set's fit is not used", () => {
    const fit = trainMf(planted.observed, null, { ...hyper, maxEpochs: 2 });
    const fresh = prepareEvaluation(planted.observed, planted.heldOut);
    const reused = prepareEvaluation(planted.observed, planted.heldOut, fit);
    expect(reused.train).toBe(fit.indexed);
    expect(reused.indexing).toBe(fit.indexing);
    expect(reused.train.users).toEqual(fresh.train.users);
    expect(reused.train.movies).toEqual(fresh.train.movies);
    expect(reused.test).toEqual(fresh.test);
    expect(reused.trainItems).toEqual(fresh.trainItems);
    expect(reused.relevant).toEqual(fresh.relevant);
    const other = trainMf(planted.heldOut, null, { ...hyper, maxEpochs: 1 });
    expect(prepareEvaluation(planted.observed, planted.heldOut, other).train).not.toBe(other.indexed);
  });

  it('when a trained model is saved and loaded, then every prediction is identical', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-roundtrip-'));
    try {
      saveModelArtifacts(dir, {
        model: trained,
        popularity: computePopularity(planted.observed, { minRatings: 5, priorWeight: 10 }),
        manifest: { dataset: 'synthetic', createdAt: 'now', dataHash: 'x', backend: 'cpu', hyperParameters: {}, training: {}, metrics: {} },
        metricsReport: {},
      });
      const loaded = loadModelArtifacts(dir).model;
      expect(Array.from(loaded.userIds)).toEqual(Array.from(trained.userIds));
      for (let u = -1; u < trained.userIds.length; u++) {
        for (let i = -1; i < trained.movieIds.length; i++) expect(predictRating(loaded, u, i)).toBe(predictRating(trained, u, i));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
