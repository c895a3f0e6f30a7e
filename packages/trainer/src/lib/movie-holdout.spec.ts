import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type TrainingConfig } from '@reelrank/config';
import { loadModelArtifacts, type MovieContent } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { evaluateColdStart } from './cold-start-eval.js';
import { holdOutMovies } from './movie-holdout.js';
import { concatColumns } from './ratings.js';
import { runTraining } from './run-training.js';

const training: TrainingConfig = {
  ...loadConfig({ env: {} }).training,
  seed: 42,
  factors: 4,
  maxEpochs: 30,
  learningRate: 0.03,
  initStd: 0.1,
  patience: 3,
  popularityMinRatings: 5,
  contentMap: { ...loadConfig({ env: {} }).training.contentMap, minRatings: 5 },
};

describe('holdOutMovies', () => {
  const planted = plantedData({ nUsers: 60, nMovies: 40, seed: 11 });
  const all = concatColumns(planted.observed, planted.heldOut);

  it('when movies are held out, then every rating of theirs is out of train and every other rating is in', () => {
    const holdout = holdOutMovies(all, 0.1, 42);
    expect(holdout.movies.length).toBe(4);
    const held = new Set(holdout.movies);
    expect(holdout.train.movieIds.some((id) => held.has(id))).toBe(false);
    expect(Array.from(holdout.heldOut.movieIds).every((id) => held.has(id))).toBe(true);
    expect(holdout.train.ratings.length + holdout.heldOut.ratings.length).toBe(all.ratings.length);
    expect(holdOutMovies(all, 0.1, 42).movies).toEqual(holdout.movies);
    expect(holdOutMovies(all, 0.1, 43).movies).not.toEqual(holdout.movies);
  });

  it('when the held-out ratings change, then the trained models, the content map and the held-out movies vectors do not', async () => {
    const holdout = holdOutMovies(all, 0.1, 42);
    const content = new Map<number, MovieContent>();
    for (let i = 0; i < 40; i++) content.set(planted.movieId(i), { genres: [['Drama'], ['Comedy'], ['Horror', 'Drama']][i % 3], year: 1970 + i });
    // The held-out movies' ratings, flipped: if any reached a fit, the artifacts would differ.
    const flipped = { ...holdout.heldOut, ratings: holdout.heldOut.ratings.map((r) => 5.5 - r) };
    const runs = [];
    for (const heldOut of [holdout.heldOut, flipped]) {
      const dir = mkdtempSync(join(tmpdir(), 'cold-start-leak-'));
      try {
        const config = {
          training,
          dataset: { dataset: 'synthetic' },
          paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
        };
        await runTraining(config, { ratings: holdout.train, content, log: () => undefined });
        const bundle = loadModelArtifacts(dir);
        const model = readFileSync(join(dir, bundle.manifest.weights.file));
        const map = readFileSync(join(dir, bundle.manifest.contentMap!.file), 'utf8');
        const evaluation = evaluateColdStart({ ...bundle, contentMap: bundle.contentMap! }, { ...holdout, heldOut }, content, 5);
        runs.push({ model, map, evaluation, coldStart: bundle.contentMap!.coldStart.map((e) => e.movieId) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}-versions`, { recursive: true, force: true });
        expect(existsSync(dir)).toBe(false);
      }
    }
    expect(runs[1].model.equals(runs[0].model)).toBe(true);
    expect(runs[1].map).toBe(runs[0].map);
    // Every held-out movie is served from its content (none was seen by the training).
    for (const id of holdout.movies) expect(runs[0].coldStart).toContain(id);
    // Only the figures measured on the held-out ratings move.
    expect(runs[1].evaluation.rmse.content).not.toBe(runs[0].evaluation.rmse.content);
    expect(runs[0].evaluation.heldOutRatings).toBe(holdout.heldOut.ratings.length);
  });
});
