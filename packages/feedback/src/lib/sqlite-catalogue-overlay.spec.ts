import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { catalogueOverlayContract } from '../testing/catalogue-overlay-contract';
import { openSqliteCatalogueOverlay, readSqliteCatalogueOverlay } from './sqlite-catalogue-overlay';
import { openSqliteRatingsStore } from './sqlite-ratings-store';

catalogueOverlayContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-overlay-'));
  return {
    open: () => openSqliteCatalogueOverlay(join(dir, 'ratings.db')),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('the SQLite catalogue overlay', () => {
  it('lives in the ratings file next to the posted ratings, where the train stage reads it without a writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-overlay-'));
    const path = join(dir, 'ml.ratings.db');
    try {
      const ratings = openSqliteRatingsStore(path);
      const overlay = openSqliteCatalogueOverlay(path);
      const added = await overlay.add({ title: 'New (2026)', year: 2026, genres: ['Drama'] }, 11, 'key:1');
      await ratings.put([{ userId: 1, movieId: added.movieId, rating: 4 }]);
      await overlay.close();
      await ratings.close();
      expect(readSqliteCatalogueOverlay(path)).toEqual([added]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a ratings file written before the overlay existed as having none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-overlay-'));
    const path = join(dir, 'old.ratings.db');
    try {
      new Database(path).exec('CREATE TABLE ratings (id INTEGER PRIMARY KEY)').close();
      expect(readSqliteCatalogueOverlay(path)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
