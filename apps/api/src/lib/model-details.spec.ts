import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  appendTrainingRun,
  gateHistory,
  loadModelArtifacts,
  readLiveVersion,
  registerModelVersion,
  saveModelArtifacts,
  syncModelRegistry,
  type GateVerdict,
  type ModelManifest,
} from '@reelrank/model';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { MOVIES, plantedBundle, RATED, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ModelHolder } from './model-holder.js';

/**
 * GET /models/{version} and the gate on POST /admin/models/{version}/activate, against a real
 * registry on disk: a promoted version (live) and one the promotion gate rejected, each with its
 * training run in the history, as the train stage writes them.
 */

const TOKEN = 'gate-details-token-5Hq8Zr2Lx7Vb3Nc';

function verdict(decision: 'promoted' | 'rejected', live: string | null): GateVerdict {
  return {
    decision,
    reason: decision === 'rejected' ? `holdout RMSE 1.2000 > live 0.9000 + 0.01 (live ${live})` : 'no live model to compare with',
    k: 10,
    holdout: { share: 0.02, seed: 7, ratings: 40 },
    epsilon: { rmse: 0.01, ndcg: 0.01 },
    candidate: { rmse: decision === 'rejected' ? 1.2 : 0.9, ndcgAtK: 0.3, rows: 40, users: 12 },
    live: live ? { version: live, rmse: 0.9, ndcgAtK: 0.3, rows: 40, users: 12 } : null,
  };
}

function train(paths: { modelDir: string; registryDir: string }, variant: number, gate: GateVerdict): ModelManifest {
  const { model, popularity, manifest } = plantedBundle();
  model.movieBias[0] += variant * 0.01;
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  const saved = saveModelArtifacts(paths.modelDir, {
    model,
    popularity,
    manifest: { ...input, createdAt: `2026-01-0${variant + 1}T00:00:00.000Z`, gate, metrics: { k: 10, testRmse: 0.9 } },
    metricsReport: {},
  });
  registerModelVersion(paths.registryDir, paths.modelDir, { keep: 5, makeLive: true });
  appendTrainingRun(paths.registryDir, {
    runId: `run-${variant}`,
    dataset: saved.dataset,
    startedAt: saved.createdAt,
    finishedAt: saved.createdAt,
    outcome: gate.decision,
    version: saved.version,
    liveBefore: gate.live?.version ?? null,
    liveAfter: readLiveVersion(paths.registryDir),
    dataHash: saved.dataHash,
    seed: 42,
    settings: { factors: 4, learningRate: variant ? 0 : 0.03 },
    steps: { total: 1.5, gate: 0.1 },
    metrics: saved.metrics,
    gate,
    postedRatings: 3,
    error: null,
  });
  return saved;
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'reelrank-gate-'));
  const paths = { modelDir: join(root, 'api-fixture'), registryDir: join(root, '_versions', 'api-fixture') };
  const promoted = train(paths, 0, verdict('promoted', null));
  const rejected = train(paths, 1, verdict('rejected', promoted.version));
  const holder = new ModelHolder(
    (dir) => new Recommender(loadModelArtifacts(dir ?? syncModelRegistry(paths, 5).dir), inMemoryCatalog(MOVIES, RATED, 'api-fixture')),
  );
  holder.reload();
  const app = createApp({
    models: holder,
    config: { serving: SERVING },
    admin: { token: TOKEN, burst: 10_000, refillSeconds: 0.001 },
    registry: { paths, keep: 5 },
    gateHistory: () => gateHistory(paths.registryDir),
  });
  return { paths, promoted, rejected, app };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('GET /models/{version}', () => {
  it('when a rejected version is asked for, then its gate figures, reason and training run are returned, and the promoted one stays live', async () => {
    const { app, promoted, rejected, paths } = setup();
    expect(readLiveVersion(paths.registryDir)).toBe(promoted.version);
    const res = await request(app).get(`/models/${rejected.version}`).set(auth).expect(200);
    expect(res.body).toMatchObject({
      version: rejected.version,
      live: false,
      status: 'rejected',
      gate: {
        decision: 'rejected',
        reason: expect.stringContaining('holdout RMSE 1.2000 > live 0.9000'),
        candidate: { rmse: 1.2, ndcg_at_k: 0.3, rows: 40 },
        live: { version: promoted.version, rmse: 0.9 },
      },
      run: { run_id: 'run-1', outcome: 'rejected', seed: 42, posted_ratings: 3, steps_seconds: { total: 1.5 }, settings: { learningRate: 0 } },
    });
    const list = await request(app).get('/models').set(auth).expect(200);
    expect(list.body.versions.map((v: { status: string }) => v.status)).toEqual(['rejected', 'live']);
    expect((await request(app).get(`/models/${promoted.version}`).set(auth).expect(200)).body).toMatchObject({ status: 'live', live: true });
  });

  it('when the version is unknown, malformed or the caller has no credential, then 404, 400 naming the field, 401', async () => {
    const { app } = setup();
    expect((await request(app).get('/models/mf-000000000000').set(auth).expect(404)).body.error.code).toBe('model_version_not_found');
    const bad = await request(app).get('/models/..%2Fetc').set(auth).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field: 'version' })] });
    await request(app).get('/models/mf-000000000000').expect(401);
  });
});

describe('POST /admin/models/{version}/activate and the gate', () => {
  it('when a rejected version is activated without force, then 409 and the live one keeps serving; with force=true it goes live', async () => {
    const { app, promoted, rejected, paths } = setup();
    const refused = await request(app).post(`/admin/models/${rejected.version}/activate`).set(auth).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'model_rejected_by_gate', message: expect.stringContaining('force=true') });
    expect(readLiveVersion(paths.registryDir)).toBe(promoted.version);
    const bad = await request(app).post(`/admin/models/${rejected.version}/activate?force=yes`).set(auth).expect(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'force' })]);
    const forced = await request(app).post(`/admin/models/${rejected.version}/activate?force=true`).set(auth).expect(200);
    expect(forced.body).toMatchObject({ status: 'activated', version: rejected.version, previous_version: promoted.version });
    expect(readLiveVersion(paths.registryDir)).toBe(rejected.version);
    expect((await request(app).get(`/models/${rejected.version}`).set(auth).expect(200)).body).toMatchObject({
      status: 'live',
      gate: { decision: 'rejected' },
    });
  });
});

describe('the gate across versions (metrics and the dashboard summary)', () => {
  it('when versions were gated, then /metrics has their holdout figures by version and decision, and the summary lists them oldest first', async () => {
    const { app, promoted, rejected } = setup();
    const text = (await request(app).get('/metrics').set(auth).expect(200)).text;
    expect(text).toContain(`reelrank_gate_holdout_rmse{version="${rejected.version}",decision="rejected"} 1.2`);
    expect(text).toContain(`reelrank_gate_holdout_ndcg{version="${promoted.version}",decision="promoted"} 0.3`);
    const summary = (await request(app).get('/metrics/summary').set(auth).expect(200)).body;
    expect(summary.gate).toEqual([
      { version: promoted.version, decision: 'promoted', decided_at: promoted.createdAt, rmse: 0.9, ndcg_at_k: 0.3 },
      { version: rejected.version, decision: 'rejected', decided_at: rejected.createdAt, rmse: 1.2, ndcg_at_k: 0.3 },
    ]);
  });
});
