import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { modelVersionDir, readDriftProfile } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { concatColumns } from './ratings.js';
import { runTraining } from './run-training.js';

const training = { ...loadConfig({ env: {} }).training, seed: 7, ratingModel: 'mf' as const, factors: 4, maxEpochs: 5, patience: 2 };

async function* posted(rows: { userId: number; movieId: number; rating: number }[]) {
  let id = 0;
  for (const r of rows) yield { ...r, id: ++id, timestamp: 1, source: 'key:1', sourceAddress: '127.0.0.1', postedAt: 1 };
}

describe('the training data profile', () => {
  const planted = plantedData({ nUsers: 30, nMovies: 20, seed: 3 });
  const ratings = concatColumns(planted.observed, planted.heldOut);
  const movies = Array.from({ length: 20 }, (_, i) => ({ movieId: 11 * i + 5, genres: i % 2 ? ['Drama'] : ['Comedy', 'Drama'] }));

  it('when a run trains, then drift-profile.json beside the model (and in the registry) describes its ratings, the posted ones counted as new users', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-profile-'));
    try {
      const config = {
        training,
        dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
        paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
      };
      // Users 1000 and 1001 are not in the data set: 3 posted ratings of new users.
      const extra = [
        { userId: 1000, movieId: 5, rating: 0.5 },
        { userId: 1000, movieId: 16, rating: 0.5 },
        { userId: 1001, movieId: 5, rating: 0.5 },
      ];
      const lines: string[] = [];
      const result = await runTraining(config, { ratings, movies, posted: posted(extra), log: (line) => lines.push(line) });
      const version = result.manifest.version;
      const profile = readDriftProfile(dir, version)!;
      expect(profile).not.toBeNull();
      expect(readDriftProfile(modelVersionDir(`${dir}-versions`, version)!, version)).toEqual(profile);
      const total = ratings.ratings.length + extra.length;
      expect(profile.ratings).toBe(total);
      expect(profile.users).toBe(32);
      expect(profile.features.rating.counts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(profile.features.rating.counts[0]).toBe(3 + [...ratings.ratings].filter((r) => Math.round(r * 2) <= 1).length);
      expect(profile.features.newUsers.counts).toEqual([ratings.ratings.length, 3]);
      expect(profile.features.userActivity.counts.reduce((a, b) => a + b, 0)).toBe(32);
      expect(profile.genreIndex.names).toEqual(['Comedy', 'Drama']);
      expect(profile.features.genre.counts.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 6);
      expect(profile.dataSetUsers).toEqual(Array.from({ length: 30 }, (_, u) => [7 * u + 3, 7 * u + 3]));
      expect(lines.some((l) => /^\[train\] drift profile of \d+ ratings in [\d.]+ s$/.test(l))).toBe(true);
      // A side output: model.json does not name it, so the weights and version are the same with or without it.
      expect(readFileSync(join(dir, 'model.json'), 'utf8')).not.toMatch(/drift/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}-versions`, { recursive: true, force: true });
    }
  });
});
