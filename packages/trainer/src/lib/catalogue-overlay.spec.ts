import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadDatabase } from '@reelrank/database';
import { openSqliteCatalogueOverlay, openSqliteRatingsStore } from '@reelrank/feedback';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, tempWorkspace } from '@reelrank/ingest/testing';
import { loadModelArtifacts } from '@reelrank/model';
import { readTrainingData } from './read-training-data.js';
import { runTraining } from './run-training.js';

/** The train stage with the catalogue's overlay: movies added through the API train on their posted ratings; the overlay moves the data hash. */
describe('the train stage with the catalogue overlay (generated data, real stages, real store)', () => {
  let config: AppConfig;
  const quiet = () => undefined;

  beforeAll(async () => {
    const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 12 });
    config = loadConfig({
      root: tempWorkspace(),
      env: { MOVIELENS_SOURCE: source },
      overrides: { training: { maxEpochs: 3, factors: 4, ratingModel: 'mf' } },
    });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
  });

  it('when a movie was added and rated through the API and another hidden, then the run trains the new one and records the overlay', async () => {
    const before = await runTraining(config, { log: quiet, implicit: false });
    const data = readTrainingData(config.paths.dbPath);
    const maxId = Math.max(...data.movieIds);
    const overlay = openSqliteCatalogueOverlay(config.paths.ratingsDbPath);
    const ratings = openSqliteRatingsStore(config.paths.ratingsDbPath);
    try {
      const added = await overlay.add({ title: 'Posted Film (2026)', year: 2026, genres: ['Drama'] }, maxId + 1, 'key:1');
      await overlay.change(Math.min(...data.movieIds), { hidden: true }, 'key:1');
      await ratings.put([1, 2, 3, 4].map((userId) => ({ userId, movieId: added.movieId, rating: 4 })));
      const lines: string[] = [];
      const { manifest } = await runTraining(config, { log: (line) => lines.push(line), implicit: false });
      expect(Array.from(loadModelArtifacts(config.paths.modelDir).model.movieIds)).toContain(added.movieId);
      expect(manifest.training.posted).toMatchObject({ added: 4, skippedUnknownMovies: 0 });
      const metrics = JSON.parse(readFileSync(join(config.paths.modelDir, 'metrics.json'), 'utf8'));
      expect(metrics.training.catalogue).toEqual({ count: 2, newestRevision: 2, added: 1, hidden: 1 });
      expect(manifest.dataHash).not.toBe(before.manifest.dataHash);
      expect(lines).toContain('[train] catalogue overlay: 2 movie(s) (revision 2): 1 added through the API, 1 hidden');

      // Showing the hidden movie again is a new overlay state: a new data hash.
      await overlay.change(Math.min(...data.movieIds), { hidden: false }, 'key:1');
      const again = await runTraining(config, { log: quiet, implicit: false });
      expect(again.manifest.dataHash).not.toBe(manifest.dataHash);
    } finally {
      await overlay.close();
      await ratings.close();
    }
  });
});
