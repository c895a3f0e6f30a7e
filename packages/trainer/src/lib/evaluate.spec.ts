import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computePopularity, initTensorFlow, loadModelArtifacts, predictRating, saveModelArtifacts, scoreAllMovies, TensorScorer } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { evaluateMfModel, evaluateMostRated, prepareEvaluation } from './evaluate.js';
import { trainMf, type MfHyperParameters } from './train-mf.js';

const hyper: MfHyperParameters = {
  seed: 1, factors: 6, maxEpochs: 40, learningRate: 0.02, learningRateDecay: 0.98, regularization: 0.02, biasRegularization: 0.01, initStd: 0.1, patience: 5,
};

describe('evaluation through the shared scoring code', () => {
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

  it('when a model is evaluated, then RMSE and MAE equal those of predictRating row by row', async () => {
    const { tf } = await initTensorFlow();
    const data = prepareEvaluation(planted.observed, planted.heldOut);
    const result = evaluateMfModel('mf', trained, data, { tf, k: 5, fitSeconds: 0 });
    let se = 0;
    let ae = 0;
    for (let r = 0; r < data.test.ratings.length; r++) {
      const e = data.test.ratings[r] - predictRating(trained, data.test.users[r], data.test.movies[r]);
      se += e * e;
      ae += Math.abs(e);
    }
    expect(result.rmse).toBeCloseTo(Math.sqrt(se / data.test.ratings.length), 10);
    expect(result.mae).toBeCloseTo(ae / data.test.ratings.length, 10);
    expect(result.precisionAtK).toBeGreaterThanOrEqual(0);
    expect(result.ndcgAtK).toBeLessThanOrEqual(1);
    const popular = evaluateMostRated(data, { k: 5 });
    expect(popular.rmse).toBeNull();
    expect(popular.precisionAtK).toBeGreaterThanOrEqual(0);
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
