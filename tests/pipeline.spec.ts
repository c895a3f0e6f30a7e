import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { runIngest } from '@reelrank/ingest';
import { loadDatabase } from '@reelrank/database';
import { runTraining } from '@reelrank/trainer';
import { loadModelArtifacts } from '@reelrank/model';
import { createApp } from '@reelrank/api';
import { openSqliteCatalog, Recommender } from '@reelrank/serving';
import { sliceOfMlLatestSmall, tempWorkspace } from './shared-data';

/**
 * The whole product on real data: a slice of ml-latest-small (first 120 users) goes through the
 * real ingest, database and train stages into a throwaway workspace, then the real app answers HTTP.
 */
describe('pipeline end to end on a slice of ml-latest-small', () => {
  let config: AppConfig;
  let server: Server;
  let base: string;
  let closeCatalog: () => void;
  const quiet = () => undefined;

  beforeAll(async () => {
    const root = tempWorkspace();
    const source = sliceOfMlLatestSmall(120);
    config = loadConfig({
      root,
      env: { MOVIELENS_SOURCE: source },
      overrides: { training: { maxEpochs: 25, factors: 32 } },
    });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet });

    const catalog = openSqliteCatalog(config.paths.dbPath);
    closeCatalog = () => catalog.close();
    const recommender = new Recommender(loadModelArtifacts(config.paths.modelDir), catalog);
    const app = createApp({ recommender: () => recommender, config });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    closeCatalog?.();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('when the stages ran, then each wrote its artifact and the report counts add up', () => {
    const report = JSON.parse(readFileSync(join(config.paths.processedDir, 'report.json'), 'utf8'));
    expect(report).toHaveProperty('dataHash');
    expect(existsSync(config.paths.dbPath)).toBe(true);
    const metrics = JSON.parse(readFileSync(join(config.paths.modelDir, 'metrics.json'), 'utf8'));
    expect(metrics).toBeTruthy();
    const manifest = JSON.parse(readFileSync(join(config.paths.modelDir, 'model.json'), 'utf8'));
    expect(manifest.dataset).toBe('ml-latest-small');
    expect(manifest.users).toBe(120);
    expect(manifest.dataHash).toBe(report.dataHash);
  });

  it('when the model is evaluated on held-out ratings, then it beats the global mean and the bias baseline', () => {
    const { metrics } = JSON.parse(readFileSync(join(config.paths.modelDir, 'model.json'), 'utf8'));
    expect(metrics.testRmse).toBeGreaterThan(0.5);
    expect(metrics.testRmse).toBeLessThan(metrics.models['global mean'].rmse);
    expect(metrics.testRmse).toBeLessThan(metrics.models['baseline (mu + b_u + b_i, ALS)'].rmse + 0.01);
  });

  it('when a known user asks for recommendations, then they are personal, unseen and well-formed', async () => {
    const rated = new Set(
      readFileSync(join(config.paths.processedDir, 'ratings.csv'), 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('1,'))
        .map((line) => Number(line.split(',')[1])),
    );
    expect(rated.size).toBeGreaterThan(100);
    const { status, body } = await post('/recommendations', { user_id: 1, n_recommendations: 10 });
    expect(status).toBe(200);
    expect(body.user_id).toBe(1);
    expect(body.strategy).toBe('personalized');
    expect(body.recommendations).toHaveLength(10);
    for (const item of body.recommendations) {
      expect(rated.has(item.movie_id)).toBe(false);
      expect(typeof item.title).toBe('string');
      expect(Array.isArray(item.genres)).toBe(true);
      expect(item.predicted_rating).toBeGreaterThanOrEqual(0.5);
      expect(item.predicted_rating).toBeLessThanOrEqual(5);
    }
    // The list is ordered by the ranker (implicit + rating + popularity), not by predicted_rating.
    expect(new Set(body.recommendations.map((r: { movie_id: number }) => r.movie_id)).size).toBe(10);
  });

  it('when an unknown user asks, then the popular list comes back', async () => {
    const { status, body } = await post('/recommendations', { user_id: 999999, n_recommendations: 5 });
    expect(status).toBe(200);
    expect(body.strategy).toBe('popular');
    expect(body.recommendations).toHaveLength(5);
  });

  it('when predicting a rating, then it is in range; an unknown movie is a 404; bad input a 400', async () => {
    const ok = await post('/predict', { user_id: 1, movie_id: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ user_id: 1, movie_id: 1 });
    expect(ok.body.predicted_rating).toBeGreaterThanOrEqual(0.5);
    expect(ok.body.predicted_rating).toBeLessThanOrEqual(5);
    expect((await post('/predict', { user_id: 1, movie_id: 99999999 })).status).toBe(404);
    const bad = await post('/predict', { user_id: 'one', movie_id: 1 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('user_id');
  });

  it('when the docs are opened, then Swagger UI and the OpenAPI document are served', async () => {
    const docs = await fetch(`${base}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/recommendations', '/predict']));
  });
});
