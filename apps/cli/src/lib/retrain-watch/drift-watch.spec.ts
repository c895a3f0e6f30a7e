import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { openSqliteRatingsStore, type RatingsStore } from '@reelrank/feedback';
import {
  buildDriftProfile,
  buildGenreIndex,
  idRanges,
  liveModel,
  modelVersionDir,
  publishBuiltModel,
  saveModelArtifacts,
  writeDriftProfile,
  type ModelManifest,
} from '@reelrank/model';
import { MOVIES, plantedBundle } from '@reelrank/serving/testing';
import { driftSource } from './drift-source';
import { tryFileLock } from './file-lock';
import { RetrainWatcher, type WatchEvent } from './retrain-watcher';
import { servedModels } from './served-models';

/**
 * The watcher's drift trigger on real parts: a model registry on disk whose live version carries its
 * training profile, a SQLite ratings store the shifted stream is written to, the drift measured from
 * both (drift-source.ts), the lock file and the state file. The stages are a function that publishes
 * another model the way the pipeline does.
 */

const RATED_MOVIES = [10, 20, 30, 40, 50, 60, 70];

function saveModel(modelDir: string, variant: number): ModelManifest {
  const { model, popularity, manifest } = plantedBundle();
  model.movieBias[0] += variant * 0.01;
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  return saveModelArtifacts(modelDir, {
    model,
    popularity,
    manifest: { ...input, createdAt: new Date(Date.now() - 7200_000).toISOString() },
    metricsReport: {},
  });
}

/** The live model's training profile: users 1-5 rating the 7 movies 1.0..5.0. */
function writeProfile(registryDir: string, version: string) {
  const n = 700;
  const sample = {
    userIds: Array.from({ length: n }, (_, i) => 1 + (i % 5)),
    movieIds: Array.from({ length: n }, (_, i) => RATED_MOVIES[i % RATED_MOVIES.length]),
    ratings: Array.from({ length: n }, (_, i) => 1 + (i % 9) / 2),
  };
  const binning = { genreIndex: buildGenreIndex(MOVIES), dataSetUsers: idRanges([1, 2, 3, 4, 5]) };
  writeDriftProfile(modelVersionDir(registryDir, version)!, buildDriftProfile(sample, binning, version));
}

/** 40 new users rating the 7 movies: 280 ratings. */
const stream = (rating: (i: number) => number) =>
  Array.from({ length: 280 }, (_, i) => ({ userId: 1000 + Math.floor(i / 7), movieId: RATED_MOVIES[i % 7], rating: rating(i) }));

describe('retrain --watch on drift', () => {
  let dir: string;
  let store: RatingsStore;
  let paths: { modelDir: string; registryDir: string };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'drift-watch-'));
    paths = { modelDir: join(dir, 'models', 'x'), registryDir: join(dir, 'models', '_versions', 'x') };
    const saved = saveModel(paths.modelDir, 0);
    publishBuiltModel(paths, 5);
    writeProfile(paths.registryDir, saved.version);
    store = openSqliteRatingsStore(join(dir, 'x.ratings.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function watcher(onDrift: boolean) {
    const config = loadConfig({
      env: {},
      overrides: { operations: { drift: { threshold: 0.25, refreshSeconds: 300, minRatings: 100, maxRatings: 10_000, features: 'rating,genre' } } },
    });
    const events: WatchEvent[] = [];
    const runs: string[] = [];
    const w = new RetrainWatcher({
      settings: {
        minNewRatings: 1000,
        intervalSeconds: 86_400,
        pollSeconds: 60,
        backoffSeconds: 60,
        backoffMaxSeconds: 600,
        onDrift,
        driftCooldownSeconds: 600,
      },
      now: Date.now,
      countNewerThan: (id) => store.countNewerThan(id),
      models: () => servedModels(paths),
      drift: driftSource(store, { operations: config.operations, paths }),
      lock: {
        where: join(dir, 'retrain.lock'),
        async tryAcquire() {
          const attempt = tryFileLock(join(dir, 'retrain.lock'));
          return 'held' in attempt ? attempt : { heldBy: `pid ${attempt.heldBy?.pid}` };
        },
      },
      // What the pipeline does: a new model, published live.
      runStages: async () => {
        runs.push(liveModel(paths).version!);
        saveModel(paths.modelDir, runs.length);
        publishBuiltModel(paths, 5);
      },
      statePath: join(dir, 'retrain-watch.json'),
      log: (event) => events.push(event),
    });
    return { w, events, runs };
  }

  it('when every posted rating is 0.5 and the switch is on, then the watcher starts a retraining for the drift and logs why', async () => {
    await store.put(stream(() => 0.5));
    const { w, events, runs } = watcher(true);
    await w.checkOnce();
    expect(runs).toHaveLength(1);
    const training = events.find((e) => e.event === 'training')!;
    expect(training.text).toMatch(
      /^train: drift psi (\d+\.\d{3}) on feature rating \((day|week)\); 280 new rating\(s\) waiting; holding the lock file /,
    );
    expect(Number(/psi (\d+\.\d+)/.exec(training.text)![1])).toBeGreaterThan(0.25);
    expect(events.find((e) => e.event === 'finished')).toMatchObject({ outcome: 'trained' });
  });

  it('when the switch is off, then the same stream waits for N or T', async () => {
    await store.put(stream(() => 0.5));
    const { w, events, runs } = watcher(false);
    await w.checkOnce();
    expect(runs).toEqual([]);
    expect(events.at(-1)).toMatchObject({ event: 'decision', decision: 'wait' });
    expect(events.at(-1)!.text).not.toMatch(/drift/);
  });

  it('when the posted ratings look like the training data, then the switch starts nothing', async () => {
    await store.put(stream((i) => 1 + (i % 9) / 2));
    const { w, events, runs } = watcher(true);
    await w.checkOnce();
    expect(runs).toEqual([]);
    expect(events.at(-1)!.text).toMatch(/^wait: 280 of 1000 new rating\(s\) waiting; 2\.0 h since the last training, retraining anyway in/);
  });
});
