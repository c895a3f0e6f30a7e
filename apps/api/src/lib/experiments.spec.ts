import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { openSqliteExperimentStore, openSqliteRatingsStore, type ExperimentStore } from '@reelrank/feedback';
import {
  loadModelArtifacts,
  modelVersionDir,
  pinnedVersions,
  readLiveVersion,
  registerModelVersion,
  saveModelArtifacts,
  setLiveVersion,
  syncModelRegistry,
} from '@reelrank/model';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { MOVIES, plantedBundle, RATED, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { armSplitter } from './experiment-arm.js';
import type { ExperimentRunner } from './experiment-runner.js';
import { ModelHolder } from './model-holder.js';

/**
 * The experiment routes and the A/B split against a real registry on disk (two trainings of the
 * planted model: the live one and a challenger), a holder that builds like main.ts, and the
 * experiments in a SQLite ratings file, so a second app on the same files stands for a restart.
 */

const TOKEN = 'let-me-in-9f3Kq2Lx8Vb7Nc4Zt6';
const AS_ADMIN = { authorization: `Bearer ${TOKEN}` };
const USERS = Array.from({ length: 60 }, (_, i) => i + 1);

function train(modelDir: string, registryDir: string, variant: number): string {
  const { model, popularity, manifest } = plantedBundle();
  model.movieBias[0] += variant * 0.01;
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  const saved = saveModelArtifacts(modelDir, {
    model,
    popularity,
    manifest: { ...input, createdAt: `2026-01-0${variant + 1}T00:00:00.000Z` },
    metricsReport: {},
  });
  registerModelVersion(registryDir, modelDir, { keep: 5, makeLive: variant === 0 });
  return saved.version;
}

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'reelrank-experiments-'));
  const paths = { modelDir: join(root, 'api-fixture'), registryDir: join(root, '_versions', 'api-fixture') };
  const [live, challenger] = [0, 1].map((variant) => train(paths.modelDir, paths.registryDir, variant));
  // The newest training is published (as the pipeline does), then the first one made live again (a rollback): the challenger waits in the registry.
  syncModelRegistry(paths, 5);
  setLiveVersion(paths.registryDir, live);
  return { root, paths, live, challenger, ratingsDb: join(root, 'ratings.db') };
}

type Workspace = ReturnType<typeof workspace>;

/** One server process on the workspace (another call: a restart, or another replica on the same store). */
function serve(ws: Workspace) {
  const build = (dir: string) => new Recommender(loadModelArtifacts(dir), inMemoryCatalog(MOVIES, RATED, 'api-fixture'));
  const holder = new ModelHolder((dir) => build(dir ?? syncModelRegistry(ws.paths, 5).dir));
  holder.reload();
  const store: ExperimentStore = openSqliteExperimentStore(ws.ratingsDb);
  const ratings = openSqliteRatingsStore(ws.ratingsDb);
  const app = createApp({
    models: holder,
    config: { serving: SERVING },
    admin: { token: TOKEN, burst: 10_000, refillSeconds: 0.001 },
    registry: { paths: ws.paths, keep: 5 },
    ratings,
    experiments: { store, load: (version) => build(modelVersionDir(ws.paths.registryDir, version)!), pollMs: 50 },
  });
  const runner = app.locals.experiments as ExperimentRunner;
  servers.push({ runner, close: () => Promise.all([store.close(), ratings.close()]) });
  return { app, holder, runner, store };
}
const servers: { runner: ExperimentRunner; close: () => Promise<unknown> }[] = [];
afterEach(async () => {
  for (const { runner, close } of servers.splice(0)) {
    runner.stop();
    await close();
  }
});

const start = (app: Express, body: object) => request(app).post('/admin/experiments').set(AS_ADMIN).send(body);
const versionsServed = async (app: Express, users = USERS) => {
  const served = new Map<number, string>();
  for (const user_id of users) {
    const rec = await request(app).post('/recommendations').send({ user_id, n_recommendations: 3 }).expect(200);
    const predicted = await request(app).post('/predict').send({ user_id, movie_id: 10 }).expect(200);
    expect(predicted.body.model_version).toBe(rec.body.model_version);
    served.set(user_id, rec.body.model_version);
  }
  return served;
};
const until = async (check: () => Promise<boolean> | boolean, timeoutMs = 3000) => {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 20));
  }
};

describe('POST /admin/experiments', () => {
  it('when an admin starts one, then each user is answered by their arm: the challenger for its share, the live model for the rest', async () => {
    const ws = workspace();
    const { app } = serve(ws);
    const before = await versionsServed(app, [1, 2, 3]);
    expect([...before.values()]).toEqual([ws.live, ws.live, ws.live]);
    const res = await start(app, { challenger_version: ws.challenger, share: 0.5, seed: 11, name: 'bias shift' }).expect(201);
    expect(res.body).toMatchObject({
      live_version: ws.live,
      experiment: {
        id: 1,
        name: 'bias shift',
        control_version: ws.live,
        challenger_version: ws.challenger,
        share: 0.5,
        seed: 11,
        status: 'running',
        ended_at: null,
      },
    });
    const arm = armSplitter(11, 0.5);
    const served = await versionsServed(app);
    for (const user of USERS)
      expect({ user, version: served.get(user) }).toEqual({ user, version: arm(user) === 'challenger' ? ws.challenger : ws.live });
    expect(new Set(served.values())).toEqual(new Set([ws.live, ws.challenger]));
    // Asked again (answer cache, fold-in cache): the same arm, never the other model's answer.
    expect(await versionsServed(app)).toEqual(served);
    const batch = await request(app)
      .post('/predict/batch')
      .send({ pairs: USERS.slice(0, 20).map((user_id) => ({ user_id, movie_id: 10 })) })
      .expect(200);
    expect(batch.body.predictions.map((p: { user_id: number; model_version: string }) => p.model_version)).toEqual(
      USERS.slice(0, 20).map((u) => served.get(u)),
    );
    // No user id: the live model.
    const newUser = await request(app)
      .post('/recommendations/new-user')
      .send({ ratings: [{ movie_id: 10, rating: 5 }] })
      .expect(200);
    expect(newUser.body.model_version).toBe(ws.live);
    // The registry keeps both versions while the experiment runs, whatever a training prunes.
    expect([...pinnedVersions(ws.paths.registryDir)].sort()).toEqual([ws.live, ws.challenger].sort());
  });

  it('when the input is bad, then 4xx naming the field; a second experiment while one runs is 409', async () => {
    const ws = workspace();
    const { app } = serve(ws);
    for (const [body, field] of [
      [{ challenger_version: ws.challenger, share: 0 }, 'share'],
      [{ challenger_version: ws.challenger, share: 1 }, 'share'],
      [{ challenger_version: ws.challenger }, 'share'],
      [{ challenger_version: '../x', share: 0.5 }, 'challenger_version'],
      [{ challenger_version: ws.challenger, share: 0.5, seed: -1 }, 'seed'],
      [{ challenger_version: ws.challenger, share: 0.5, name: 'a\nb' }, 'name'],
      [{ challenger_version: ws.challenger, share: 0.5, extra: 1 }, 'extra'],
      [{ challenger_version: ws.live, share: 0.5 }, 'challenger_version'],
    ] as const) {
      const res = await start(app, body).expect(400);
      expect({ body, fields: res.body.error.details.map((d: { field: string }) => d.field) }).toEqual({ body, fields: [field] });
    }
    const unknown = await start(app, { challenger_version: 'mf-000000000000', share: 0.5 }).expect(404);
    expect(unknown.body.error).toMatchObject({ code: 'model_version_not_found', details: [{ field: 'challenger_version' }] });
    await start(app, { challenger_version: ws.challenger, share: 0.2 }).expect(201);
    const again = await start(app, { challenger_version: ws.challenger, share: 0.3 }).expect(409);
    expect(again.body.error.code).toBe('experiment_running');
    expect(again.body.running.share).toBe(0.2);
  });

  it('when the caller is not an admin, then every experiment route answers 401 without credentials', async () => {
    const ws = workspace();
    const { app } = serve(ws);
    await start(app, { challenger_version: ws.challenger, share: 0.5 }).set('authorization', '').expect(401);
    await request(app).get('/admin/experiments').expect(401);
    await request(app).post('/admin/experiments/1/conclude').send({ outcome: 'drop' }).expect(401);
    expect((await request(app).get('/admin/experiments').set(AS_ADMIN).expect(200)).body.running).toBeNull();
  });
});

describe('the experiment lifecycle', () => {
  it('when the server restarts, then the experiment still runs and splits the users the same way', async () => {
    const ws = workspace();
    const first = serve(ws);
    await start(first.app, { challenger_version: ws.challenger, share: 0.4, seed: 5 }).expect(201);
    const served = await versionsServed(first.app);
    first.runner.stop();
    const second = serve(ws);
    await until(() => second.runner.active !== undefined);
    expect(await versionsServed(second.app)).toEqual(served);
    const listed = (await request(second.app).get('/admin/experiments').set(AS_ADMIN).expect(200)).body;
    expect(listed).toMatchObject({ running: { id: 1, challenger_version: ws.challenger }, serving: { challenger_loaded: true, error: null } });
  });

  it('when another process concludes it, then this one stops serving the challenger within the poll; drop leaves the live model', async () => {
    const ws = workspace();
    const a = serve(ws);
    const b = serve(ws);
    await start(a.app, { challenger_version: ws.challenger, share: 0.5, seed: 3 }).expect(201);
    await until(() => b.runner.active !== undefined);
    const res = await request(b.app).post('/admin/experiments/1/conclude').set(AS_ADMIN).send({ outcome: 'drop' }).expect(200);
    expect(res.body).toMatchObject({ experiment: { id: 1, status: 'dropped' }, live_version: ws.live });
    expect(res.body.experiment.ended_at).not.toBeNull();
    await until(() => a.runner.active === undefined);
    expect(new Set((await versionsServed(a.app)).values())).toEqual(new Set([ws.live]));
    expect([...pinnedVersions(ws.paths.registryDir)]).toEqual([]);
    const twice = await request(a.app).post('/admin/experiments/1/conclude').set(AS_ADMIN).send({ outcome: 'promote' }).expect(409);
    expect(twice.body.error.code).toBe('experiment_not_running');
    const missing = await request(a.app).post('/admin/experiments/9/conclude').set(AS_ADMIN).send({ outcome: 'drop' }).expect(404);
    expect(missing.body.error.details[0].field).toBe('id');
    const bad = await request(a.app).post('/admin/experiments/1/conclude').set(AS_ADMIN).send({ outcome: 'keep' }).expect(400);
    expect(bad.body.error.details[0].field).toBe('outcome');
    await request(a.app).post('/admin/experiments/x/conclude').set(AS_ADMIN).send({ outcome: 'drop' }).expect(400);
  });

  it('when the challenger is promoted, then it is live for everyone here, the registry pointer moves, and another process follows', async () => {
    const ws = workspace();
    const a = serve(ws);
    const b = serve(ws);
    await start(a.app, { challenger_version: ws.challenger, share: 0.5 }).expect(201);
    await until(() => b.runner.active !== undefined);
    const res = await request(a.app).post('/admin/experiments/1/conclude').set(AS_ADMIN).send({ outcome: 'promote' }).expect(200);
    expect(res.body).toMatchObject({ experiment: { status: 'promoted' }, live_version: ws.challenger });
    expect(readLiveVersion(ws.paths.registryDir)).toBe(ws.challenger);
    expect(new Set((await versionsServed(a.app)).values())).toEqual(new Set([ws.challenger]));
    await until(() => b.holder.current()?.manifest.version === ws.challenger && b.runner.active === undefined);
    expect(new Set((await versionsServed(b.app)).values())).toEqual(new Set([ws.challenger]));
  });
});

describe('per-arm figures', () => {
  it('when users of both arms are answered and rate recommended movies, then /metrics and the summary count answers, latency and online hits per arm', async () => {
    const ws = workspace();
    const { app } = serve(ws);
    await start(app, { challenger_version: ws.challenger, share: 0.5, seed: 21 }).expect(201);
    const arm = armSplitter(21, 0.5);
    const [challengerUser, controlUser] = [USERS.find((u) => arm(u) === 'challenger')!, USERS.find((u) => arm(u) === 'control')!];
    for (const [user, rating] of [
      [challengerUser, 5],
      [controlUser, 2],
    ]) {
      const rec = await request(app).post('/recommendations').send({ user_id: user, n_recommendations: 3 }).expect(200);
      const movie = rec.body.recommendations[0].movie_id;
      await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: user, movie_id: movie, rating }).expect(201);
    }
    const text = (await request(app).get('/metrics').set(AS_ADMIN).expect(200)).text;
    expect(text).toContain(`reelrank_ab_answers_total{experiment="1",arm="challenger",version="${ws.challenger}"} 1`);
    expect(text).toContain(`reelrank_ab_answers_total{experiment="1",arm="control",version="${ws.live}"} 1`);
    expect(text).toContain(`reelrank_ab_request_duration_seconds_count{experiment="1",arm="challenger",version="${ws.challenger}"} 1`);
    expect(text).toContain(
      `reelrank_ab_online_liked_ratings_total{experiment="1",arm="challenger",version="${ws.challenger}",source="recommended"} 1`,
    );
    expect(text).toContain(`reelrank_ab_online_hit_rate{experiment="1",arm="control",version="${ws.live}"} 0`);
    expect(text).toMatch(/reelrank_ab_hit_rate_difference\{experiment="1",bound="estimate"\} 1\b/);
    const summary = (await request(app).get('/metrics/summary').set(AS_ADMIN).expect(200)).body.experiment;
    expect(summary.experiment).toBe(1);
    expect(summary.arms.map((a: { arm: string; version: string; answers: number }) => [a.arm, a.version, a.answers])).toEqual([
      ['control', ws.live, 1],
      ['challenger', ws.challenger, 1],
    ]);
    expect(summary.arms[1].online).toEqual({ ratings: 1, liked: 1, hit_rate: 1 });
    expect(summary.arms[1].latency.count).toBe(1);
    expect(summary.hit_rate_difference).toMatchObject({ estimate: 1, confidence: 0.95 });
  });
});
