import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteRatingsStore } from '@reelrank/feedback';
import { plantedRecommender } from '../__fixtures__/fixtures.js';
import { FreshUsers, MUST_ASK } from './fresh-users.js';

describe('FreshUsers while the ratings store fails', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'reelrank-fresh-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers from memory: a cached fold stays, others get the trained answer; the store is asked again after retryMs', async () => {
    const recommender = plantedRecommender();
    const store = openSqliteRatingsStore(join(dir, 'r.ratings.db'));
    const fresh = new FreshUsers(store, 100, 50);
    await store.put([
      { userId: 1, movieId: 60, rating: 5 },
      { userId: 2, movieId: 60, rating: 5 },
    ]);
    const cached = await fresh.folded(recommender, 1);
    expect(cached).toBeDefined();
    expect(fresh.storeError).toBeUndefined();
    await store.close(); // every read of it fails from now on: a server that went away
    expect(await fresh.folded(recommender, 1)).toBe(cached);
    expect(fresh.storeError?.message).toMatch(/not open/);
    expect(await fresh.folded(recommender, 2)).toBeUndefined(); // posted, never folded here: the trained answer
    const folds = jest.spyOn(recommender, 'foldUserSteps');
    const failing = jest.spyOn(store, 'userVersion');
    await fresh.folded(recommender, 1);
    expect(failing).not.toHaveBeenCalled(); // within retryMs of the failure: memory only
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await fresh.folded(recommender, 1)).toBe(cached);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(folds).not.toHaveBeenCalled();
  });
});

describe('FreshUsers with a bound on the ratings one fold uses', () => {
  it('folds the newest maxRatings posted ratings (by the order posted) and still never recommends the older ones', async () => {
    const recommender = plantedRecommender();
    const store = openSqliteRatingsStore(':memory:');
    const fresh = new FreshUsers(store, 100, 1_000, 2);
    await store.put([{ userId: 4242, movieId: 30, rating: 5 }]);
    await store.put([{ userId: 4242, movieId: 60, rating: 1 }]);
    await store.put([{ userId: 4242, movieId: 20, rating: 2 }]); // newest two: 60 and 20
    const folds = jest.spyOn(recommender, 'foldUserSteps');
    const folded = (await fresh.folded(recommender, 4242))!;
    expect(folded.usable).toBe(2);
    expect(folds.mock.calls[0][1].map((r) => r.movieId).sort()).toEqual([20, 60]);
    expect(folded.ratedIds.sort()).toEqual([20, 30, 60]);
    const shown = recommender.recommendFolded(folded, { n: 10 }).recommendations.map((m) => m.movie_id);
    expect(shown).not.toContain(30);
    await store.close();
  });
});

describe('FreshUsers.foldedNow', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'reelrank-fresh-now-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers at once only what folded() would: nothing posted, or the cached fold of an unchanged user; else it must ask', async () => {
    const recommender = plantedRecommender();
    const store = openSqliteRatingsStore(join(dir, 'r.ratings.db'));
    const other = openSqliteRatingsStore(join(dir, 'r.ratings.db')); // another process on the same file
    const fresh = new FreshUsers(store);
    expect(fresh.foldedNow(recommender, 1)).toBeUndefined(); // posted nothing: the trained answer
    await other.put([{ userId: 1, movieId: 60, rating: 5 }]);
    expect(fresh.foldedNow(recommender, 1)).toBe(MUST_ASK); // posted, not folded yet
    const folded = await fresh.folded(recommender, 1);
    expect(folded).toBeDefined();
    expect(fresh.foldedNow(recommender, 1)).toBe(folded);
    expect(fresh.foldedNow(plantedRecommender(), 1)).toBe(MUST_ASK); // another model: its own folds
    await other.put([{ userId: 1, movieId: 20, rating: 1 }]);
    expect(fresh.foldedNow(recommender, 1)).toBe(MUST_ASK); // the user posted since
    await other.forgetUser(1);
    expect(fresh.foldedNow(recommender, 1)).toBeUndefined();
    await store.close();
    expect(fresh.foldedNow(recommender, 2)).toBe(MUST_ASK); // a failing store: folded() decides
    await other.close();
  });

  it('must always ask a store that cannot answer without waiting', async () => {
    const store = openSqliteRatingsStore(':memory:');
    const { userVersionNow: _, ...asyncOnly } = store;
    const fresh = new FreshUsers(Object.assign(Object.create(Object.getPrototypeOf(store)), asyncOnly));
    expect(fresh.foldedNow(plantedRecommender(), 1)).toBe(MUST_ASK);
    await store.close();
  });
});
