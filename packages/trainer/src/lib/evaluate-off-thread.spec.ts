import { loadConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { initialisedModel, plantedData } from '../testing/planted-data.js';
import { evaluateMfModel, prepareEvaluation } from './evaluate.js';
import { evaluateOffThread, itemsOfUsers } from './evaluate-off-thread.js';
import { evaluateRanker, fitRanker } from './ranking-blend.js';
import { implicitSettings } from './training-plan.js';

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

  it('when the backend is not one initTensorFlow can pick, then the promise rejects naming it', async () => {
    await expect(evaluateOffThread({ kind: 'mf', name: 'mf', model: mf }, data, { backend: 'webgl', k: 5, fitSeconds: 0 })).rejects.toThrow(
      'backend webgl',
    );
  });
});
