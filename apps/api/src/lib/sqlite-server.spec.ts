import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDatabase } from '@reelrank/database';
import { saveModelArtifacts } from '@reelrank/model';
import { PROCESSED_DIR, plantedBundle, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { openSqliteCatalog, type MovieCatalog, Recommender } from '@reelrank/serving';

/** A real SQLite catalogue built by @reelrank/database's own loader from __fixtures__/processed. */
async function buildFixtureDatabase(dir: string): Promise<string> {
  const dbPath = join(dir, 'api-fixture.db');
  await loadDatabase({ processedDir: PROCESSED_DIR, dbPath, dataset: 'api-fixture', log: () => undefined });
  return dbPath;
}

describe('against a real SQLite database over real HTTP', () => {
  let catalog: MovieCatalog;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    catalog = openSqliteCatalog(await buildFixtureDatabase(mkdtempSync(join(tmpdir(), 'reelrank-api-'))));
    const app = createApp({ recommender: new Recommender(plantedBundle(), catalog), config: { serving: SERVING } });
    server = await new Promise<Server>((ready) => {
      const s = app.listen(0, '127.0.0.1', () => ready(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
    catalog.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('when the catalogue is read from SQLite, then titles with commas and empty years survive', () => {
    const movies = catalog.allMovies();
    expect(movies.map((m) => m.movieId)).toEqual([10, 20, 30, 40, 50, 60, 70, 90]);
    expect(movies.find((m) => m.movieId === 30)).toEqual({ movieId: 30, title: 'Galaxy, The (1999)', year: 1999, genres: ['Sci-Fi'] });
    expect(movies.find((m) => m.movieId === 90)).toEqual({ movieId: 90, title: 'Untitled Short', year: null, genres: [] });
    expect(catalog.ratedMovieIds(1)).toEqual([10, 50]);
    expect(catalog.dataset()).toBe('api-fixture');
  });

  it('when searching over HTTP, then the database title search answers', async () => {
    const body = (await (await fetch(`${base}/movies/search?q=galaxy`)).json()) as { total: number; movies: { movie_id: number }[] };
    expect(body.total).toBe(1);
    expect(body.movies[0].movie_id).toBe(30);
  });

  it('when user 1 asks over HTTP, then the movies they rated in the database are excluded', async () => {
    const res = await post('/recommendations', { user_id: 1, n_recommendations: 10 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { strategy: string; recommendations: { movie_id: number }[] };
    expect(body.strategy).toBe('personalized');
    expect(body.recommendations.map((m) => m.movie_id)).toEqual([30, 20, 40, 60, 70]);
  });

  it('when user 3 (one rating in the database) asks, then that rating is excluded too', async () => {
    const body = (await (await post('/recommendations', { user_id: 3, n_recommendations: 10 })).json()) as {
      recommendations: { movie_id: number }[];
    };
    expect(body.recommendations.map((m) => m.movie_id)).not.toContain(20);
  });

  it('when a prediction and a malformed body are sent over HTTP, then 200 and a JSON 400 come back', async () => {
    expect(await (await post('/predict', { user_id: 2, movie_id: 70 })).json()).toEqual({
      user_id: 2,
      movie_id: 70,
      predicted_rating: 4.3,
      model_version: expect.any(String),
    });
    const bad = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user_id":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    expect(bad.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('main.ts', () => {
  /** REELRANK_ADMIN_TOKEN of the server below: strong enough for the start-up check (admin-token.ts). */
  const TOKEN = 's3cret-9Hq2Xv7Lm4Kp8Zr3Wt6';
  const root = resolve(__dirname, '../../../..');
  const run = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/api/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        REELRANK_DATASET: 'ml-latest-small',
        HOST: '127.0.0.1',
        REELRANK_METRICS_PORT: '0',
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    return { child, exited, output: () => output };
  };

  it('when no model has been trained, then it prints one clear line and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-empty-'));
    const proc = run({ REELRANK_DATA_DIR: dir, REELRANK_MODELS_DIR: dir, PORT: '0' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(
      /^no trained model for ml-latest-small: run `npm start` \(which builds the stages\) or `npx nx run trainer:pipeline`/m,
    );
  }, 30_000);

  it('when a model and database exist, then it serves, its metrics listener serves Prometheus text, it reloads on /admin/reload and SIGHUP, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-main-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    await loadDatabase({
      processedDir: PROCESSED_DIR,
      dbPath: join(dataDir, 'ml-latest-small.db'),
      dataset: 'ml-latest-small',
      log: () => undefined,
    });
    const { model, popularity, manifest } = plantedBundle();
    const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
    saveModelArtifacts(join(dir, 'models', 'ml-latest-small'), { model, popularity, manifest: input, metricsReport: {} });

    const proc = run({
      REELRANK_DATA_DIR: dataDir,
      REELRANK_MODELS_DIR: join(dir, 'models'),
      PORT: '0',
      REELRANK_ADMIN_TOKEN: TOKEN,
    });
    const url = await new Promise<string>((found, fail) => {
      const timer = setInterval(() => {
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(proc.output());
        if (match) {
          clearInterval(timer);
          found(match[1]);
        }
      }, 50);
      void proc.exited.then(() => {
        clearInterval(timer);
        fail(new Error(`server exited: ${proc.output()}`));
      });
    });
    expect(await (await fetch(`${url}/ready`)).json()).toEqual({ status: 'ready' });
    const res = await fetch(`${url}/ready`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const ready = (await res.json()) as { model: { dataset: string; version: string } };
    expect(ready.model.dataset).toBe('api-fixture');
    // /metrics: on the API's port only with the token; on the metrics listener (127.0.0.1, any free port here) without.
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const metricsLine = /metrics \(Prometheus\) at (http:\/\/127\.0\.0\.1:\d+)\/metrics/;
    while (!metricsLine.test(proc.output())) await new Promise((resolve) => setTimeout(resolve, 20));
    const scrapeUrl = metricsLine.exec(proc.output())![1];
    const scraped = await fetch(`${scrapeUrl}/metrics`);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scraped.text()).toMatch(/^reelrank_model_live\{version="[^"]+"\} 1$/m);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    // Reload through the admin route (token from REELRANK_ADMIN_TOKEN) and through SIGHUP.
    expect((await fetch(`${url}/admin/reload`, { method: 'POST' })).status).toBe(401);
    const reload = await fetch(`${url}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await reload.json()).toMatchObject({ status: 'unchanged', version: ready.model.version, previous_version: ready.model.version });
    proc.child.kill('SIGHUP');
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        if (proc.output().includes(`SIGHUP: model ${ready.model.version} is live`)) {
          clearInterval(timer);
          done();
        }
      }, 50);
    });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 30_000);
});
