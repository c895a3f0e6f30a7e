import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';
import { OPERATOR_ROLES } from './admin-auth.js';
import { createApp } from './app.js';
import { ServiceMetrics } from './metrics.js';
import { listenMetrics, metricsApp } from './metrics-listener.js';

/**
 * Who may read the operational endpoints: on the API's port /metrics, /metrics/summary, /dashboard
 * and /models need the admin credential; the metrics listener serves the first three to whoever
 * can reach its address (127.0.0.1 by default) and nothing else.
 */

const TOKEN = 'monitoring-access-admin-token';
const ROUTES = ['/metrics', '/metrics/summary', '/dashboard', '/models'];

describe('the operational endpoints on the API port', () => {
  const metrics = new ServiceMetrics();
  const app = createApp({
    recommender: plantedRecommender(),
    config: { serving: SERVING },
    logger: pino({ level: 'silent' }),
    metrics,
    admin: { token: TOKEN, burst: 100 },
  });

  it('when called without credentials, then 401 with a JSON error naming the header; with a wrong token 403', async () => {
    for (const path of ROUTES) {
      const res = await request(app).get(path).expect(401);
      expect([path, res.body.error.code, res.body.error.details[0].field]).toEqual([path, 'unauthorized', 'authorization']);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await request(app).get('/metrics').set('authorization', 'Bearer nope').expect(403)).body.error.code).toBe('forbidden');
  });

  it('when called with the admin token, then each answers', async () => {
    for (const path of ROUTES) await request(app).get(path).set('authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('when an identity middleware names the caller, then only the operator roles (admin for now) may read them', async () => {
    const asRole = (role: string) =>
      express()
        .use((_req, res, next) => {
          res.locals.identity = { role, subject: `test:${role}` };
          next();
        })
        .use(app);
    for (const path of ROUTES) {
      await request(asRole('admin')).get(path).expect(200);
      for (const role of ['reader', 'service', 'visitor']) {
        const res = await request(asRole(role)).get(path);
        expect([path, role, res.status]).toEqual([path, role, OPERATOR_ROLES.includes(role) ? 200 : 403]);
      }
      await request(asRole('anonymous')).get(path).expect(401);
    }
  });

  it('when no admin token is configured, then they are refused (403 admin_disabled), never served to anyone', async () => {
    const open = createApp({
      recommender: plantedRecommender(),
      config: { serving: SERVING },
      logger: pino({ level: 'silent' }),
      admin: { token: undefined },
    });
    for (const path of ROUTES) expect((await request(open).get(path).expect(403)).body.error.code).toBe('admin_disabled');
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
