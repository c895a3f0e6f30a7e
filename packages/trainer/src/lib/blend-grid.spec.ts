import { loadConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { implicitSettings } from './training-plan.js';
import { prepareEvaluation } from './evaluate.js';
import { fitRanker, tuneBlendWeights } from './ranking-blend.js';
import { stepThreads } from './train-threads.js';
import { trainMf } from './train-mf.js';

/** The committed ranker settings (config/training.json), without env overrides. */
const COMMITTED = loadConfig({ env: {} }).training;

describe('blend tuning on worker threads', () => {
  const planted = plantedData({ nUsers: 90, nMovies: 70, seed: 11, observedShare: 0.4 });
  const mf = trainMf(planted.observed, null, {
    seed: 2,
    factors: 4,
    maxEpochs: 10,
    learningRate: 0.02,
    learningRateDecay: 1,
    regularization: 0.02,
    biasRegularization: 0.01,
    initStd: 0.1,
    patience: 5,
  }).model;
  const data = prepareEvaluation(planted.observed, planted.heldOut);
  const implicit = { ...implicitSettings(COMMITTED), factors: 4, sweeps: 3 };

  it.each([
    ['without EASE', null, [0]],
    ['with EASE', { lambda: 5, maxMovies: 30 }, [0, 1, 4]],
  ])(
    'when the grid is scored %s on 2 threads, then every grid figure and the chosen weights equal the single-thread ones',
    async (_, ease, easeGrid) => {
      const { tf } = await initTensorFlow();
      const { ranking } = fitRanker(data, mf, implicit, { implicit: 1, rating: 0, popularity: 0 }, undefined, ease);
      const grid = { ...COMMITTED.ranker, ease: { weightGrid: easeGrid } };
      // Batches of 7 users: several batches, the last one partial, each split in chunks between the workers.
      const single = tuneBlendWeights(tf, data, mf, ranking, 5, grid, { batchSize: 7, threads: 1 });
      const threaded = tuneBlendWeights(tf, data, mf, ranking, 5, grid, { batchSize: 7, threads: 2 });
      expect(single.users).toBeGreaterThan(50);
      expect(single.grid).toHaveLength(COMMITTED.ranker.ratingWeightGrid.length * easeGrid.length * COMMITTED.ranker.popularityWeightGrid.length);
      // Bit-identical figures in the same order, so ties are broken the same way.
      expect(threaded.grid).toEqual(single.grid);
      expect(threaded.weights).toEqual(single.weights);
      // The grid is not degenerate: the points rank the users differently.
      expect(new Set(single.grid.map((g) => g.ndcg)).size).toBeGreaterThan(1);
      // Both equal the exhaustive search that ranks every movie for every point.
      const exhaustive = tuneBlendWeights(tf, data, mf, ranking, 5, grid, { exhaustive: true, threads: 2 });
      expect(exhaustive.weights).toEqual(single.weights);
      expect(exhaustive.grid[0].ndcg).toBeCloseTo(single.grid[0].ndcg, 6);
    },
  );

  it('when a step has fewer train ratings than parallelMinRatings, then it runs on one thread, else on the configured threads', () => {
    expect(stepThreads(99_999, { threads: 2, parallelMinRatings: 100_000 })).toBe(1);
    expect(stepThreads(100_000, { threads: 2, parallelMinRatings: 100_000 })).toBe(2);
    expect(stepThreads(100_000, { threads: null, parallelMinRatings: 0 })).toBeGreaterThanOrEqual(1);
  });
});
