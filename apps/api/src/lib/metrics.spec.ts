import request from 'supertest';
import { plantedRecommender } from '@reelrank/serving/testing';
import { SERVING, AS_ADMIN, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

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

/** The monitoring routes on the API's port need the admin credential (monitoring-access.spec.ts). */
const ADMIN = { token: TEST_ADMIN_TOKEN };
const AUTH = `Bearer ${ADMIN.token}`;

const scrape = async (app: Parameters<typeof request>[0]) => {
  const res = await request(app).get('/metrics').set('authorization', AUTH).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
};

describe('GET /metrics', () => {
  const recommender = plantedRecommender();
  const app = createApp({ recommender, config: { serving: SERVING }, admin: ADMIN });

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

  it('when a user with posted ratings is answered, then fold-ins are counted once per answer', async () => {
    const fresh = createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, admin: ADMIN });
    await request(fresh)
      .post('/ratings')
      .set(AS_ADMIN)
      .send({ ratings: [10, 20, 30, 40, 70].map((movie_id) => ({ user_id: 4, movie_id, rating: 4 })) })
      .expect(201);
    const before = await scrape(fresh);
    const recs = await request(fresh).post('/recommendations').send({ user_id: 4, n_recommendations: 2 }).expect(200);
    expect(recs.body.strategy).toBe('fold-in');
    const blend = await request(fresh)
      .post('/recommendations/new-user')
      .send({ ratings: [{ movie_id: 10, rating: 5 }] })
      .expect(200);
    expect(blend.body.strategy).toBe('popular-blend');
    await request(fresh).post('/predict').send({ user_id: 4, movie_id: 50 }).expect(200);
    await request(fresh)
      .post('/predict/batch')
      .send({
        pairs: [
          { user_id: 4, movie_id: 50 },
          { user_id: 4, movie_id: 60 },
          { user_id: 1, movie_id: 60 },
        ],
      })
      .expect(200);
    // Users without posted ratings are no fold-in.
    await request(fresh).post('/predict').send({ user_id: 1, movie_id: 50 }).expect(200);
    await request(fresh).post('/recommendations').send({ user_id: 1 }).expect(200);
    const after = await scrape(fresh);
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('reelrank_fold_ins_served_total')).toBe(4); // fold-in, popular-blend, /predict, /predict/batch
    expect(moved('reelrank_recommendation_answers_total', { strategy: 'fold-in' })).toBe(1);
    expect(moved('reelrank_recommendation_answers_total', { strategy: 'popular-blend' })).toBe(1);
    expect(moved('reelrank_ratings_received_total')).toBe(0);
  });

  it('when scraped, then the live model version is a gauge labelled with it', async () => {
    expect(sample(await scrape(app), 'reelrank_model_live', { version: recommender.manifest.version })).toBe(1);
  });

  it('when ratings are posted for recommended and other movies, then ratings received and the online hit rates follow them', async () => {
    const fresh = createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, admin: ADMIN });
    const shown: number[] = (
      await request(fresh).post('/recommendations').send({ user_id: 2, n_recommendations: 2 }).expect(200)
    ).body.recommendations.map((r: { movie_id: number }) => r.movie_id);
    expect(shown).toHaveLength(2);
    const other = [10, 20, 30, 40, 70].find((id) => !shown.includes(id))!; // not shown to user 2, not rated by them
    await request(fresh).post('/ratings').set(AS_ADMIN).send({ user_id: 2, movie_id: shown[0], rating: 5 }).expect(201);
    await request(fresh)
      .post('/ratings')
      .set(AS_ADMIN)
      .send({
        ratings: [
          { user_id: 2, movie_id: shown[1], rating: 3 },
          { user_id: 2, movie_id: other, rating: 4.5 },
        ],
      })
      .expect(201);
    // A rating refused as a whole counts nowhere.
    await request(fresh).post('/ratings').set(AS_ADMIN).send({ user_id: 2, movie_id: 31337, rating: 5 }).expect(404);
    const text = await scrape(fresh);
    expect(sample(text, 'reelrank_online_hit_rate', { source: 'recommended' })).toBe(0.5);
    expect(sample(text, 'reelrank_online_hit_rate', { source: 'other' })).toBe(1);
    expect(sample(text, 'reelrank_online_ratings_total', { source: 'recommended' })).toBe(2);
    expect(sample(text, 'reelrank_online_liked_ratings_total', { source: 'other' })).toBe(1);
    expect(sample(text, 'reelrank_ratings_received_total')).toBe(3);

    const summary = (await request(fresh).get('/metrics/summary').set('authorization', AUTH).expect(200)).body;
    expect(summary.online).toEqual({ recommended: { ratings: 2, liked: 1, hit_rate: 0.5 }, other: { ratings: 1, liked: 1, hit_rate: 1 } });
    expect(summary.ratings_received).toBe(3);
    expect(summary.live_versions).toEqual([{ version: expect.stringMatching(/^mf-/), processes: 1 }]);
    // The monitoring routes are left out: the /metrics scrape above.
    expect(summary.requests.by_route).toEqual({ '/recommendations': { requests: 1, errors: 0 }, '/ratings': { requests: 3, errors: 0 } });
    expect(summary.latency.count).toBe(4);
    expect(summary.latency.cumulative[summary.latency.cumulative.length - 1]).toBeLessThanOrEqual(4);
    expect(summary.latency.le).toEqual([...summary.latency.le].sort((a: number, b: number) => a - b));
  });
});

describe('GET /dashboard', () => {
  it('when the web root is served, then the dashboard page comes back as HTML under the same CSP', async () => {
    const app = createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, admin: ADMIN });
    const res = await request(app).get('/dashboard').set('authorization', AUTH).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.text).toContain('dashboard.js');
  });
});
