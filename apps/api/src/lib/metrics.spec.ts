import request from 'supertest';
import { plantedRecommender } from '@reelrank/serving/testing';
import { SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import type { ServiceMetrics } from './metrics.js';
import type { OnlineEvalSink } from './online-eval.js';

/** The value of one sample line of the Prometheus text (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0];
    if (wanted.every((w) => labelText.includes(w))) return Number(line.split(' ').pop());
  }
  return 0;
}

const scrape = async (app: Parameters<typeof request>[0]) => {
  const res = await request(app).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
};

describe('GET /metrics', () => {
  const recommender = plantedRecommender();
  const app = createApp({ recommender, config: { serving: SERVING } });

  it('when requests are answered (fast path included), then requests by route and status and the latency histogram move', async () => {
    const before = await scrape(app);
    for (let i = 0; i < 3; i++) await request(app).post('/predict').send({ user_id: 1, movie_id: 10 }).expect(200);
    await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    await request(app).post('/predict').send({ user_id: 'x', movie_id: 10 }).expect(400);
    await request(app).get('/movies/12345').expect(404);
    await request(app).get('/no-such-route').expect(404);
    await request(app).post('/predict').set('content-type', 'application/json').send('{"user_id":').expect(400);
    const after = await scrape(app);
    const moved = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('reelrank_http_requests_total', { route: '/predict', method: 'POST', status: '200' })).toBe(3);
    expect(moved('reelrank_http_requests_total', { route: '/predict', method: 'POST', status: '400' })).toBe(1);
    expect(moved('reelrank_http_requests_total', { route: '/recommendations', status: '200' })).toBe(1);
    expect(moved('reelrank_http_requests_total', { route: '/movies/:movie_id', status: '404' })).toBe(1);
    expect(moved('reelrank_http_requests_total', { route: '(unmatched)', status: '404' })).toBe(1);
    expect(moved('reelrank_http_requests_total', { route: '(other)', method: 'POST', status: '400' })).toBe(1); // refused before routing
    expect(moved('reelrank_http_request_duration_seconds_count', { route: '/predict' })).toBe(4);
    expect(moved('reelrank_http_request_duration_seconds_bucket', { route: '/predict', le: '+Inf' })).toBe(4);
  });

  it('when a known and an unknown user ask for recommendations, then answers by strategy and cold starts are counted', async () => {
    const before = await scrape(app);
    await request(app).post('/recommendations').send({ user_id: 1 }).expect(200);
    const cold = await request(app).post('/recommendations').send({ user_id: 99_999 }).expect(200);
    expect(cold.body.strategy).toBe('popular');
    const after = await scrape(app);
    expect(sample(after, 'reelrank_cold_start_answers_total') - sample(before, 'reelrank_cold_start_answers_total')).toBe(1);
    const moved = (strategy: string) =>
      sample(after, 'reelrank_recommendation_answers_total', { strategy }) - sample(before, 'reelrank_recommendation_answers_total', { strategy });
    expect(moved('personalized')).toBe(1);
    expect(moved('popular')).toBe(1);
  });

  it('when scraped, then the live model version is a gauge labelled with it', async () => {
    expect(sample(await scrape(app), 'reelrank_model_live', { version: recommender.manifest.version })).toBe(1);
  });

  it('when ratings arrive for recommended and other movies, then the online hit rates follow them', async () => {
    const fresh = createApp({ recommender: plantedRecommender(), config: { serving: SERVING } });
    const { online, metrics } = fresh.locals as { online: OnlineEvalSink; metrics: ServiceMetrics };
    const shown = (await request(fresh).post('/recommendations').send({ user_id: 2, n_recommendations: 2 }).expect(200)).body.recommendations.map(
      (r: { movie_id: number }) => r.movie_id,
    );
    expect(shown).toHaveLength(2);
    // What POST /ratings will do for each rating it stores (connected when the ratings routes are merged):
    online.observeRating(2, shown[0], 5);
    online.observeRating(2, shown[1], 3);
    online.observeRating(2, 999_999, 4.5);
    metrics.ratingsReceived.inc(3);
    const text = await scrape(fresh);
    expect(sample(text, 'reelrank_online_hit_rate', { source: 'recommended' })).toBe(0.5);
    expect(sample(text, 'reelrank_online_hit_rate', { source: 'other' })).toBe(1);
    expect(sample(text, 'reelrank_online_ratings_total', { source: 'recommended' })).toBe(2);
    expect(sample(text, 'reelrank_online_liked_ratings_total', { source: 'other' })).toBe(1);
    expect(sample(text, 'reelrank_ratings_received_total')).toBe(3);

    const summary = (await request(fresh).get('/metrics/summary').expect(200)).body;
    expect(summary.online).toEqual({ recommended: { ratings: 2, liked: 1, hit_rate: 0.5 }, other: { ratings: 1, liked: 1, hit_rate: 1 } });
    expect(summary.ratings_received).toBe(3);
    expect(summary.live_versions).toEqual([{ version: expect.stringMatching(/^mf-/), processes: 1 }]);
    // The monitoring routes are left out: the one /recommendations and the /metrics scrape above.
    expect(summary.requests.by_route).toEqual({ '/recommendations': { requests: 1, errors: 0 } });
    expect(summary.latency.count).toBe(1);
    expect(summary.latency.cumulative[summary.latency.cumulative.length - 1]).toBeLessThanOrEqual(1);
    expect(summary.latency.le).toEqual([...summary.latency.le].sort((a: number, b: number) => a - b));
  });
});

describe('GET /dashboard', () => {
  it('when the web root is served, then the dashboard page comes back as HTML under the same CSP', async () => {
    const app = createApp({ recommender: plantedRecommender(), config: { serving: SERVING } });
    const res = await request(app).get('/dashboard').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.text).toContain('dashboard.js');
  });
});
