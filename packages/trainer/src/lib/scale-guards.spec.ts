import { loadConfig } from '@reelrank/config';
import { implicitSettings, resolveRatingModel } from './training-plan.js';
import { initTensorFlow } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { prepareEvaluation } from './evaluate.js';
import { everyNthUser, fitRanker, sampleUsers, tuneBlendWeights } from './ranking-blend.js';
import { trainMf } from './train-mf.js';

/** The committed ranker settings (config/training.json), without env overrides. */
const COMMITTED = loadConfig({ env: {} }).training;
const DEFAULT_IMPLICIT = implicitSettings(COMMITTED);
const GRID = COMMITTED.ranker;

describe('resolveRatingModel', () => {
  it('when the setting is auto, then SVD++ is used up to 5M ratings and plain MF (parallel kernel) above', () => {
    expect(resolveRatingModel('auto', 100_836, 5_000_000)).toBe('svdpp');
    expect(resolveRatingModel('auto', 20_000_263, 5_000_000)).toBe('mf');
    expect(resolveRatingModel('mf', 10, 5_000_000)).toBe('mf');
    expect(resolveRatingModel('svdpp', 20_000_263, 5_000_000)).toBe('svdpp');
  });
});

describe('everyNthUser', () => {
  it('when there are more users than the cap, then an evenly spaced aligned subset is kept; otherwise all', () => {
    const relevant = {
      users: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      knownRelevant: Array.from({ length: 10 }, (_, u) => Int32Array.from([u])),
      relevantCount: Int32Array.from({ length: 10 }, (_, u) => u + 1),
      skippedUnknownUserRows: 3,
    };
    const subset = everyNthUser(relevant, 4);
    expect(Array.from(subset.users)).toEqual([0, 2, 5, 7]);
    expect(subset.knownRelevant.map((k) => k[0])).toEqual([0, 2, 5, 7]);
    expect(Array.from(subset.relevantCount)).toEqual([1, 3, 6, 8]);
    expect(everyNthUser(relevant, 10)).toBe(relevant);
  });
});

describe('sampleUsers', () => {
  const relevant = {
    users: Int32Array.from({ length: 100 }, (_, j) => 3 * j),
    knownRelevant: Array.from({ length: 100 }, (_, j) => Int32Array.from([j])),
    relevantCount: Int32Array.from({ length: 100 }, (_, j) => j + 1),
    skippedUnknownUserRows: 2,
  };

  it('when there are more users than the cap, then a seeded, ascending, aligned sample of exactly the cap is kept; the same seed gives the same sample', () => {
    const a = sampleUsers(relevant, 10, 42);
    expect(a.users.length).toBe(10);
    expect(Array.from(a.users)).toEqual(Array.from(a.users).sort((x, y) => x - y));
    a.users.forEach((u, j) => {
      expect(a.knownRelevant[j][0]).toBe(u / 3);
      expect(a.relevantCount[j]).toBe(u / 3 + 1);
    });
    expect(Array.from(sampleUsers(relevant, 10, 42).users)).toEqual(Array.from(a.users));
    expect(Array.from(sampleUsers(relevant, 10, 7).users)).not.toEqual(Array.from(a.users));
    expect(sampleUsers(relevant, 100, 42)).toBe(relevant);
  });
});

describe('tuneBlendWeights at scale', () => {
  it('when users are scored in small batches or the catalogue is pruned to reachable movies, then every grid point equals the one-batch exhaustive result (no users x movies block needed)', async () => {
    const { tf } = await initTensorFlow();
    const planted = plantedData({ nUsers: 60, nMovies: 40, seed: 8 });
    const mf = trainMf(planted.observed, null, {
      seed: 1,
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
    const { ranking } = fitRanker(data, mf, { ...DEFAULT_IMPLICIT, factors: 4, sweeps: 3 }, { implicit: 1, rating: 0, popularity: 0 });
    const whole = tuneBlendWeights(tf, data, mf, ranking, 5, GRID, { batchSize: 1000 });
    const batched = tuneBlendWeights(tf, data, mf, ranking, 5, GRID, { batchSize: 7 });
    expect(batched.weights).toEqual(whole.weights);
    batched.grid.forEach((g, j) => expect(g.ndcg).toBeCloseTo(whole.grid[j].ndcg, 10));
    // The pruned ranking (only movies that can reach a top K) gives exactly the exhaustive grid.
    const exhaustive = tuneBlendWeights(tf, data, mf, ranking, 5, GRID, { exhaustive: true });
    expect(whole.weights).toEqual(exhaustive.weights);
    whole.grid.forEach((g, j) => {
      expect(g).toMatchObject({ rating: exhaustive.grid[j].rating, popularity: exhaustive.grid[j].popularity });
      expect(g.ndcg).toBeCloseTo(exhaustive.grid[j].ndcg, 12);
      expect(g.precision).toBeCloseTo(exhaustive.grid[j].precision, 12);
    });
    const sampled = tuneBlendWeights(tf, data, mf, ranking, 5, GRID, { maxUsers: 10, seed: 3 });
    expect(sampled.users).toBe(10);
    expect(sampled.ofUsers).toBe(data.relevant.users.length);
  });
});
