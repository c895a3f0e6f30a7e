import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { openSqliteKeyStore, type KeyStore } from '@reelrank/feedback';
import { plantedRecommender, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { OPERATOR_ROLES } from './admin-auth.js';
import { createApp } from './app.js';
import { ServiceMetrics } from './metrics.js';
import { listenMetrics, metricsApp } from './metrics-listener.js';

/**
 * Who may read the operational endpoints: on the API's port /metrics, /metrics/summary, /dashboard
 * and /models need an operator credential (a reader or admin key, or the admin token); the metrics
 * listener serves the first three to whoever can reach its address (127.0.0.1 by default) and nothing else.
 */

const TOKEN = TEST_ADMIN_TOKEN;
const ROUTES = ['/metrics', '/metrics/summary', '/dashboard', '/models'];

const keys: KeyStore = openSqliteKeyStore(':memory:');
/** `Authorization` headers of one key per role, created in `keys`. */
let keyOf: Record<'reader' | 'service' | 'admin', { authorization: string }>;
beforeAll(async () => {
  const bearer = async (role: 'reader' | 'service' | 'admin') => ({ authorization: `Bearer ${(await keys.create(`ops-${role}`, role)).key}` });
  keyOf = { reader: await bearer('reader'), service: await bearer('service'), admin: await bearer('admin') };
});
afterAll(() => keys.close());

describe('the operational endpoints on the API port', () => {
  const metrics = new ServiceMetrics();
  const app = createApp({
    recommender: plantedRecommender(),
    config: { serving: SERVING },
    logger: pino({ level: 'silent' }),
    metrics,
    admin: { token: TOKEN, burst: 100 },
    keys,
  });

  it('when called without credentials, then 401 with a JSON error naming the header; with a wrong token 401 too (an unknown key)', async () => {
    for (const path of ROUTES) {
      const res = await request(app).get(path).expect(401);
      expect([path, res.body.error.code, res.body.error.details[0].field]).toEqual([path, 'unauthorized', 'authorization']);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      const wrong = await request(app).get(path).set('authorization', 'Bearer nope').expect(401);
      expect([path, wrong.body.error.code, wrong.headers['www-authenticate']]).toEqual([path, 'unauthorized', 'Bearer']);
      expect(wrong.text).not.toMatch(/reelrank_|ratings_received|<html/i);
    }
  });

  it('when called with the admin token, then each answers', async () => {
    for (const path of ROUTES) await request(app).get(path).set('authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('when a key or a visitor cookie names the caller, then only the operator roles (reader and admin) may read them', async () => {
    expect([...OPERATOR_ROLES].sort()).toEqual(['admin', 'reader']);
    const minted = await request(app).post('/visitor').expect(201);
    const visitor = { cookie: String(minted.headers['set-cookie']).split(';')[0] };
    const callers: [string, Record<string, string>][] = [...Object.entries(keyOf), ['visitor', visitor]];
    for (const path of ROUTES) {
      for (const [role, headers] of callers) {
        const res = await request(app).get(path).set(headers);
        expect([path, role, res.status]).toEqual([path, role, OPERATOR_ROLES.includes(role) ? 200 : 403]);
        if (res.status === 403) expect(res.body.error.code).toBe('forbidden');
      }
      await request(app).get(path).expect(401);
    }
  });

  it('when no admin token is configured, then they are still never served without an operator key (401 anonymous or unknown bearer, 403 service)', async () => {
    const open = createApp({
      recommender: plantedRecommender(),
      config: { serving: SERVING },
      logger: pino({ level: 'silent' }),
      admin: { token: undefined, burst: 100 },
      keys,
    });
    for (const path of ROUTES) {
      expect([path, (await request(open).get(path).expect(401)).body.error.code]).toEqual([path, 'unauthorized']);
      // The token the other app takes is nothing here: an unknown key.
      expect([path, (await request(open).get(path).set('authorization', `Bearer ${TOKEN}`).expect(401)).body.error.code]).toEqual([
        path,
        'unauthorized',
      ]);
      expect([path, (await request(open).get(path).set(keyOf.service).expect(403)).body.error.code]).toEqual([path, 'forbidden']);
      await request(open).get(path).set(keyOf.reader).expect(200);
      await request(open).get(path).set(keyOf.admin).expect(200);
    }
  });
});

describe('the metrics listener (metrics-listener.ts)', () => {
  const metrics = new ServiceMetrics();
  const api = createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, logger: pino({ level: 'silent' }), metrics });
  const scraper = metricsApp({ source: () => metrics.registry.getMetricsAsJSON(), webRoot: SERVING.webRoot });

  it('when scraped without credentials, then Prometheus text with the API process counts comes back', async () => {
    await request(api).post('/predict').send({ user_id: 1, movie_id: 10 }).expect(200);
    const res = await request(scraper).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^reelrank_http_requests_total\{route="\/predict",method="POST",status="200"\} 1$/m);
    expect((await request(scraper).get('/metrics/summary').expect(200)).body.ratings_received).toBe(0);
  });

  it('when the dashboard is opened there, then the page and its own files come back under the CSP; the API routes do not exist there', async () => {
    const page = await request(scraper).get('/dashboard').expect(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    await request(scraper)
      .get('/dashboard.js')
      .expect(200)
      .expect('content-type', /javascript/);
    await request(scraper).get('/dashboard.css').expect(200);
    expect((await request(scraper).get('/index.html').expect(404)).body.error.code).toBe('not_found');
    await request(scraper).post('/recommendations').send({ user_id: 1 }).expect(404);
    await request(scraper).get('/ready').expect(404);
  });

  it('when started, then it listens where configured; port null starts nothing; a port taken is logged and the API goes on without it', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    expect(await listenMetrics(scraper, { host: '127.0.0.1', port: null }, logger)).toBeUndefined();
    const first = await listenMetrics(scraper, { host: '127.0.0.1', port: 0 }, logger);
    try {
      const port = (first!.server.address() as AddressInfo).port;
      expect(first!.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${first!.url}/metrics`)).status).toBe(200);
      expect(await listenMetrics(scraper, { host: '127.0.0.1', port }, logger)).toBeUndefined();
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        [30, `metrics (Prometheus) at ${first!.url}/metrics, dashboard at ${first!.url}/dashboard`],
        [
          50,
          expect.stringMatching(
            new RegExp(`^cannot listen for metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*; serving the API without the metrics listener$`),
          ),
        ],
      ]);
    } finally {
      await new Promise((done) => first?.server.close(done));
    }
  });
});
