import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteRatingsStore } from '@reelrank/feedback';
import { plantedRecommender } from '../__fixtures__/fixtures.js';
import { FreshUsers } from './fresh-users.js';

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
    const folds = jest.spyOn(recommender, 'foldUser');
    const failing = jest.spyOn(store, 'userVersion');
    await fresh.folded(recommender, 1);
    expect(failing).not.toHaveBeenCalled(); // within retryMs of the failure: memory only
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await fresh.folded(recommender, 1)).toBe(cached);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(folds).not.toHaveBeenCalled();
  });
});
