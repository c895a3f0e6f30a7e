import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { openSqliteCatalogueOverlay } from './sqlite-catalogue-overlay.js';
import { openSqliteRatingsStore } from './sqlite-ratings-store.js';

/** The train stage's Nx hash covers the catalogue's overlay through a runtime input (nx.json trainStage); run here around real writes. */
const root = join(__dirname, '../../../..');

describe('the catalogue overlay fingerprint (a runtime input of the train stage)', () => {
  const { REELRANK_RATINGS_DB: _outer, DATABASE_URL: _url, ...outer } = process.env;
  const workspace = mkdtempSync(join(tmpdir(), 'reelrank-overlay-fingerprint-'));
  cpSync(join(root, 'config'), join(workspace, 'config'), { recursive: true });
  const env = { ...outer, REELRANK_ROOT: workspace, REELRANK_DATASET: 'fingerprint' };
  const path = loadConfig({ env }).paths.ratingsDbPath;
  const fingerprint = () => execFileSync(process.execPath, ['tools/fingerprint-catalogue-overlay.mjs'], { cwd: root, env, encoding: 'utf8' }).trim();

  it('when movies are added, changed or hidden, then it changes; otherwise it stays; no store or no overlay is "none"', async () => {
    expect(fingerprint()).toBe('catalogue: none');
    const ratings = openSqliteRatingsStore(path);
    await ratings.put([{ userId: 1, movieId: 1, rating: 4 }]);
    await ratings.close();
    expect(fingerprint()).toBe('catalogue: none'); // ratings alone: the overlay is empty
    const overlay = openSqliteCatalogueOverlay(path);
    try {
      await overlay.add({ title: 'New', year: 2026, genres: [] }, 100, 'key:1');
      expect(fingerprint()).toBe('catalogue: 1 1');
      expect(fingerprint()).toBe('catalogue: 1 1'); // nothing changed: same key
      await overlay.change(100, { hidden: true }, 'key:1');
      expect(fingerprint()).toBe('catalogue: 1 2');
      await overlay.change(5, { title: 'Renamed' }, 'key:1');
      expect(fingerprint()).toBe('catalogue: 2 3');
    } finally {
      await overlay.close();
    }
    expect(existsSync(path)).toBe(true);
  });
});
