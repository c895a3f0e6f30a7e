import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  liveModel,
  loadModelArtifacts,
  pruneModelVersions,
  readLiveVersion,
  registerModelVersion,
  saveModelArtifacts,
  syncModelRegistry,
  type ModelManifest,
} from '@reelrank/model';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { MOVIES, plantedBundle, RATED, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ModelHolder } from './model-holder.js';

/**
 * GET /models and POST /admin/models/{version}/activate against a real registry on disk: three
 * "trainings" of the planted model (each a distinct version, saved and registered as the train
 * stage does), a holder that builds from the live version like main.ts.
 */

function train(modelDir: string, registryDir: string, variant: number): ModelManifest {
  const { model, popularity, manifest } = plantedBundle();
  model.movieBias[0] += variant * 0.01;
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  const saved = saveModelArtifacts(modelDir, {
    model,
    popularity,
    manifest: {
      ...input,
      createdAt: `2026-01-0${variant + 1}T00:00:00.000Z`,
      metrics: {
        k: 10,
        testRmse: 0.9 - variant / 100,
        testMae: 0.7,
        ndcgAt10: 0.01,
        ranking: { ndcgAt10: [0.2, 0.25, 0.3][variant], precisionAt10: 0.1 },
      },
    },
    metricsReport: { variant },
  });
  registerModelVersion(registryDir, modelDir, { keep: 5, makeLive: true });
  return saved;
}

const TOKEN = 'let-me-in-9f3Kq2Lx8Vb7Nc4Zt6';

/** Runs inside the holder's build, before (`beforeLoad`) or after (`afterLoad`) the model is read: where a concurrent training's prune may strike. */
const raceHooks: { beforeLoad?: () => void; afterLoad?: () => void } = {};

function setup(admin: { token?: string; burst?: number; refillSeconds?: number } = { token: TOKEN, burst: 10_000, refillSeconds: 0.001 }) {
  const root = mkdtempSync(join(tmpdir(), 'reelrank-models-'));
  const paths = { modelDir: join(root, 'api-fixture'), registryDir: join(root, '_versions', 'api-fixture') };
  const trained = [0, 1, 2].map((variant) => train(paths.modelDir, paths.registryDir, variant));
  const holder = new ModelHolder((dir) => {
    raceHooks.beforeLoad?.();
    const recommender = new Recommender(loadModelArtifacts(dir ?? syncModelRegistry(paths, 5).dir), inMemoryCatalog(MOVIES, RATED, 'api-fixture'));
    raceHooks.afterLoad?.();
    return recommender;
  });
  holder.reload();
  const app = createApp({ models: holder, config: { serving: SERVING }, admin, registry: { paths, keep: 5 } });
  return { paths, trained, holder, app };
}

const liveOf = async (app: Parameters<typeof request>[0]) =>
  (await request(app).get('/ready').set('authorization', `Bearer ${TOKEN}`).expect(200)).body.model.version as string;

describe('GET /models', () => {
  it('when three trainings are registered, then they are listed newest first with their headline metrics and the live one marked', async () => {
    const { app, trained } = setup();
    const res = await request(app).get('/models').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.body.live_version).toBe(trained[2].version);
    expect(res.body.keep_versions).toBe(5);
    expect(res.body.versions.map((v: { version: string }) => v.version)).toEqual([trained[2].version, trained[1].version, trained[0].version]);
    expect(res.body.versions.map((v: { live: boolean }) => v.live)).toEqual([true, false, false]);
    expect(res.body.versions[1]).toEqual({
      version: trained[1].version,
      created_at: '2026-01-02T00:00:00.000Z',
      data_hash: trained[1].dataHash,
      dataset: trained[1].dataset,
      live: false,
      status: 'kept',
      // The ranking figures are the served ranker's (0.25), not the rating model's (0.01).
      metrics: { test_rmse: 0.89, test_mae: 0.7, k: 10, precision_at_k: 0.1, ndcg_at_k: 0.25 },
    });
  });

  it('when the app has no registry, then the serving model alone is listed as live', async () => {
    const { holder } = setup();
    const app = createApp({ models: holder, config: { serving: SERVING }, admin: { token: TOKEN } });
    const res = await request(app).get('/models').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.body.versions).toHaveLength(1);
    expect(res.body.versions[0]).toMatchObject({ version: holder.current()!.manifest.version, live: true });
    expect(res.body.keep_versions).toBeNull();
  });
});

describe('POST /admin/models/{version}/activate', () => {
  it('when an older version is activated, then it serves at once, the live pointer moves, and a restart (sync) keeps it', async () => {
    const { app, trained, paths } = setup();
    const res = await request(app).post(`/admin/models/${trained[0].version}/activate`).set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.body).toMatchObject({
      status: 'activated',
      version: trained[0].version,
      previous_version: trained[2].version,
      dataset: 'api-fixture',
    });
    expect(await liveOf(app)).toBe(trained[0].version);
    expect(readLiveVersion(paths.registryDir)).toBe(trained[0].version);
    // models/<dataset>/ still holds the newest training; a restart must not undo the rollback.
    expect(syncModelRegistry(paths, 5).version).toBe(trained[0].version);
    const listed = (await request(app).get('/models').set('authorization', `Bearer ${TOKEN}`).expect(200)).body;
    expect(listed.versions.find((v: { live: boolean }) => v.live).version).toBe(trained[0].version);
    // Forward again; the already-live version answers unchanged.
    await request(app).post(`/admin/models/${trained[2].version}/activate`).set('Authorization', `Bearer ${TOKEN}`).expect(200);
    const again = await request(app).post(`/admin/models/${trained[2].version}/activate`).set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(again.body.status).toBe('unchanged');
  });

  it('when the version is unknown, then 404; when it is malformed, then 400 naming version', async () => {
    const { app } = setup();
    const res = await request(app).post('/admin/models/mf-000000000000/activate').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    expect(res.body.error.code).toBe('model_version_not_found');
    const bad = await request(app).post('/admin/models/.hidden/activate').set('Authorization', `Bearer ${TOKEN}`).expect(400);
    expect(bad.body.error.details[0].field).toBe('version');
  });

  it('when the token is wrong or missing, then 401 and nothing changes; with no token configured, 401 too', async () => {
    const { app, trained, paths } = setup();
    const wrong = await request(app).post(`/admin/models/${trained[0].version}/activate`).set('Authorization', 'Bearer nope').expect(401);
    expect(wrong.body.error.code).toBe('unauthorized');
    await request(app).post(`/admin/models/${trained[0].version}/activate`).expect(401);
    expect(await liveOf(app)).toBe(trained[2].version);
    expect(readLiveVersion(paths.registryDir)).toBe(trained[2].version);
    const disabled = setup({});
    const res = await request(disabled.app).post(`/admin/models/${trained[0].version}/activate`).set('Authorization', 'Bearer x').expect(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('when failed authentications exceed the burst, then 429 like /admin/reload (the same guard)', async () => {
    const { app, trained } = setup({ token: TOKEN, burst: 2, refillSeconds: 60 });
    for (let i = 0; i < 2; i++)
      await request(app).post(`/admin/models/${trained[0].version}/activate`).set('Authorization', 'Bearer nope').expect(401);
    const limited = await request(app).post(`/admin/models/${trained[0].version}/activate`).set('Authorization', `Bearer ${TOKEN}`).expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('when the version fails its integrity check, then 409 model_rejected, the live model keeps serving and the pointer stays', async () => {
    const { app, trained, paths } = setup();
    const weights = join(paths.registryDir, trained[1].version, trained[1].weights.file);
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] ^= 0xff; // one flipped byte: same size, wrong sha256
    writeFileSync(weights, bytes);
    const res = await request(app).post(`/admin/models/${trained[1].version}/activate`).set('Authorization', `Bearer ${TOKEN}`).expect(409);
    expect(res.body.error.code).toBe('model_rejected');
    expect(res.body.error.message).toMatch(/sha256/);
    expect(res.body.live_version).toBe(trained[2].version);
    expect(await liveOf(app)).toBe(trained[2].version);
    expect(readLiveVersion(paths.registryDir)).toBe(trained[2].version);
    expect(liveModel(paths).version).toBe(trained[2].version);
  });

  describe('racing a training that prunes the version', () => {
    afterEach(() => {
      delete raceHooks.beforeLoad;
      delete raceHooks.afterLoad;
    });

    it.each(['beforeLoad', 'afterLoad'] as const)(
      'when the version is pruned after the route found it (%s), then 409 with a JSON error, the live model and the pointer stay',
      async (when) => {
        const { app, trained, paths } = setup();
        // keep 1: everything but the newest (also live) version goes, as a training with keepModelVersions 1 would do.
        raceHooks[when] = () => expect(pruneModelVersions(paths.registryDir, 1)).toEqual([trained[1].version, trained[0].version]);
        const res = await request(app).post(`/admin/models/${trained[0].version}/activate`).set('Authorization', `Bearer ${TOKEN}`).expect(409);
        expect(res.headers['content-type']).toMatch(/json/);
        expect(res.body).toMatchObject({ error: { status: 409, code: 'model_rejected' }, live_version: trained[2].version });
        expect(res.body.error.message).toMatch(
          when === 'beforeLoad' ? /could not be loaded|not found|ENOENT|missing/i : /removed from the registry|not in the registry/,
        );
        expect(await liveOf(app)).toBe(trained[2].version);
        expect(readLiveVersion(paths.registryDir)).toBe(trained[2].version);
        expect(liveModel(paths)).toMatchObject({ version: trained[2].version, source: 'registry' });
      },
    );
  });

  it('when a version folder holds another version than its name says, then it is refused (409)', async () => {
    const { app, trained, paths } = setup();
    const manifestPath = join(paths.registryDir, trained[0].version, 'model.json');
    const other = JSON.parse(readFileSync(join(paths.registryDir, trained[1].version, 'model.json'), 'utf8'));
    writeFileSync(manifestPath, JSON.stringify(other));
    const weights = trained[1].weights.file;
    writeFileSync(join(paths.registryDir, trained[0].version, weights), readFileSync(join(paths.registryDir, trained[1].version, weights)));
    // A complete, intact model, but not the one its folder names: asked for by the folder name, it is refused.
    const res = await request(app).post(`/admin/models/${trained[0].version}/activate`).set('Authorization', `Bearer ${TOKEN}`).expect(409);
    expect(res.body.error.message).toContain(`is version ${trained[1].version}, not ${trained[0].version}`);
    expect(await liveOf(app)).toBe(trained[2].version);
  });
});
