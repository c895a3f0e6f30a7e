import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { openRatingsStore } from '@reelrank/feedback';
import { generatedMovieLensSource, readCatalogue } from '@reelrank/ingest/testing';
import { liveModel, listModelVersions, readTrainingRuns } from '@reelrank/model';
import { runTraining } from '@reelrank/trainer';
import { runCli } from '@reelrank/cli';
import { quickTrainingEnv } from './workspace-env';

/**
 * The promotion gate through the real stages on a generated data set: the train stage (runTraining
 * on the SQLite catalogue, the registry on disk) gates a deliberately broken candidate (1 epoch,
 * learning rate 0) out while the live model stays, `reelrank models` shows, compares, lists and
 * (with --force only) activates it, and a better candidate (more data: posted ratings) is promoted.
 */

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

describe('the promotion gate (train stage + registry + CLI)', () => {
  let env: NodeJS.ProcessEnv;
  let config: AppConfig;
  let movieIds: number[];
  const quiet = () => undefined;

  beforeAll(async () => {
    const source = await generatedMovieLensSource({ users: 60, movies: 150, ratings: 4_000, seed: 31 });
    movieIds = readCatalogue(source).map((m) => m.movieId);
    env = { ...quickTrainingEnv(source), REELRANK_GATE_HOLDOUT_SHARE: '0.05' };
    config = loadConfig({ env });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
  }, 120_000);

  it('when a broken candidate is trained, then it is rejected and kept, the live model stays, the CLI shows why; a better one is promoted', async () => {
    const trained = { ...config, training: { ...config.training, maxEpochs: 40, learningRate: 0.03 } };
    // The first live model is trained briefly (3 epochs), so the later candidate with more data and the full
    // schedule is better by more than the gate's noise on 196 holdout ratings, whatever the blend settings.
    const first = await runTraining({ ...trained, training: { ...trained.training, maxEpochs: 3 } }, { log: quiet });
    expect(first.gate.decision).toBe('promoted');
    const live = first.manifest.version;

    // Broken: 1 epoch at learning rate 0, and no ranker (the generated ratings carry little rating signal, so
    // the served ranking is what this candidate loses; the RMSE side bites in packages/trainer promotion-gate.spec.ts).
    const broken = await runTraining({ ...config, training: { ...config.training, maxEpochs: 1, learningRate: 0 } }, { log: quiet, implicit: false });
    expect(broken.gate).toMatchObject({ decision: 'rejected', live: { version: live } });
    expect(liveModel(config.paths).version).toBe(live);
    expect(listModelVersions(config.paths.registryDir).map((v) => [v.version, v.status])).toEqual([
      [broken.manifest.version, 'rejected'],
      [live, 'live'],
    ]);

    const list = await cli(env, 'models', 'list');
    expect(list.stdout).toMatch(new RegExp(`${broken.manifest.version}\\s+rejected`));
    const show = await cli(env, 'models', 'show', broken.manifest.version);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`gate: rejected: holdout`);
    expect(show.stdout).toMatch(new RegExp(`live then \\(${live}\\)`));
    const shown = JSON.parse((await cli(env, 'models', 'show', broken.manifest.version, '--json')).stdout);
    expect(shown).toMatchObject({
      status: 'rejected',
      gate: { decision: 'rejected', live: { version: live } },
      run: { outcome: 'rejected', seed: config.training.seed, settings: { maxEpochs: 1, learningRate: 0 }, data_hash: broken.manifest.dataHash },
    });
    const compare = await cli(env, 'models', 'compare', live, broken.manifest.version);
    expect(compare.code).toBe(0);
    expect(compare.stdout).toMatch(/^gate holdout NDCG@10\s+\d\.\d{4}\s+\d\.\d{4}$/m);
    expect(compare.stdout).toContain(`${broken.manifest.version}'s gate scored both on the same holdout ratings: rejected`);
    expect(compare.stdout).toMatch(/^learningRate\s+0\.03\s+0$/m);
    expect((await cli(env, 'models', 'compare', live)).code).toBe(2);

    const refused = await cli(env, 'models', 'activate', broken.manifest.version);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('rejected by the promotion gate') });
    expect(liveModel(config.paths).version).toBe(live);

    // More data: ratings posted to the service (the store the train stage reads).
    const { store } = openRatingsStore(config);
    await store.put(movieIds.slice(0, 20).map((movieId, i) => ({ userId: 900_001, movieId, rating: 1 + (i % 5) })));
    await store.close();
    const better = await runTraining(trained, { log: quiet });
    expect(better.manifest.training.posted).toMatchObject({ count: 20 });
    expect(better.gate).toMatchObject({ decision: 'promoted', live: { version: live } });
    expect(liveModel(config.paths).version).toBe(better.manifest.version);

    const history = await cli(env, 'models', 'history');
    expect(history.stdout).toMatch(/3 training run\(s\)/);
    expect(readTrainingRuns(config.paths.registryDir).map((r) => r.outcome)).toEqual(['promoted', 'rejected', 'promoted']);

    // An operator overrides the gate.
    const forced = await cli(env, 'models', 'activate', broken.manifest.version, '--force');
    expect(forced.code).toBe(0);
    expect(liveModel(config.paths).version).toBe(broken.manifest.version);
  }, 240_000);
});
