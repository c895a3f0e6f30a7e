import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { newVisitor, signVisitor, verifyVisitor } from './visitor-cookie.js';
import { readOrCreateSecret } from './visitor-secret.js';

/** The page's visitor identity: a signed cookie, the user id it carries, what a visitor may do, what a bad cookie gets. */

const SECRET = 'current-secret-0123456789abcdefghijklmnop';
const PREVIOUS = 'previous-secret-0123456789abcdefghijklmno';
const ORIGIN = 'http://reelrank.test';

const app = (options: { secrets?: string[]; burst?: number; anonymousReads?: boolean } = {}) =>
  createApp({
    recommender: plantedRecommender(),
    config: {
      serving: SERVING,
      identity: { visitorMintBurst: options.burst ?? 20, allowedOrigins: ORIGIN, anonymousReads: options.anonymousReads ?? true },
    },
    visitorSecrets: options.secrets ?? [SECRET, PREVIOUS],
  });

/** A visitor minted by `a`: its cookie header and user id. */
async function mint(a: ReturnType<typeof app>) {
  const res = await request(a).post('/visitor').expect(201);
  const setCookie = String(res.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0], user: res.body.user_id as number, setCookie, body: res.body };
}

describe('visitor identities', () => {
  it('when a browser asks, then it gets a signed HttpOnly SameSite=Strict cookie with a user id above every data-set user; asking again keeps it', async () => {
    const a = app();
    const { cookie, user, setCookie, body } = await mint(a);
    expect(setCookie).toMatch(/^rr_visitor=v1\.[\w-]{22}\.\d+\.\d+\.[\w-]{43}; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Strict$/);
    expect(user).toBeGreaterThanOrEqual(1_000_000_000);
    expect(body).toMatchObject({ visitor_id: expect.stringMatching(/^[\w-]{22}$/), new: true });
    const again = await request(a).post('/visitor').set('cookie', cookie).set('origin', ORIGIN).expect(200);
    expect(again.body).toMatchObject({ user_id: user, new: false });
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('when the request is https (behind a trusted proxy), then the cookie is Secure', async () => {
    const a = createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, trustProxy: 1 });
    const res = await request(a).post('/visitor').set('x-forwarded-proto', 'https').expect(201);
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
  });

  it('when a visitor posts, lists and deletes its own ratings, then that works; another user id is 403, the id in the body is no credential', async () => {
    const a = app();
    const { cookie, user } = await mint(a);
    const as = (r: request.Test) => r.set('cookie', cookie).set('origin', ORIGIN);
    await as(request(a).post('/ratings')).send({ user_id: user, movie_id: 20, rating: 4 }).expect(201);
    expect((await as(request(a).get(`/users/${user}/ratings`)).expect(200)).body.counts.new).toBe(1);
    const recs = await as(request(a).post('/recommendations')).send({ user_id: user, n_recommendations: 2 }).expect(200);
    expect(recs.body.recommendations.length).toBe(2);
    const other = await as(request(a).post('/ratings'))
      .send({ user_id: user + 1, movie_id: 20, rating: 4 })
      .expect(403);
    expect(other.body.error).toMatchObject({ code: 'forbidden', details: [{ field: 'user_id' }] });
    await as(request(a).post('/ratings'))
      .send({
        ratings: [
          { user_id: user, movie_id: 30, rating: 4 },
          { user_id: 2, movie_id: 30, rating: 4 },
        ],
      })
      .expect(403);
    await as(request(a).get('/users/1/ratings')).expect(403);
    await as(request(a).delete('/users/1/ratings')).expect(403);
    expect((await as(request(a).delete(`/users/${user}/ratings/20`)).expect(200)).body.forgotten).toBe(1);
    expect((await as(request(a).delete(`/users/${user}/ratings`)).expect(200)).body.forgotten).toBe(0);
  });

  it("when a visitor asks for another user's recommendations, then it gets the picks without that user's rated movies", async () => {
    const a = app();
    const { cookie } = await mint(a);
    const res = await request(a).post('/recommendations').set('cookie', cookie).send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(JSON.stringify(res.body)).not.toMatch(/Because you rated/);
  });

  it('when a cookie-authenticated write comes from another site or without an Origin, then 403; reads (also by POST) need no Origin', async () => {
    const a = app();
    const { cookie, user } = await mint(a);
    const foreign = await request(a)
      .post('/ratings')
      .set('cookie', cookie)
      .set('origin', 'https://evil.example')
      .send({ user_id: user, movie_id: 20, rating: 4 });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ code: 'origin_refused', details: [{ field: 'origin' }] });
    await request(a).delete(`/users/${user}/ratings`).set('cookie', cookie).expect(403);
    await request(a).get(`/users/${user}/ratings`).set('cookie', cookie).expect(200);
    await request(a).post('/recommendations').set('cookie', cookie).send({ user_id: user }).expect(200);
    // The server's own origin (Host) is always allowed.
    const own = await request(a)
      .post('/ratings')
      .set('cookie', cookie)
      .set('host', 'api.local:8000')
      .set('origin', 'http://api.local:8000')
      .send({ user_id: user, movie_id: 20, rating: 4 });
    expect(own.status).toBe(201);
    await request(a).post('/visitor').set('origin', 'https://evil.example').expect(403);
  });

  it('when the cookie is forged, tampered with or expired, then 401 invalid_visitor and the cookie is cleared; POST /visitor replaces it', async () => {
    const a = app();
    const { cookie, user } = await mint(a);
    const value = cookie.slice('rr_visitor='.length);
    const [v, id, , issued, mac] = value.split('.');
    const now = Math.floor(Date.now() / 1000);
    const bad = {
      forged: signVisitor({ visitorId: id, userId: user, issuedAt: now }, 'someone-elses-secret-0123456789abcdefghij'),
      tampered: [v, id, String(user + 1), issued, mac].join('.'),
      expired: signVisitor({ visitorId: id, userId: user, issuedAt: now - 366 * 86_400 }, SECRET),
      malformed: 'v1.garbage',
    };
    for (const [kind, forged] of Object.entries(bad)) {
      const res = await request(a).get(`/users/${user}/ratings`).set('cookie', `rr_visitor=${forged}`);
      expect({ kind, status: res.status, code: res.body.error?.code }).toEqual({ kind, status: 401, code: 'invalid_visitor' });
      expect(String(res.headers['set-cookie'])).toMatch(/^rr_visitor=; Path=\/; Max-Age=0;/);
      // Refused on reads too, never treated as anonymous.
      expect((await request(a).post('/recommendations').set('cookie', `rr_visitor=${forged}`).send({ user_id: 1 })).status).toBe(401);
    }
    const renewed = await request(a).post('/visitor').set('cookie', `rr_visitor=${bad.tampered}`).expect(201);
    expect(renewed.body.new).toBe(true);
  });

  it('when the secret is rotated, then cookies of the previous secret still count and new ones are signed with the current', async () => {
    const old = app({ secrets: [PREVIOUS] });
    const { cookie, user } = await mint(old);
    const rotated = app({ secrets: [SECRET, PREVIOUS] });
    await request(rotated).get(`/users/${user}/ratings`).set('cookie', cookie).expect(200);
    const fresh = await mint(rotated);
    const parts = fresh.cookie.slice('rr_visitor='.length);
    expect(verifyVisitor(parts, [SECRET], 3600, Math.floor(Date.now() / 1000)).ok).toBe(true);
    // Once the previous secret is dropped, its cookies are refused.
    await request(app({ secrets: [SECRET] }))
      .get(`/users/${user}/ratings`)
      .set('cookie', cookie)
      .expect(401);
  });

  it('when one address mints visitors faster than its budget, then 429 with Retry-After; minting is off when anonymous reads are', async () => {
    const a = app({ burst: 3 });
    for (let i = 0; i < 3; i++) await request(a).post('/visitor').expect(201);
    const limited = await request(a).post('/visitor').expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(
      (
        await request(app({ anonymousReads: false }))
          .post('/visitor')
          .expect(403)
      ).body.error.code,
    ).toBe('visitors_disabled');
  });

  it('checks signatures against every secret and refuses a cookie issued in the future', () => {
    const visitor = newVisitor(1_500_000_000, 1_700_000_000);
    const signed = signVisitor(visitor, SECRET);
    expect(verifyVisitor(signed, [PREVIOUS, SECRET], 3600, 1_700_000_100)).toEqual({ ok: true, visitor });
    expect(verifyVisitor(signed, [SECRET], 3600, 1_700_003_600)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyVisitor(signed, [SECRET], 3600, 1_699_990_000)).toEqual({ ok: false, reason: 'not_yet_valid' });
  });
});

describe('the visitor secret file', () => {
  it('is made once with mode 0600, then read back by every process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-secret-'));
    try {
      const path = join(dir, 'data', 'visitor-cookie.secret');
      const first = readOrCreateSecret(path);
      expect(first).toMatch(/^[\w-]{43}$/);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readOrCreateSecret(path)).toBe(first);
      expect(readFileSync(path, 'utf8').trim()).toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
