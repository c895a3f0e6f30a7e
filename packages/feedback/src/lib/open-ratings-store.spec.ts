import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRatingsStore } from './open-ratings-store';

describe('openRatingsStore', () => {
  it('without a database URL, keeps the ratings in the SQLite file of the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-select-'));
    const path = join(dir, 'r.ratings.db');
    const selected = openRatingsStore({ storage: { databaseUrl: null }, paths: { ratingsDbPath: path } });
    try {
      expect(selected).toMatchObject({ kind: 'sqlite', location: path });
      await selected.store.put([{ userId: 1, movieId: 2, rating: 3 }]);
      expect(await selected.store.version()).toEqual({ count: 1, newestId: 1 });
    } finally {
      await selected.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a database URL, picks PostgreSQL without connecting yet, and never shows the password', async () => {
    const selected = openRatingsStore({
      storage: { databaseUrl: 'postgres://reel:s3cret@127.0.0.1:1/reelrank' },
      paths: { ratingsDbPath: '/never/used.db' },
    });
    expect(selected).toEqual({ kind: 'postgres', location: 'postgres://reel:***@127.0.0.1:1/reelrank', store: expect.anything() });
    // Nothing listens on port 1: the first operation fails with the reason; opening did not.
    await expect(selected.store.version()).rejects.toThrow(/ECONNREFUSED/);
    await selected.store.close();
  });
});
