import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadPostgresDatabase } from '@reelrank/database';
import { openPostgresRatingsStore, openSqliteRatingsStore } from '@reelrank/feedback';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, readRatings, tempWorkspace } from '@reelrank/ingest/testing';
import { loadModelArtifacts } from '@reelrank/model';
import { runTraining } from '@reelrank/trainer';
import { freshDatabase } from './postgres-test-db';

// "Training reads from it": with DATABASE_URL set, the train stage takes the posted
// ratings from the PostgreSQL store (not the SQLite file, which is also present here and must be ignored).
describe('the train stage with DATABASE_URL set', () => {
  const quiet = () => undefined;
  let db: { url: string; drop(): Promise<void> };
  let config: AppConfig;

  beforeAll(async () => {
    db = await freshDatabase();
    const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 11 });
    config = loadConfig({
      root: tempWorkspace(),
      env: { MOVIELENS_SOURCE: source, DATABASE_URL: db.url },
      overrides: { training: { maxEpochs: 4, factors: 4, ratingModel: 'mf' } },
    });
    await runIngest(config, { log: quiet });
    // With DATABASE_URL the database stage loads the catalogue into PostgreSQL (and the API and training read it there).
    await loadPostgresDatabase({ processedDir: config.paths.processedDir, databaseUrl: db.url, dataset: config.dataset.dataset, log: quiet });
  });
  afterAll(() => db?.drop());

  it('when ratings were posted to PostgreSQL, then the run trains on them and records the store version it read', async () => {
    expect(config.storage.databaseUrl).toBe(db.url);
    const [firstUser, firstMovie, firstRating] = readRatings(config.paths.processedDir)[0];
    const replacement = firstRating === 0.5 ? 5 : 0.5;
    // A SQLite store at the default path with a user of its own: with DATABASE_URL set it is not read.
    const sqlite = openSqliteRatingsStore(config.paths.ratingsDbPath);
    await sqlite.put([{ userId: 800_001, movieId: firstMovie, rating: 4 }]);
    await sqlite.close();

    const store = openPostgresRatingsStore(db.url);
    try {
      await store.put([
        { userId: firstUser, movieId: firstMovie, rating: replacement },
        { userId: 900_001, movieId: firstMovie, rating: 5 },
        { userId: 900_001, movieId: 424_242, rating: 5 }, // not in the catalogue: skipped, counted
      ]);
      const version = await store.version();
      expect(version.count).toBe(3);

      const lines: string[] = [];
      const { manifest } = await runTraining(config, { log: (line) => lines.push(line), implicit: false });
      const users = Array.from(loadModelArtifacts(config.paths.modelDir).model.userIds);
      expect(users).toContain(900_001);
      expect(users).not.toContain(800_001);
      expect(manifest.training.posted).toEqual({
        ...version,
        replaced: 1,
        added: 1,
        newUsers: 1,
        skippedUnknownMovies: 1,
        droppedByIdentityCap: 0,
        identityCaps: expect.objectContaining({ cappedIdentityCount: 0, cappedIdentities: [] }),
      });
      expect(lines).toContain(`[train] posted ratings: 3 read (newest id ${version.newestId}); 1 replaced the data set's, 1 added, 1 new users`);
    } finally {
      await store.close();
    }
  });
});
