import { plantedData } from '../testing/planted-data.js';
import { splitGateHoldout } from './gate-holdout.js';
import { prepareGateData } from './gate-scoring.js';
import { concatColumns } from './ratings.js';

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

  it('when maxUsers is at least the users, then every user is kept', () => {
    const every = prepareGateData(rest, holdout, 5);
    expect(prepareGateData(rest, holdout, 5, { maxUsers: 10_000, seed: 11 }).relevant.users).toEqual(every.relevant.users);
  });
});
