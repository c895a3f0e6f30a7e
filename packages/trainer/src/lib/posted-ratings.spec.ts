import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadDatabase } from '@reelrank/database';
import { openSqliteRatingsStore, readSqliteRatingsSnapshot, type StoredRating } from '@reelrank/feedback';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, readRatings, tempWorkspace } from '@reelrank/ingest/testing';
import { loadModelArtifacts } from '@reelrank/model';
import { collectPostedRatings, dataHashWithPosted, mergePostedRatings } from './posted-ratings.js';
import type { RatingsColumns } from './ratings.js';
import { readTrainingData } from './read-training-data.js';
import { runTraining } from './run-training.js';
import { inGateHoldout } from './gate-holdout.js';

/** Retraining includes the posted ratings: the merge rule, the snapshot, and the train stage on real stage output. */

const columns = (rows: number[][]): RatingsColumns => ({
  userIds: Int32Array.from(rows, (r) => r[0]),
  movieIds: Int32Array.from(rows, (r) => r[1]),
  ratings: Float32Array.from(rows, (r) => r[2]),
  timestamps: Float64Array.from(rows, (r) => r[3]),
});
const rowsOf = (c: RatingsColumns) => Array.from(c.userIds, (u, i) => [u, c.movieIds[i], c.ratings[i], c.timestamps[i]]);
async function* stream(ratings: StoredRating[]) {
  yield* ratings;
}
const stored = (id: number, userId: number, movieId: number, rating: number, timestamp = 500, source = 'unknown'): StoredRating => ({
  id,
  userId,
  movieId,
  rating,
  timestamp,
  source,
  sourceAddress: 'unknown',
  postedAt: timestamp,
});

describe('mergePostedRatings', () => {
  const base = columns([
    [1, 10, 4, 100],
    [1, 20, 3, 100],
    [3, 10, 2, 100],
    [3, 30, 5, 100],
  ]);

  it('when a posted rating has a pair of the data set, then it replaces it; new pairs and users are added in (user, movie) order', async () => {
    const posted = await collectPostedRatings(
      stream([stored(7, 1, 20, 0.5), stored(4, 1, 25, 4.5), stored(9, 2, 10, 1), stored(3, 3, 40, 3)]),
      () => true,
    );
    const { columns: merged, summary } = mergePostedRatings(base, posted);
    expect(rowsOf(merged)).toEqual([
      [1, 10, 4, 100],
      [1, 20, 0.5, 500],
      [1, 25, 4.5, 500],
      [2, 10, 1, 500],
      [3, 10, 2, 100],
      [3, 30, 5, 100],
      [3, 40, 3, 500],
    ]);
    expect(summary).toEqual({
      count: 4,
      newestId: 9,
      replaced: 1,
      added: 3,
      newUsers: 1,
      skippedUnknownMovies: 0,
      droppedByIdentityCap: 0,
      identityCaps: null,
    });
  });

  it('when a user posts after their last data-set movie or only replaces, then they are not counted as new', async () => {
    const posted = await collectPostedRatings(stream([stored(1, 1, 10, 1), stored(2, 1, 99, 1), stored(3, 5, 10, 2)]), () => true);
    const { summary } = mergePostedRatings(base, posted);
    expect(summary).toMatchObject({ replaced: 1, added: 2, newUsers: 1 });
  });

  it('when the data set is not sorted, then the merge still replaces by pair and returns (user, movie) order', async () => {
    const shuffled = columns([
      [3, 30, 5, 100],
      [1, 20, 3, 100],
      [3, 10, 2, 100],
      [1, 10, 4, 100],
    ]);
    const { columns: merged } = mergePostedRatings(shuffled, await collectPostedRatings(stream([stored(1, 3, 10, 4)]), () => true));
    expect(rowsOf(merged).map((r) => r.slice(0, 3))).toEqual([
      [1, 10, 4],
      [1, 20, 3],
      [3, 10, 4],
      [3, 30, 5],
    ]);
  });

  it('when a posted movie is not in the catalogue, then it is skipped and counted; the data hash changes only with usable ratings', async () => {
    const posted = await collectPostedRatings(stream([stored(1, 1, 10, 1), stored(2, 1, 777, 5)]), (id) => id !== 777);
    expect(posted.skippedUnknownMovies).toBe(1);
    expect(mergePostedRatings(base, posted).summary).toMatchObject({ count: 2, newestId: 2, replaced: 1, added: 0 });
    expect(dataHashWithPosted('base', posted)).toMatch(/^[0-9a-f]{64}$/);
    const other = await collectPostedRatings(stream([stored(1, 1, 10, 1.5)]), () => true);
    expect(dataHashWithPosted('base', other)).not.toBe(dataHashWithPosted('base', posted));
    const none = await collectPostedRatings(stream([stored(2, 1, 777, 5)]), (id) => id !== 777);
    expect(dataHashWithPosted('base', none)).toBe('base');
  });
});

describe('the train stage with posted ratings (generated data, real stages, real store)', () => {
  let config: AppConfig;
  let baseHash: string;
  const quiet = () => undefined;

  beforeAll(async () => {
    const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 11 });
    config = loadConfig({
      root: tempWorkspace(),
      env: { MOVIELENS_SOURCE: source },
      overrides: { training: { maxEpochs: 4, factors: 4, ratingModel: 'mf' } },
    });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    baseHash = readTrainingData(config.paths.dbPath).meta.dataHash;
  });

  it('when ratings were posted, then the run trains on them: a new user is in the model, a replaced pair carries the posted value, metrics say what was included', async () => {
    const [firstUser, firstMovie, firstRating] = readRatings(config.paths.processedDir)[0];
    const replacement = firstRating === 0.5 ? 5 : 0.5;
    const store = openSqliteRatingsStore(config.paths.ratingsDbPath);
    try {
      await store.put([
        { userId: firstUser, movieId: firstMovie, rating: replacement },
        { userId: 900_001, movieId: firstMovie, rating: 5 },
        { userId: 900_001, movieId: 424_242, rating: 5 }, // not in the catalogue: skipped, counted
      ]);
      const version = await store.version();
      // The ratings handed to the trainer: the same read + merge the stage does.
      const data = readTrainingData(config.paths.dbPath);
      const posted = await collectPostedRatings(readSqliteRatingsSnapshot(config.paths.ratingsDbPath), (id) => data.movieIds.has(id));
      const merged = mergePostedRatings(data.ratings, posted).columns;
      const pairRow = rowsOf(merged).filter((r) => r[0] === firstUser && r[1] === firstMovie);
      expect(pairRow.map((r) => r[2])).toEqual([replacement]);
      expect(merged.ratings.length).toBe(data.ratings.ratings.length + 1);

      const lines: string[] = [];
      const { manifest } = await runTraining(config, { log: (line) => lines.push(line), implicit: false });
      const bundle = loadModelArtifacts(config.paths.modelDir);
      expect(Array.from(bundle.model.userIds)).toContain(900_001);
      expect(manifest.training.posted).toEqual({
        ...version,
        replaced: 1,
        added: 1,
        newUsers: 1,
        skippedUnknownMovies: 1,
        droppedByIdentityCap: 0,
        identityCaps: {
          newUsersPerIdentity: config.training.postedNewUsersPerIdentity,
          ratingsPerIdentity: config.training.postedRatingsPerIdentity,
          droppedByNewUserCap: 0,
          droppedByRatingCap: 0,
          cappedIdentities: [],
          cappedIdentityCount: 0,
        },
      });
      // Trained on every merged rating outside the gate holdout (a data-set and a posted rating alike are held out by their pair).
      const held = rowsOf(merged).filter(([user, movie]) => inGateHoldout(config.training.gate, user, movie)).length;
      expect(held).toBeGreaterThan(0);
      expect(manifest.training.ratings).toMatchObject({ all: merged.ratings.length - held, gateHoldout: held });
      const metrics = JSON.parse(readFileSync(join(config.paths.modelDir, 'metrics.json'), 'utf8'));
      expect(metrics.training.posted).toEqual(manifest.training.posted);
      expect(metrics.dataHash).toBe(manifest.dataHash);
      expect(manifest.dataHash).not.toBe(baseHash);
      expect(lines).toContain('[train] warning: skipped 1 posted rating(s) of movies not in the catalogue');
    } finally {
      await store.close();
    }
  });

  it('when a rating arrives while the run reads its snapshot, then the run does not see it and the store version differs from what the run recorded', async () => {
    const store = openSqliteRatingsStore(config.paths.ratingsDbPath);
    try {
      await store.put([
        { userId: 900_002, movieId: readRatings(config.paths.processedDir)[0][1], rating: 4 },
        { userId: 900_003, movieId: readRatings(config.paths.processedDir)[0][1], rating: 3 },
      ]);
      const before = await store.version();
      let late: StoredRating[] = [];
      // A snapshot read in pages of one row; a rating is posted (and durable) between its pages.
      async function* withPostDuringRead() {
        let n = 0;
        for await (const r of readSqliteRatingsSnapshot(config.paths.ratingsDbPath, { pageSize: 1 })) {
          if (n++ === 1) late = await store.put([{ userId: 900_004, movieId: r.movieId, rating: 2 }]);
          yield r;
        }
      }
      const snapshot = await collectPostedRatings(withPostDuringRead(), () => true);
      expect(late).toHaveLength(1);
      expect({ count: snapshot.count, newestId: snapshot.newestId }).toEqual(before);
      expect(Array.from(snapshot.columns.userIds)).not.toContain(900_004);
      // The ratings are kept: the next read includes it, and the version (the Nx input) has moved on.
      const after = await store.version();
      expect(after).toEqual({ count: before.count + 1, newestId: late[0].id });
      const next = await collectPostedRatings(readSqliteRatingsSnapshot(config.paths.ratingsDbPath), () => true);
      expect(Array.from(next.columns.userIds)).toContain(900_004);
    } finally {
      await store.close();
    }
  });
});
