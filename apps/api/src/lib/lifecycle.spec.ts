import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadModelArtifacts, saveModelArtifacts, type ModelManifest } from '@reelrank/model';
import { MOVIES, plantedBundle, RATED, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ModelHolder } from './model-holder.js';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';

/** Saves the planted model (variant 1 nudges a bias, giving another version) into dir. */
function save(dir: string, variant = 0): ModelManifest {
  const { model, popularity, manifest } = plantedBundle();
  model.movieBias[0] += variant * 0.01;
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  return saveModelArtifacts(dir, { model, popularity, manifest: input, metricsReport: {} });
}

/** Strong enough for the start-up check (admin-token.ts). */
const TOKEN = 'let-me-in-9f3Kq2Lx8Vb7Nc4Zt6';

function setup(admin: { token?: string; burst?: number; refillSeconds?: number } = { token: TOKEN, burst: 10_000, refillSeconds: 0.001 }) {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-lifecycle-'));
  const first = save(dir, 0);
  const holder = new ModelHolder(() => new Recommender(loadModelArtifacts(dir), inMemoryCatalog(MOVIES, RATED, 'api-fixture')));
  const app = createApp({ models: holder, config: { serving: SERVING }, admin });
  return { dir, first, holder, app };
}

const version = async (app: Parameters<typeof request>[0]) =>
  (await request(app).get('/ready').set('authorization', `Bearer ${TOKEN}`).expect(200)).body.model.version as string;

describe('model lifecycle', () => {
  it('when nothing is loaded yet, then /ready is 503 until the first load, then 200 with the version', async () => {
    const { app, holder, first } = setup();
    await request(app).get('/ready').expect(503);
    const result = holder.reload();
    expect(result).toMatchObject({ status: 'reloaded', version: first.version, previousVersion: null });
    expect(await version(app)).toBe(first.version);
  });

  it('when a new model is saved and reloaded, then it is live and the response names both versions', async () => {
    const { app, holder, dir, first } = setup();
    holder.reload();
    const second = save(dir, 1);
    expect(second.version).not.toBe(first.version);
    const res = await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.body).toMatchObject({ status: 'reloaded', version: second.version, previous_version: first.version, dataset: 'api-fixture' });
    expect(await version(app)).toBe(second.version);
    const same = await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(same.body).toMatchObject({ status: 'unchanged', version: second.version });
  });

  it('when the weights on disk are corrupt, then the reload is refused (409) and the old model keeps serving', async () => {
    const { app, holder, dir, first } = setup();
    holder.reload();
    const weights = join(dir, first.weights.file);
    const bytes = readFileSync(weights);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(weights, bytes);
    const res = await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(409);
    expect(res.body.error.code).toBe('model_rejected');
    expect(res.body.error.message).toMatch(/sha256/);
    expect(res.body.live_version).toBe(first.version);
    expect(await version(app)).toBe(first.version);
    await request(app).post('/recommendations').send({ user_id: 1 }).expect(200);
  });

  it('when model.json points at weights that are missing or truncated, then it is refused as partial', async () => {
    const { app, holder, dir, first } = setup();
    holder.reload();
    const manifestPath = join(dir, 'model.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, weights: { ...manifest.weights, file: 'weights-missing.bin' } }));
    expect((await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(409)).body.error.message).toMatch(/missing/);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const weights = join(dir, first.weights.file);
    writeFileSync(weights, readFileSync(weights).subarray(0, 16));
    expect((await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(409)).body.error.message).toMatch(
      /bytes, expected/,
    );
    writeFileSync(manifestPath, '{"format": "reelrank-mf", "formatVer');
    expect((await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(409)).body.live_version).toBe(first.version);
    expect(await version(app)).toBe(first.version);
  });
});

describe('POST /admin/reload guard', () => {
  it('when the token is missing, then 401 with WWW-Authenticate', async () => {
    const { app, holder } = setup();
    holder.reload();
    const res = await request(app).post('/admin/reload').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body.error).toMatchObject({ code: 'unauthorized', details: [{ field: 'authorization' }] });
    await request(app).post('/admin/reload').set('Authorization', 'Basic abc').expect(401);
  });

  it('when the token is wrong, then 401 (an unknown key, never anonymous)', async () => {
    const { app, holder } = setup();
    holder.reload();
    for (const token of ['let-me-out', `${TOKEN}-please`, 'x']) {
      expect((await request(app).post('/admin/reload').set('Authorization', `Bearer ${token}`).expect(401)).body.error.code).toBe('unauthorized');
    }
  });

  it('when no token is configured, then a bearer is an unknown key (401) and anonymous callers get 401', async () => {
    const { app } = setup({});
    expect((await request(app).post('/admin/reload').set('Authorization', 'Bearer anything').expect(401)).body.error.code).toBe('unauthorized');
    expect((await request(app).post('/admin/reload').expect(401)).body.error.code).toBe('unauthorized');
  });

  it('when valid reloads come faster than their token bucket allows, then 429 with Retry-After (failures do not drain it)', async () => {
    const { app, holder } = setup({ token: TOKEN, burst: 2, refillSeconds: 60 });
    holder.reload();
    await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    await request(app).post('/admin/reload').set('Authorization', 'Bearer wrong').expect(401);
    await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    const limited = await request(app).post('/admin/reload').set('Authorization', `Bearer ${TOKEN}`).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('over real HTTP (port 0)', () => {
  let server: Server;
  let base: string;
  let ctx: ReturnType<typeof setup>;

  beforeAll(async () => {
    ctx = setup();
    ctx.holder.reload();
    server = await new Promise<Server>((ready) => {
      const s = ctx.app.listen(0, '127.0.0.1', () => ready(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('when ~200 requests are in flight while the model is reloaded 10 times, then every one succeeds', async () => {
    const versions = [ctx.first.version, save(ctx.dir, 1).version];
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const calls: Promise<Response>[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 20 === 10) {
        save(ctx.dir, (i / 20) % 2); // alternate the model on disk, then reload it
        calls.push(post('/admin/reload', {}, { authorization: `Bearer ${TOKEN}` }));
      }
      if (i % 3 === 0) calls.push(post('/recommendations', { user_id: 1 + (i % 6), n_recommendations: 5 }));
      else if (i % 3 === 1) calls.push(post('/predict', { user_id: 1 + (i % 5), movie_id: [10, 20, 30, 50][i % 4] }));
      else calls.push(fetch(`${base}/ready`, { headers: { authorization: `Bearer ${TOKEN}` } }));
    }
    const responses = await Promise.all(calls);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
    expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    expect(responses.length).toBe(210);
    for (const body of bodies) {
      if ('predicted_rating' in body) expect(body.predicted_rating).toEqual(expect.any(Number));
      if ('recommendations' in body) expect((body.recommendations as unknown[]).length).toBeGreaterThan(0);
      if (body.status === 'ready') expect(versions).toContain((body.model as { version: string }).version);
    }
  });

  it('when a body arrives chunked (no Content-Length), then it is parsed like any other', async () => {
    const answer = await new Promise<{ status: number; body: string }>((done, fail) => {
      const req = httpRequest(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', fail);
      req.write('{"user_id":2,');
      req.end('"movie_id":70}');
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ user_id: 2, movie_id: 70 });
  });
});
