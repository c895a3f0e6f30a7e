import { plantedData } from '../testing/planted-data.js';
import { splitGateHoldout } from './gate-holdout.js';
import { initTensorFlow, type MfModel } from '@reelrank/model';
import { coldStartPopularity } from './baselines.js';
import { prepareGateData, scoreOnGate } from './gate-scoring.js';
import { trainMf } from './train-mf.js';
import { concatColumns } from './ratings.js';
import { groupByUser, indexRatings, type UserItems } from './indexing.js';

describe('prepareGateData', () => {
  const planted = plantedData({ nUsers: 200, nMovies: 80, seed: 5 });
  const { rest, holdout } = splitGateHoldout(concatColumns(planted.observed, planted.heldOut), { holdoutShare: 0.1, seed: 7 });

  it('when the holdout has more users with a relevant rating than maxUsers, then NDCG is prepared for a seeded sample of them', () => {
    const every = prepareGateData(rest, holdout, 5);
    expect(every.relevant.users.length).toBeGreaterThan(30);
    const sampled = prepareGateData(rest, holdout, 5, { maxUsers: 30, seed: 11 });
    expect(sampled.relevant.users.length).toBe(30);
    const all = new Set(every.relevant.users);
    for (const u of sampled.relevant.users) expect(all.has(u)).toBe(true);
    // The same seed, the same users (the live model and the candidate are scored on one sample).
    expect(prepareGateData(rest, holdout, 5, { maxUsers: 30, seed: 11 }).relevant.users).toEqual(sampled.relevant.users);
    expect(prepareGateData(rest, holdout, 5, { maxUsers: 30, seed: 12 }).relevant.users).not.toEqual(sampled.relevant.users);
  });

  it("when NDCG is prepared for a sample, then each sampled user's rest ratings are grouped as they are in the whole rest, and no other user's", () => {
    const sampled = prepareGateData(rest, holdout, 5, { maxUsers: 30, seed: 11 });
    const whole = groupByUser(indexRatings(rest, sampled.indexing), sampled.indexing.users.ids.length);
    const rowOf = (items: UserItems, u: number) => Array.from(items.movies.subarray(items.offsets[u], items.offsets[u + 1]));
    const ratingsOf = (items: UserItems, u: number) => Array.from(items.ratings.subarray(items.offsets[u], items.offsets[u + 1]));
    const inSample = new Set(sampled.relevant.users);
    for (let u = 0; u < sampled.indexing.users.ids.length; u++) {
      if (inSample.has(u)) {
        expect(rowOf(whole, u).length).toBeGreaterThan(0);
        expect(rowOf(sampled.restItems, u)).toEqual(rowOf(whole, u));
        expect(ratingsOf(sampled.restItems, u)).toEqual(ratingsOf(whole, u));
      } else expect(rowOf(sampled.restItems, u)).toEqual([]);
    }
  });

  it('when maxUsers is at least the users, then every user is kept', () => {
    const every = prepareGateData(rest, holdout, 5);
    expect(prepareGateData(rest, holdout, 5, { maxUsers: 10_000, seed: 11 }).relevant.users).toEqual(every.relevant.users);
  });
});

describe('scoreOnGate', () => {
  const planted = plantedData({ nUsers: 120, nMovies: 60, seed: 9 });
  const { rest, holdout } = splitGateHoldout(concatColumns(planted.observed, planted.heldOut), { holdoutShare: 0.15, seed: 3 });
  const hyper = {
    seed: 1,
    factors: 4,
    maxEpochs: 6,
    learningRate: 0.02,
    learningRateDecay: 1,
    regularization: 0.05,
    biasRegularization: 0.02,
    initStd: 0.1,
    patience: 6,
  };

  it("when the model holds a movie no rating outside the holdout has, then that movie is never ranked and NDCG equals the model's without it", async () => {
    const { tf } = await initTensorFlow();
    const data = prepareGateData(rest, holdout, 5);
    const { model } = trainMf(rest, null, hyper);
    const popularity = coldStartPopularity(rest, { popularityMinRatings: 1, popularityPriorWeight: 1 });
    const plain = scoreOnGate(tf, { model, popularity }, data);
    expect(plain.ndcgAtK).toBeGreaterThan(0);
    // One more movie, first in id order (so every candidate moves by one), that would top everyone's list.
    const extraId = Math.min(...model.movieIds) - 1;
    const k = model.factors;
    const padded: MfModel = {
      ...model,
      movieIds: Int32Array.from([extraId, ...model.movieIds]),
      movieBias: Float32Array.from([100, ...model.movieBias]),
      movieFactors: Float32Array.from([...new Float32Array(k), ...model.movieFactors]),
    };
    const withExtra = scoreOnGate(tf, { model: padded, popularity }, data);
    expect(withExtra.ndcgAtK).toBeCloseTo(plain.ndcgAtK!, 12);
    expect(withExtra.users).toBe(plain.users);
  });
});
