import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { loadDatabase } from '@reelrank/database';
import { saveModelArtifacts } from '@reelrank/model';
import { MOVIES, PROCESSED_DIR, RATED, SERVING, plantedBundle, plantedRecommender } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ModelHolder } from './model-holder.js';
import { inMemoryCatalog, openSqliteCatalog, Recommender } from '@reelrank/serving';

/**
 * Issue 7 item 5 in one place: helmet headers on every kind of response, the body size limit
 * (also without Content-Length), no stack trace or internal message in any error body, the admin
 * route's per-address limit on failed authentications (over real HTTP from two loopback addresses),
 * and the server's SQLite connection being read-only (also as seen in the running server's /proc).
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

function expectHelmet(headers: Record<string, unknown>): void {
  for (const [name, expected] of Object.entries(HELMET)) {
    if (typeof expected === 'string') expect([name, headers[name]]).toEqual([name, expected]);
    else expect([name, headers[name]]).toEqual([name, expect.stringMatching(expected)]);
  }
  expect(headers['x-powered-by']).toBeUndefined();
}

/** No stack frame, file path or internal message anywhere in a body. */
function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|secret|stack/i);
}

describe('helmet headers on every kind of response', () => {
  const app = createApp({ recommender: plantedRecommender(), config: { serving: SERVING } });
  const cases: Array<[string, () => request.Test, number]> = [
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
    ['the Swagger UI', () => request(app).get('/docs/'), 200],
    ['the web page', () => request(app).get('/'), 200],
  ];
  it.each(cases)('when the server answers %s, then all helmet headers are set', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expectHelmet(res.headers);
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

/** One request over its own TCP connection from `localAddress` (any 127.0.0.0/8 address on Linux). */
function send(
  port: number,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/admin/reload', method: 'POST', localAddress, agent: false, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('admin route over real HTTP: failed authentications are limited per client address', () => {
  const OPERATOR = '127.0.0.1';
  const ATTACKER = '127.0.0.2';
  const TOKEN = 'the-operators-token-0123456789abcdef';
  let server: Server;
  let port: number;
  let reloads: number;
  let peers: string[];

  /** A server with the admin route on (failure budget 5 per address, one back per minute). */
  async function start(options: { trustProxy?: false | number | string[] } = {}): Promise<void> {
    reloads = 0;
    peers = [];
    const holder = new ModelHolder(() => {
      reloads++;
      return new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED));
    });
    holder.reload();
    const app = createApp({
      models: holder,
      config: { serving: SERVING },
      logger: pino({ level: 'silent' }),
      admin: { token: TOKEN, burst: 5, refillSeconds: 60 },
      ...options,
    });
    server = await new Promise<Server>((ready) => {
      const s = app.listen(0, '127.0.0.1', () => ready(s));
    });
    server.on('request', (req) => peers.push(req.socket.remoteAddress ?? ''));
    port = (server.address() as AddressInfo).port;
  }
  afterEach(() => new Promise((done) => server.close(done)));

  const bad = (i: number, headers: Record<string, string> = {}) => send(port, ATTACKER, { authorization: `Bearer guess-${i}`, ...headers });
  const valid = (from = OPERATOR, headers: Record<string, string> = {}) => send(port, from, { authorization: `Bearer ${TOKEN}`, ...headers });

  it("when another address hammers the route with bad tokens, then the operator's valid reloads still succeed and the attacker gets 429", async () => {
    await start();
    // 60 concurrent guesses from 127.0.0.2, with the operator's reloads in the middle of the flood.
    const flood = Array.from({ length: 60 }, (_, i) => bad(i));
    const operator = [valid(), valid(), valid()];
    const attacked = await Promise.all(flood);
    const answered = await Promise.all(operator);

    expect(new Set(peers)).toEqual(new Set([OPERATOR, ATTACKER])); // two distinct client addresses really connected
    expect(answered.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(JSON.parse(answered[0].body)).toMatchObject({ status: expect.stringMatching(/^(reloaded|unchanged)$/) });
    expect(reloads).toBe(1 + 3);

    const statuses = attacked.map((r) => r.status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(5); // the failure budget, then refused unread
    expect(statuses.filter((s) => s === 429)).toHaveLength(55);
    const limited = attacked.find((r) => r.status === 429)!;
    expect(limited.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(limited.body).error).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // The limited address stays limited even with the right token; the operator is still served.
    expect((await valid(ATTACKER)).status).toBe(429);
    expect((await valid()).status).toBe(200);
    expect(reloads).toBe(1 + 4);
  });

  it("when the token is wrong or missing, then 403 / 401 with a JSON error body, whatever the token's length", async () => {
    await start();
    const peer = '127.0.0.3';
    for (const token of ['x', TOKEN.slice(0, -1), `${TOKEN}x`, 'é'.repeat(TOKEN.length)]) {
      const res = await send(port, peer, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({
        error: {
          status: 403,
          code: 'forbidden',
          message: 'Invalid admin token',
          details: [{ field: 'authorization', message: 'token not accepted' }],
        },
      });
    }
    const missing = await send(port, peer);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(missing.body).error).toMatchObject({ status: 401, code: 'unauthorized' });
    // That was five failures: the sixth attempt from that address is refused, the operator is not.
    expect((await send(port, peer, { authorization: 'Bearer again' })).status).toBe(429);
    expect((await valid()).status).toBe(200);
    expect(reloads).toBe(2);
  });

  it('when the attacker sends X-Forwarded-For naming the operator, then it is ignored (no trust proxy by default)', async () => {
    await start();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await bad(i, { 'x-forwarded-for': OPERATOR })).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429, 429]);
    expect((await valid()).status).toBe(200);
    // ... and a fresh X-Forwarded-For does not buy the attacker a new budget either.
    expect((await bad(99, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
  });

  it('when trust proxy is configured (loopback), then clients behind the proxy are counted by X-Forwarded-For', async () => {
    await start({ trustProxy: ['loopback'] });
    // Both come through the same "proxy" address; only the forwarded client addresses differ.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await bad(i, { 'x-forwarded-for': '203.0.113.9' })).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
    expect((await valid(ATTACKER, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(200);
  });
});

describe('SQLite opened read-only by the server', () => {
  it('when a write goes through the server catalogue connection, then SQLite refuses it and the data is unchanged', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'reelrank-ro-')), 'ro.db');
    await loadDatabase({ processedDir: PROCESSED_DIR, dbPath, dataset: 'api-fixture', log: () => undefined });
    const catalog = openSqliteCatalog(dbPath);
    try {
      const { sqlite } = catalog.connection;
      expect(sqlite.readonly).toBe(true);
      const before = catalog.allMovies();
      expect(() => sqlite.exec('DELETE FROM movies')).toThrow(/readonly/i);
      expect(() => sqlite.prepare('UPDATE movies SET title = ? WHERE movie_id = 10').run('pwned')).toThrow(/readonly/i);
      expect(() => sqlite.exec('CREATE TABLE evil (x)')).toThrow(/readonly/i);
      expect(catalog.allMovies()).toEqual(before);
    } finally {
      catalog.close();
    }
  });

  it('when main.ts serves, then its process holds the database file open read-only (O_RDONLY in /proc)', async () => {
    if (process.platform !== 'linux') return; // /proc/<pid>/fdinfo is Linux's
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-ro-main-'));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const dbPath = join(dataDir, 'ml-latest-small.db');
    await loadDatabase({ processedDir: PROCESSED_DIR, dbPath, dataset: 'api-fixture', log: () => undefined });
    const { model, popularity, manifest } = plantedBundle();
    const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
    saveModelArtifacts(join(dir, 'models', 'ml-latest-small'), { model, popularity, manifest: input, metricsReport: {} });

    const root = resolve(__dirname, '../../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/api/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        REELRANK_DATASET: 'ml-latest-small',
        HOST: '127.0.0.1',
        PORT: '0',
        REELRANK_DATA_DIR: dataDir,
        REELRANK_MODELS_DIR: join(dir, 'models'),
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((found, fail) => {
        const timer = setInterval(() => {
          const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
          if (match) {
            clearInterval(timer);
            found(match[1]);
          }
        }, 50);
        void exited.then(() => {
          clearInterval(timer);
          fail(new Error(`server exited: ${output}`));
        });
      });
      // The catalogue is in use: a search is answered from SQLite.
      expect(((await (await fetch(`${url}/movies/search?q=galaxy`)).json()) as { total: number }).total).toBe(1);
      const fds = readdirSync(`/proc/${child.pid}/fd`).filter((fd) => {
        try {
          return readlinkSync(`/proc/${child.pid}/fd/${fd}`) === realpathSync(dbPath);
        } catch {
          return false; // closed meanwhile
        }
      });
      expect(fds.length).toBeGreaterThan(0);
      for (const fd of fds) {
        const flags = parseInt(/^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${child.pid}/fdinfo/${fd}`, 'utf8'))![1], 8);
        expect([fd, flags & 0o3]).toEqual([fd, 0o0]); // access mode O_RDONLY, not O_RDWR (2)
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 30_000);
});
