import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experimentStoreContract } from '../testing/experiment-store-contract';
import { openSqliteExperimentStore } from './sqlite-experiment-store';
import { openSqliteRatingsStore } from './sqlite-ratings-store';

experimentStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-experiments-'));
  return { open: () => openSqliteExperimentStore(join(dir, 'ratings.db')), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe('the SQLite experiment store', () => {
  it('lives in the ratings file next to the ratings, and a running experiment survives reopening it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-experiments-'));
    const path = join(dir, 'ml.ratings.db');
    try {
      const ratings = openSqliteRatingsStore(path);
      const first = openSqliteExperimentStore(path);
      const started = await first.start({ name: 'x', controlVersion: 'a', challengerVersion: 'b', share: 0.1, seed: 1 });
      await ratings.put([{ userId: 1, movieId: 2, rating: 4 }]);
      await first.close();
      const again = openSqliteExperimentStore(path);
      expect(await again.running()).toEqual(started);
      await again.close();
      expect(await ratings.version()).toMatchObject({ count: 1 });
      await ratings.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
