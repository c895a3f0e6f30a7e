import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { createApp, ModelHolder } from '@reelrank/api';
import { openSqliteKeyStore, type KeyStore } from '@reelrank/feedback';
import { tempWorkspace } from '@reelrank/ingest/testing';
import {
  loadModelArtifacts,
  readLiveVersion,
  registerModelVersion,
  saveModelArtifacts,
  syncModelRegistry,
  type ModelManifest,
} from '@reelrank/model';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { MOVIES, plantedBundle, RATED } from '@reelrank/serving/testing';
import { runCli } from './cli.js';

/** `reelrank models list|activate` on the files and through a running server (two registered versions of the planted model). */

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

function train(config: AppConfig, variant: number): ModelManifest {
  const { model, popularity, manifest } = plantedBundle();
  model.movieBias[0] += variant * 0.01;
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  const saved = saveModelArtifacts(config.paths.modelDir, {
    model,
    popularity,
    manifest: {
      ...input,
      createdAt: `2026-01-0${variant + 1}T00:00:00.000Z`,
      metrics: { k: 10, testRmse: 0.9 - variant / 10, ranking: { ndcgAt10: 0.25 } },
    },
    metricsReport: {},
  });
  registerModelVersion(config.paths.registryDir, config.paths.modelDir, { keep: 5, makeLive: true });
  return saved;
}

function workspace() {
  const env = { REELRANK_ROOT: tempWorkspace(), REELRANK_DATASET: 'cli-models' };
  const config = loadConfig({ env });
  const trained = [train(config, 0), train(config, 1)];
  return { env, config, trained };
}

describe('reelrank models (on the files)', () => {
  it('when listing, then both versions show newest first with the live one starred; --json gives the same data', async () => {
    const { env, trained } = workspace();
    const table = await cli(env, 'models', 'list');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^cli-models: 2 version\(s\) in .*_versions.cli-models \(\* live\)$/);
    expect(lines[3]).toMatch(new RegExp(`^\\*\\s+${trained[1].version}\\s+live\\s+2026-01-02T00:00:00.000Z\\s+0.8000\\s+0.2500`));
    expect(lines[4]).toMatch(new RegExp(`^\\s+${trained[0].version}\\s`));
    const json = JSON.parse((await cli(env, 'models', 'list', '--json')).stdout);
    expect(json.live_version).toBe(trained[1].version);
    expect(json.versions.map((v: { version: string; live: boolean }) => [v.version, v.live])).toEqual([
      [trained[1].version, true],
      [trained[0].version, false],
    ]);
  });

  it('when activating an older version, then the live pointer moves; unknown, corrupt and missing versions fail without moving it', async () => {
    const { env, config, trained } = workspace();
    const done = await cli(env, 'models', 'activate', trained[0].version, '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ status: 'activated', version: trained[0].version, previous_version: trained[1].version });
    expect(readLiveVersion(config.paths.registryDir)).toBe(trained[0].version);

    const unknown = await cli(env, 'models', 'activate', 'mf-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not in/);
    const weights = join(config.paths.registryDir, trained[1].version, trained[1].weights.file);
    const bytes = readFileSync(weights);
    bytes[0] ^= 0xff;
    writeFileSync(weights, bytes);
    const corrupt = await cli(env, 'models', 'activate', trained[1].version);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/fails its integrity check, the live pointer is unchanged: .*sha256/);
    expect(readLiveVersion(config.paths.registryDir)).toBe(trained[0].version);

    expect((await cli(env, 'models', 'activate')).code).toBe(2);
    expect((await cli(env, 'models', 'switch')).code).toBe(2);
    expect((await cli(env, 'models', 'activate', trained[0].version, '--token', 'x')).code).toBe(2);
  });
});

describe('reelrank models --url (through a running server)', () => {
  /** The server's REELRANK_ADMIN_TOKEN: strong enough for the start-up check (apps/api admin-token.ts). */
  const TOKEN = 'secret-5Jw8Pq2Tz6Lk9Xr4Mv7';
  let server: Server;
  let url: string;
  let ctx: ReturnType<typeof workspace>;
  let holder: ModelHolder;
  let keys: KeyStore;
  /** A reader key: it may list the server's models (an operator read), not activate one. */
  let readerKey: string;

  beforeAll(async () => {
    keys = openSqliteKeyStore(':memory:');
    readerKey = (await keys.create('cli-reader', 'reader')).key;
    ctx = workspace();
    const paths = ctx.config.paths;
    holder = new ModelHolder(
      (dir) => new Recommender(loadModelArtifacts(dir ?? syncModelRegistry(paths, 5).dir), inMemoryCatalog(MOVIES, RATED, 'cli-models')),
    );
    holder.reload();
    const app = createApp({
      models: holder,
      config: ctx.config,
      admin: { token: TOKEN, burst: 100, refillSeconds: 0.01 },
      registry: { paths, keep: 5 },
      keys,
    });
    server = await new Promise<Server>((ready) => {
      const s = app.listen(0, '127.0.0.1', () => ready(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    holder.current()?.close();
    await new Promise((done) => server.close(done));
    await keys.close();
  });

  it('when listing and activating with --url, then the server answers and serves the chosen version at once', async () => {
    const listed = await cli(ctx.env, 'models', 'list', '--url', url, '--token', TOKEN, '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).live_version).toBe(ctx.trained[1].version);
    const done = await cli(ctx.env, 'models', 'activate', ctx.trained[0].version, '--url', url, '--token', TOKEN);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain(`model ${ctx.trained[0].version} is live (activated; was ${ctx.trained[1].version})`);
    expect(holder.current()!.manifest.version).toBe(ctx.trained[0].version);
  });

  it('when a reader key is given, then it lists the models of the server but activating is refused (exit 1 naming the 403)', async () => {
    const listed = await cli(ctx.env, 'models', 'list', '--url', url, '--token', readerKey, '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).live_version).toBe(ctx.trained[0].version);
    const refused = await cli(ctx.env, 'models', 'activate', ctx.trained[1].version, '--url', url, '--token', readerKey);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/answered 403 forbidden/);
    expect(holder.current()!.manifest.version).toBe(ctx.trained[0].version);
  });

  it('when the token is wrong or absent, then exit 1 naming the server answer, or 2 asking for the token', async () => {
    const wrong = await cli(ctx.env, 'models', 'activate', ctx.trained[1].version, '--url', url, '--token', 'nope');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/answered 401 unauthorized: unknown or revoked API key/);
    expect((await cli(ctx.env, 'models', 'activate', ctx.trained[1].version, '--url', url)).code).toBe(2);
    // Listing a server's versions needs a credential too (GET /models is an operator route); a wrong one is an unknown key.
    expect((await cli(ctx.env, 'models', 'list', '--url', url)).code).toBe(2);
    const wrongList = await cli(ctx.env, 'models', 'list', '--url', url, '--token', 'nope');
    expect(wrongList.code).toBe(1);
    expect(wrongList.stderr).toMatch(/answered 401 unauthorized: unknown or revoked API key/);
    expect(holder.current()!.manifest.version).toBe(ctx.trained[0].version);
  });
});
