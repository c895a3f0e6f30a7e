import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { SERVING, TEST_ADMIN_TOKEN, plantedRecommender } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

/**
 * Security headers on every kind of response (the API's on JSON answers, helmet's on pages), the body size limit (also without
 * Content-Length), no stack trace or internal message in any error body. The admin route's limit on
 * failed authentications is in admin-auth.spec.ts, the read-only SQLite connection in readonly-db.spec.ts.
 */

const HELMET: Record<string, string | RegExp> = {
  'content-security-policy': /default-src 'self'.*object-src 'none'/,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': /max-age=\d+; includeSubDomains/,
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** What a JSON answer carries: nothing in it may be rendered, framed, sniffed or cached. */
const API: Record<string, string | RegExp> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'strict-transport-security': /max-age=\d+; includeSubDomains/,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

function expectHeaders(headers: Record<string, unknown>, wanted: Record<string, string | RegExp>): void {
  for (const [name, expected] of Object.entries(wanted)) {
    if (typeof expected === 'string') expect([name, headers[name]]).toEqual([name, expected]);
    else expect([name, headers[name]]).toEqual([name, expect.stringMatching(expected)]);
  }
  expect(headers['x-powered-by']).toBeUndefined();
}

/** No stack frame, file path or internal message anywhere in a body. */
function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|secret|stack/i);
}

describe('security headers on every kind of response', () => {
  const app = createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, admin: { token: TEST_ADMIN_TOKEN } });
  const answers: Array<[string, () => request.Test, number]> = [
    ['a JSON 200', () => request(app).post('/predict').send({ user_id: 1, movie_id: 10 }), 200],
    ['a 400 validation error', () => request(app).post('/predict').send({ user_id: -1 }), 400],
    ['a 400 malformed JSON', () => request(app).post('/predict').set('content-type', 'application/json').send('{"user_id":'), 400],
    [
      'a 413',
      () =>
        request(app)
          .post('/predict')
          .set('content-type', 'application/json')
          .send(JSON.stringify({ pad: 'x'.repeat(200_000) })),
      413,
    ],
    ['a wrong content type', () => request(app).post('/predict').set('content-type', 'text/plain').send('user_id=1'), 400],
    ['a 404', () => request(app).get('/nope'), 404],
    ['a 401', () => request(app).post('/ratings').send({ user_id: 1, movie_id: 10, rating: 4 }), 401],
    ['the OpenAPI document', () => request(app).get('/openapi.json'), 200],
    ['a recommendation', () => request(app).post('/recommendations').send({ user_id: 1 }), 200],
  ];
  it.each(answers)('when the server answers %s, then the API headers are set and no page header', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expectHeaders(res.headers, API);
    expect(res.headers['x-xss-protection']).toBeUndefined();
    expect(res.headers['origin-agent-cluster']).toBeUndefined();
  });

  const pages: Array<[string, () => request.Test]> = [
    ['the Swagger UI', () => request(app).get('/docs/')],
    ['a Swagger UI asset', () => request(app).get('/docs/swagger-ui.css')],
    ['the web page', () => request(app).get('/')],
    ['a file of the web page', () => request(app).get('/app.js')],
    ['the dashboard', () => request(app).get('/dashboard').set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`)],
  ];
  it.each(pages)('when the server serves %s, then all helmet headers are set and it is not marked no-store', async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(200);
    expectHeaders(res.headers, HELMET);
    expect(res.headers['cache-control']).not.toBe('no-store');
  });
});

describe('body size limit', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const app = createApp({ recommender: plantedRecommender(), config: { serving: SERVING } });
    server = await new Promise<Server>((ready) => {
      const s = app.listen(0, '127.0.0.1', () => ready(s));
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((done) => server.close(done)));

  it('when a body over the limit is streamed chunked (no Content-Length), then 413 JSON', async () => {
    const res = await new Promise<{ status: number; body: string }>((done, fail) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/predict/batch',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (r) => {
          let body = '';
          r.on('data', (d) => (body += d));
          r.on('end', () => done({ status: r.statusCode ?? 0, body }));
        },
      );
      req.on('error', fail);
      const chunk = `{"pairs":[${'{"user_id":1,"movie_id":10},'.repeat(2000)}`;
      for (let i = 0; i < 4; i++) req.write(chunk);
      req.end('{"user_id":1,"movie_id":10}]}');
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({ status: 413, code: 'payload_too_large' });
  });
});

describe('no stack traces in responses', () => {
  const throwers: Array<[string, () => never]> = [
    [
      'an Error',
      () => {
        throw new Error('secret /srv/reelrank/data/ml-latest-small.db exploded');
      },
    ],
    [
      'a TypeError from a bug',
      () => {
        const missing = undefined as unknown as { secret: () => never };
        return missing.secret();
      },
    ],
    [
      'a thrown string',
      () => {
        throw 'secret string';
      },
    ],
    [
      'an error claiming status 500 and expose',
      () => {
        throw Object.assign(new Error('secret internals'), { status: 500, expose: true });
      },
    ],
    [
      'an error with a 4xx status and expose=false',
      () => {
        throw Object.assign(new Error('secret internals'), { status: 418, expose: false });
      },
    ],
  ];

  it.each(throwers)('when a handler throws %s, then the body is the generic JSON error without a stack', async (_name, thrower) => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development'; // express's own handler would print stacks here; ours never does
    try {
      const recommender = plantedRecommender();
      recommender.predict = thrower;
      const app = createApp({ recommender, config: { serving: SERVING }, logger: pino({ level: 'silent' }) });
      const res = await request(app).post('/predict').send({ user_id: 1, movie_id: 10 });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(Object.keys(res.body.error).sort()).toEqual(['code', 'details', 'message', 'status']);
      if (res.status >= 500) expect(res.body.error).toEqual({ status: 500, code: 'internal_error', message: 'Internal server error', details: [] });
      expectNoLeak(res.text);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('when the URL or the body is hostile, then the error is JSON without internals', async () => {
    const app = createApp({ recommender: plantedRecommender(), config: { serving: SERVING } });
    for (const res of [
      await request(app).get('/movies/%E0%A4%A'),
      await request(app).get('/%ff'),
      await request(app).get('/movies/1/similar?n[$gt]=1'),
      await request(app).post('/predict').set('content-type', 'application/json').send('{"__proto__":{"polluted":1},"user_id":1,"movie_id":10}'),
      await request(app).post('/predict').set('content-type', 'application/json; charset=latin1').send('{}'),
      await request(app).post('/predict').set('content-type', 'application/json').set('content-encoding', 'br').send('xx'),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expectNoLeak(res.text);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
