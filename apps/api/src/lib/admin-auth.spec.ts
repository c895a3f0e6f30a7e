import type { Server } from 'node:http';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { MOVIES, RATED, SERVING, plantedBundle } from '../__fixtures__/fixtures.js';
import { limitsConfigSchema, type LimitsConfig } from '@reelrank/config';
import { createApp } from './app.js';
import { ModelHolder } from './model-holder.js';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';

/** The admin route's per-address limit on failed authentications, over real HTTP from two loopback addresses. */

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

/** POST /admin/reload over a keep-alive agent (the rotating-address flood: addresses come from X-Forwarded-For). */
function sendVia(agent: Agent, port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/admin/reload', method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
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
  async function start(options: { trustProxy?: false | number | string[]; limits?: Partial<LimitsConfig> } = {}): Promise<void> {
    reloads = 0;
    peers = [];
    const holder = new ModelHolder(() => {
      reloads++;
      return new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED));
    });
    holder.reload();
    const app = createApp({
      models: holder,
      config: { serving: SERVING, identity: { limits: limitsConfigSchema.parse(options.limits ?? {}) } },
      logger: pino({ level: 'silent' }),
      admin: { token: TOKEN, burst: 5, refillSeconds: 60 },
      trustProxy: options.trustProxy,
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
    expect(statuses.filter((s) => s === 401)).toHaveLength(5); // the failure budget, then refused unread
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

  it('when someone rotates through 10,001 addresses (X-Forwarded-For behind a trusted proxy), then guesses stop at the global budget and the operator is still served', async () => {
    await start({ trustProxy: 1, limits: { adminGlobalBurst: 50, adminGlobalRefillSeconds: 60 } });
    expect((await valid(OPERATOR, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(200); // the operator's address, before the attack
    const statuses = new Map<number, number>();
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const addresses = Array.from({ length: 10_001 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    for (let at = 0; at < addresses.length; at += 64) {
      const answers = await Promise.all(
        addresses
          .slice(at, at + 64)
          .map((address, i) => sendVia(agent, port, { authorization: `Bearer guess-${at + i}`, 'x-forwarded-for': address })),
      );
      for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    agent.destroy();
    expect(Object.fromEntries(statuses)).toEqual({ 401: 50, 429: 10_001 - 50 }); // the global budget, then refused unread
    // The first addresses are forgotten by now (10,000 remembered at most) and still refused; the operator is not.
    expect((await send(port, ATTACKER, { authorization: 'Bearer again', 'x-forwarded-for': addresses[0] })).status).toBe(429);
    expect((await valid(ATTACKER, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(200);
    expect(reloads).toBe(1 + 2);
  }, 60_000);

  it("when the token is wrong or missing, then 401 with a JSON error body, whatever the token's length", async () => {
    await start();
    const peer = '127.0.0.3';
    for (const token of ['x', TOKEN.slice(0, -1), `${TOKEN}x`, 'é'.repeat(TOKEN.length)]) {
      const res = await send(port, peer, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({
        error: {
          status: 401,
          code: 'unauthorized',
          message: 'unknown or revoked API key',
          details: [{ field: 'authorization', message: 'unknown or revoked API key' }],
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
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect((await valid()).status).toBe(200);
    // ... and a fresh X-Forwarded-For does not buy the attacker a new budget either.
    expect((await bad(99, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
  });

  it('when trust proxy is configured (loopback), then clients behind the proxy are counted by X-Forwarded-For', async () => {
    await start({ trustProxy: ['loopback'] });
    // Both come through the same "proxy" address; only the forwarded client addresses differ.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await bad(i, { 'x-forwarded-for': '203.0.113.9' })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await valid(ATTACKER, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(200);
  });
});
