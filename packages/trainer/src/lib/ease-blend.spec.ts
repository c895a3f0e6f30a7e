import { loadConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { implicitSettings } from './training-plan.js';
import { prepareEvaluation } from './evaluate.js';
import { evaluateRanker, fitRanker, tuneBlendWeights } from './ranking-blend.js';
import { diversityAccumulator, diversitySweep } from './diversity-sweep.js';
import { trainMf } from './train-mf.js';

/** The committed ranker settings (config/training.json), without env overrides. */
const COMMITTED = loadConfig({ env: {} }).training;

describe('EASE in the ranker blend', () => {
  const planted = plantedData({ nUsers: 40, nMovies: 30, seed: 3 });
  const mf = trainMf(planted.observed, null, {
    seed: 1,
    factors: 4,
    maxEpochs: 20,
    learningRate: 0.02,
    learningRateDecay: 1,
    regularization: 0.02,
    biasRegularization: 0.01,
    initStd: 0.1,
    patience: 5,
  }).model;
  const data = prepareEvaluation(planted.observed, planted.heldOut);
  const implicit = { ...implicitSettings(COMMITTED), factors: 4, sweeps: 3 };
  const ease = { lambda: 5, maxMovies: 20 };

  it('when EASE settings are given, then the ranker carries B over the most-rated movies; with w_ease 0 it is not fitted', () => {
    const fitted = fitRanker(data, mf, implicit, { implicit: 1, rating: 0, popularity: 0 }, undefined, ease);
    expect(fitted.ranking.ease!.movies).toHaveLength(20);
    expect(fitted.ranking.ease!.weights).toHaveLength(400);
    expect(fitted.easeSeconds).toBeGreaterThan(0);
    const skipped = fitRanker(data, mf, implicit, { implicit: 1, rating: 0, popularity: 0, ease: 0 }, undefined, ease);
    expect(skipped.ranking.ease).toBeUndefined();
    expect(skipped.easeSeconds).toBe(0);
  });

  it.each([
    ['without EASE', null, [0]],
    ['with EASE', ease, [0, 1, 4]],
  ])(
    'when the grid is scored %s on 2 threads, then every grid figure and the chosen weights equal the single-thread ones',
    async (_, easeSettings, easeGrid) => {
      const { tf } = await initTensorFlow();
      const { ranking } = fitRanker(data, mf, implicit, { implicit: 1, rating: 0, popularity: 0 }, undefined, easeSettings);
      const grid = { ...COMMITTED.ranker, ease: { weightGrid: easeGrid } };
      // Batches of 7 users: several batches, the last one partial, each split in chunks between the workers.
      const single = tuneBlendWeights(tf, data, mf, ranking, 5, grid, { batchSize: 7, threads: 1 });
      const threaded = tuneBlendWeights(tf, data, mf, ranking, 5, grid, { batchSize: 7, threads: 2 });
      expect(single.users).toBeGreaterThan(14);
      expect(single.grid).toHaveLength(COMMITTED.ranker.ratingWeightGrid.length * easeGrid.length * COMMITTED.ranker.popularityWeightGrid.length);
      // Bit-identical figures in the same order, so ties are broken the same way.
      expect(threaded.grid).toEqual(single.grid);
      expect(threaded.weights).toEqual(single.weights);
      // The grid is not degenerate: its points rank the users differently.
      expect(new Set(single.grid.map((g) => g.ndcg)).size).toBeGreaterThan(1);
    },
  );

  it('when blend weights are tuned with EASE, then every w_ease is tried, the best point is chosen, and it equals a direct evaluation', async () => {
    const { tf } = await initTensorFlow();
    const { ranking } = fitRanker(data, mf, implicit, { implicit: 1, rating: 0, popularity: 0 }, undefined, ease);
    const grid = { ...COMMITTED.ranker, ease: { weightGrid: [0, 1, 4] } };
    const tuning = tuneBlendWeights(tf, data, mf, ranking, 5, grid);
    expect(new Set(tuning.grid.map((g) => g.ease))).toEqual(new Set([0, 1, 4]));
    expect(tuning.grid).toHaveLength(COMMITTED.ranker.ratingWeightGrid.length * 3 * COMMITTED.ranker.popularityWeightGrid.length);
    for (const g of tuning.grid) expect(g.ndcg).toBeLessThanOrEqual(tuning.grid[0].ndcg);
    expect(tuning.weights.ease).toBe(tuning.grid[0].ease);
    // The pruned search and ranking every movie for every point agree.
    const exhaustive = tuneBlendWeights(tf, data, mf, ranking, 5, grid, { exhaustive: true });
    expect(exhaustive.weights).toEqual(tuning.weights);
    expect(exhaustive.grid[0].ndcg).toBeCloseTo(tuning.grid[0].ndcg, 6);
    // The chosen point equals a direct evaluation of that blend, batched (TF.js) and per user alike.
    const chosen = { ...ranking, weights: tuning.weights };
    const single = evaluateRanker('r', mf, chosen, data, { tf, k: 5, fitSeconds: 0, scorer: 'typed-array' });
    const batched = evaluateRanker('r', mf, chosen, data, { tf, k: 5, fitSeconds: 0, batchSize: 7 });
    expect(single.ndcgAtK).toBeCloseTo(tuning.grid[0].ndcg, 5);
    expect(batched.ndcgAtK).toBeCloseTo(single.ndcgAtK!, 6);
    // So does a point where EASE dominates, whichever point won.
    const point = tuning.grid.find((g) => g.ease === 4 && g.rating === 0 && g.popularity === 0)!;
    const easeHeavy = { ...ranking, weights: { implicit: 1, rating: 0, popularity: 0, ease: 4 } };
    const direct = evaluateRanker('r', mf, easeHeavy, data, { tf, k: 5, fitSeconds: 0, batchSize: 7 });
    expect(direct.ndcgAtK).toBeCloseTo(point.ndcg, 5);
    const withoutEase = evaluateRanker('r', mf, { ...easeHeavy, weights: { ...easeHeavy.weights, ease: 0 } }, data, { tf, k: 5, fitSeconds: 0 });
    expect(withoutEase.ndcgAtK).not.toBeCloseTo(point.ndcg, 5);
  });

  it('when the diversity sweep reads the ranker evaluation score rows, then it equals the sweep that scores the users itself', async () => {
    const { tf } = await initTensorFlow();
    const { ranking } = fitRanker(data, mf, implicit, { implicit: 1, rating: 0.1, popularity: 0.02, ease: 1 }, undefined, ease);
    const shared = diversityAccumulator(mf, ranking, data, { k: 5 });
    const row = evaluateRanker('r', mf, ranking, data, {
      tf,
      k: 5,
      fitSeconds: 0,
      batchSize: 7,
      onRows: (users, rows) => shared.addBatch(users, rows),
    });
    expect(shared.users).toBe(data.relevant.users.length);
    expect(shared.finish()).toEqual(diversitySweep(mf, ranking, data, { tf, k: 5, batchSize: 7 }));
    expect(row.ndcgAtK).toBeGreaterThan(0);
  });
});
