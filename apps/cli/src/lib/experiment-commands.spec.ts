import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@reelrank/config';
import { createApp, ModelHolder } from '@reelrank/api';
import { openSqliteExperimentStore, type ExperimentStore } from '@reelrank/feedback';
import { tempWorkspace } from '@reelrank/ingest/testing';
import {
  loadModelArtifacts,
  modelVersionDir,
  readLiveVersion,
  registerModelVersion,
  saveModelArtifacts,
  setLiveVersion,
  syncModelRegistry,
} from '@reelrank/model';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { MOVIES, plantedBundle, RATED } from '@reelrank/serving/testing';
import { runCli } from './cli.js';

/** `reelrank experiments start|list|conclude` through a running server (two registered versions of the planted model). */

const TOKEN = 'secret-5Jw8Pq2Tz6Lk9Xr4Mv7';

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

describe('reelrank experiments (through a running server)', () => {
  const env = { REELRANK_ROOT: tempWorkspace(), REELRANK_DATASET: 'cli-experiments', REELRANK_ADMIN_TOKEN: TOKEN };
  const config = loadConfig({ env });
  const { paths } = config;
  const versions: string[] = [];
  let server: Server;
  let url: string;
  let holder: ModelHolder;
  let store: ExperimentStore;
  let stopExperiments = () => undefined as void;

  beforeAll(async () => {
    for (const variant of [0, 1]) {
      const { model, popularity, manifest } = plantedBundle();
      model.movieBias[0] += variant * 0.01;
      const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
      versions.push(
        saveModelArtifacts(paths.modelDir, {
          model,
          popularity,
          manifest: { ...input, createdAt: `2026-01-0${variant + 1}T00:00:00.000Z` },
          metricsReport: {},
        }).version,
      );
      registerModelVersion(paths.registryDir, paths.modelDir, { keep: 5, makeLive: true });
    }
    syncModelRegistry(paths, 5);
    setLiveVersion(paths.registryDir, versions[0]);
    const build = (dir: string) => new Recommender(loadModelArtifacts(dir), inMemoryCatalog(MOVIES, RATED, 'cli-experiments'));
    holder = new ModelHolder((dir) => build(dir ?? syncModelRegistry(paths, 5).dir));
    holder.reload();
    store = openSqliteExperimentStore(paths.ratingsDbPath);
    const app = createApp({
      models: holder,
      config,
      admin: { token: TOKEN, burst: 100, refillSeconds: 0.01 },
      registry: { paths, keep: 5 },
      experiments: { store, load: (version) => build(modelVersionDir(paths.registryDir, version)!), pollMs: 100 },
    });
    server = await new Promise<Server>((ready) => {
      const s = app.listen(0, '127.0.0.1', () => ready(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stopExperiments = () => app.locals.experiments.stop();
  });

  afterAll(async () => {
    stopExperiments();
    holder.current()?.close();
    await new Promise((done) => server.close(done));
    await store.close();
  });

  it('when an experiment is started, listed and promoted with the CLI, then the server runs it and the challenger goes live', async () => {
    const started = await cli(env, 'experiments', 'start', versions[1], '--share', '0.25', '--seed', '7', '--name', 'cli test', '--url', url);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(started.stdout).toMatch(new RegExp(`experiment 1 started: ${versions[1]} answers 25% of users \\(seed 7\\), ${versions[0]} the rest`));
    const listed = await cli(env, 'experiments', 'list', '--url', url, '--json');
    expect(JSON.parse(listed.stdout).running).toMatchObject({ id: 1, name: 'cli test', challenger_version: versions[1], share: 0.25, seed: 7 });
    const table = await cli(env, 'experiments', 'list', '--url', url);
    expect(table.stdout).toMatch(new RegExp(`^\\s*1\\s+running\\s+${versions[1]}\\s+25%\\s+${versions[0]}\\s+cli test`, 'm'));
    const twice = await cli(env, 'experiments', 'start', versions[1], '--share', '0.5', '--url', url);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/409 experiment_running/);
    const promoted = await cli(env, 'experiments', 'conclude', '1', 'promote', '--url', url);
    expect(promoted).toMatchObject({ code: 0, stdout: `experiment 1 promoted; live model: ${versions[1]}\n` });
    expect(readLiveVersion(paths.registryDir)).toBe(versions[1]);
  });

  it('when the arguments are wrong, then a usage error (exit 2) before anything is sent; a server refusal names the field', async () => {
    for (const argv of [
      ['experiments'],
      ['experiments', 'pause'],
      ['experiments', 'start', versions[0]],
      ['experiments', 'start', versions[0], '--share', 'half'],
      ['experiments', 'conclude', 'one', 'drop'],
      ['experiments', 'conclude', '1', 'keep'],
    ])
      expect({ argv, code: (await cli(env, ...argv, '--url', url)).code }).toEqual({ argv, code: 2 });
    const bad = await cli(env, 'experiments', 'start', versions[0], '--share', '1.5', '--url', url);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/400 validation_error: Invalid body: share/);
    expect((await cli({ ...env, REELRANK_ADMIN_TOKEN: '' }, 'experiments', 'list', '--url', url)).code).toBe(2);
  });
});
