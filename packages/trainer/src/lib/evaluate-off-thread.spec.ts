import { loadConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { initialisedModel, plantedData } from '../testing/planted-data.js';
import { evaluateMfModel, prepareEvaluation } from './evaluate.js';
import { evaluateOffThread, itemsOfUsers } from './evaluate-off-thread.js';
import { evaluateRanker, fitRanker } from './ranking-blend.js';
import { implicitSettings, planModels } from './training-plan.js';
import { evaluateOnSplit } from './evaluate-split.js';

describe('evaluateOffThread', () => {
  const planted = plantedData({ nUsers: 70, nMovies: 50, seed: 5, observedShare: 0.5 });
  const data = prepareEvaluation(planted.observed, planted.heldOut);
  // Random factors: the figures only need to be the same on both threads.
  const mf = initialisedModel(planted.observed, 3).model;

  it('when a row is evaluated on a worker thread, then every figure equals the one this thread computes', async () => {
    const { tf, backend } = await initTensorFlow();
    const here = evaluateMfModel('mf', mf, data, { tf, k: 5, fitSeconds: 1.5, batchSize: 9 });
    const there = await evaluateOffThread({ kind: 'mf', name: 'mf', model: mf }, data, { backend, k: 5, fitSeconds: 1.5, batchSize: 9 });
    expect(here.ndcgAtK).toBeGreaterThan(0);
    expect({ ...there, evalSeconds: 0 }).toEqual({ ...here, evalSeconds: 0 });
  });

  it('when the served ranker (with EASE) is evaluated on a worker thread, then every figure equals the one this thread computes', async () => {
    const { tf, backend } = await initTensorFlow();
    const blend = { implicit: 1, rating: 0.1, popularity: 0.02, ease: 1 };
    const { ranking } = fitRanker(data, mf, { ...implicitSettings(loadConfig({ env: {} }).training), factors: 3, sweeps: 2 }, blend, undefined, {
      lambda: 5,
      maxMovies: 20,
    });
    expect(ranking.ease).toBeDefined();
    const here = evaluateRanker('served', mf, ranking, data, { tf, k: 5, fitSeconds: 2, batchSize: 9 });
    const there = await evaluateOffThread({ kind: 'ranker', name: 'served', ratingModel: mf, ranking }, data, {
      backend,
      k: 5,
      fitSeconds: 2,
      batchSize: 9,
    });
    expect(here.ndcgAtK).toBeGreaterThan(0);
    expect({ ...there, evalSeconds: 0 }).toEqual({ ...here, evalSeconds: 0 });
  });

  it('when the train items are reduced to some users, then those users keep their movies and the others have none', () => {
    const users = Int32Array.from([1, 4, 5]);
    const reduced = itemsOfUsers(data.trainItems, users);
    const full = data.trainItems;
    for (let u = 0; u < full.offsets.length - 1; u++) {
      const movies = reduced.movies.subarray(reduced.offsets[u], reduced.offsets[u + 1]);
      expect(Array.from(movies)).toEqual(users.includes(u) ? Array.from(full.movies.subarray(full.offsets[u], full.offsets[u + 1])) : []);
    }
  });

  it("when evaluateOnSplit scores the rating model's row on a worker (above parallelMinRatings), then the table lists every row in the on-thread order, the blended row after it", async () => {
    await initTensorFlow();
    const training = loadConfig({ env: {} }).training;
    const config = { ...training, factors: 3, maxEpochs: 3, patience: 3, rankingK: 5, evaluationMaxUsers: 1000, threads: 2 };
    const implicit = { ...implicitSettings(training), factors: 3, sweeps: 2 };
    const rows = async (parallelMinRatings: number) => {
      const hyper = { ...config, parallelMinRatings };
      const plan = planModels(hyper, planted.observed.ratings.length, {
        ratingModel: 'mf',
        implicit,
        ease: false,
        neighbourhood: { k: 5, candidates: 10, shrinkage: 10, minCommon: 2 },
      });
      const { report } = await evaluateOnSplit(planted.observed, planted.heldOut, hyper, { plan, refit: false, scorer: 'typed-array' });
      return report.models.map((m) => m.model);
    };
    const offThread = await rows(0);
    expect(offThread).toEqual(await rows(Number.MAX_SAFE_INTEGER));
    expect(offThread).toEqual([
      'global mean',
      'baseline (mu + b_u + b_i, ALS)',
      'most-rated (popularity)',
      'biased MF (SGD)',
      'biased MF (SGD) + item kNN on baseline residuals',
      'served ranking (MF + implicit ALS + popularity)',
    ]);
  });

  it('when the backend is not one initTensorFlow can pick, then the promise rejects naming it', async () => {
    await expect(evaluateOffThread({ kind: 'mf', name: 'mf', model: mf }, data, { backend: 'webgl', k: 5, fitSeconds: 0 })).rejects.toThrow(
      'backend webgl',
    );
  });
});
