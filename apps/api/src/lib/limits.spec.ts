import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request, Response } from 'express';
import request from 'supertest';
import { limitsConfigSchema, type LimitsConfig } from '@reelrank/config';
import { openSqliteKeyStore, openSqliteRatingsStore, type KeyStore, type RatingsStore } from '@reelrank/feedback';
import { plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { IdentityLimits, limitSubject } from './identity-limits.js';

const limitsWith = (overrides: Partial<LimitsConfig>): LimitsConfig => limitsConfigSchema.parse(overrides);

describe('limits per identity: fold-in bounds, ratings and new users per identity, posted ratings per user', () => {
  let dir: string;
  let store: RatingsStore;
  let keys: KeyStore;
  // Two real identities: service keys 'key:<id>' of the app's key store, each with budgets of its own.
  let alice: { authorization: string };
  let bob: { authorization: string };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-limits-'));
    store = openSqliteRatingsStore(join(dir, 'test.ratings.db'));
    keys = openSqliteKeyStore(':memory:');
    alice = { authorization: `Bearer ${(await keys.create('alice', 'service')).key}` };
    bob = { authorization: `Bearer ${(await keys.create('bob', 'service')).key}` };
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Behind one trusted proxy hop, X-Forwarded-For is the client address: budgets follow the identity, not the address.
  const appWith = (limits: Partial<LimitsConfig>) =>
    createApp({
      recommender: plantedRecommender(),
      config: { serving: SERVING, identity: { limits: limitsWith(limits) } },
      ratings: store,
      keys,
      trustProxy: 1,
    });
  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('when a new-user request has more ratings than a fold may use, then 400 names `ratings`; at the limit it is answered', async () => {
    const app = appWith({ foldMaxRatings: 3 });
    const ratings = [10, 20, 30, 50].map((movie_id) => ({ movie_id, rating: 4 }));
    const refused = await request(app).post('/recommendations/new-user').send({ ratings }).expect(400);
    expect(refused.body.error.details).toEqual([{ field: 'ratings', message: 'at most 3 ratings (the fold-in limit)' }]);
    await request(app)
      .post('/recommendations/new-user')
      .send({ ratings: ratings.slice(0, 3) })
      .expect(200);
  });

  it('when a /predict/batch names more distinct users than one request may fold, then 400 names `pairs`; many pairs of few users pass', async () => {
    const app = appWith({ foldMaxUsers: 2 });
    const refused = await request(app)
      .post('/predict/batch')
      .send({ pairs: [1, 2, 3].map((user_id) => ({ user_id, movie_id: 30 })) })
      .expect(400);
    expect(refused.body.error.details[0]).toMatchObject({ field: 'pairs', message: expect.stringMatching(/at most 2 distinct user_id/) });
    const pairs = [1, 2].flatMap((user_id) => [20, 30, 40, 60, 70].map((movie_id) => ({ user_id, movie_id })));
    expect((await request(app).post('/predict/batch').send({ pairs }).expect(200)).body.predictions).toHaveLength(10);
  });

  it('when an identity writes more ratings than its budget, then 429 with Retry-After and the JSON error; another identity still writes', async () => {
    const app = appWith({ ratingsBurst: 3, ratingsPerSecond: 0.01 });
    const batch = [20, 30, 40].map((movie_id) => ({ user_id: 1, movie_id, rating: 4 }));
    await request(app).post('/ratings').set(alice).set(from('10.0.0.1')).send({ ratings: batch }).expect(201);
    const refused = await request(app).post('/ratings').set(alice).set(from('10.0.0.1')).send({ user_id: 1, movie_id: 60, rating: 4 }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(90);
    expect(refused.body.error).toMatchObject({ status: 429, code: 'rate_limited', details: [{ field: 'ratings' }] });
    expect(refused.body.error.message).toMatch(/ratings written/);
    expect(await store.forUser(1)).toHaveLength(3); // the refused rating was not stored
    // The budget is the identity's: from another address the same key is still refused ...
    await request(app).post('/ratings').set(alice).set(from('10.0.0.2')).send({ user_id: 1, movie_id: 60, rating: 4 }).expect(429);
    // ... while another identity, even at the same address, still writes.
    await request(app).post('/ratings').set(bob).set(from('10.0.0.1')).send({ user_id: 1, movie_id: 60, rating: 4 }).expect(201);
    const [aliceKey, bobKey] = await keys.list();
    expect((await store.forUser(1)).map((r) => [r.movieId, r.source])).toEqual([
      ...[20, 30, 40].map((movie) => [movie, `key:${aliceKey.id}`]),
      [60, `key:${bobKey.id}`],
    ]);
  });

  it('when an identity starts more new user ids than its budget, then 429 naming user_id; users it started keep taking ratings', async () => {
    const app = appWith({ newUsersBurst: 2, newUsersPerHour: 1 });
    const post = (user_id: number, movie_id = 30, as = alice) =>
      request(app).post('/ratings').set(as).set(from('10.0.0.3')).send({ user_id, movie_id, rating: 4 });
    await request(app)
      .post('/ratings')
      .set(alice)
      .set(from('10.0.0.3'))
      .send({ ratings: [100, 101].map((user_id) => ({ user_id, movie_id: 30, rating: 4 })) })
      .expect(201);
    const refused = await post(102).expect(429);
    expect(refused.body.error.details).toEqual([{ field: 'user_id', message: expect.stringMatching(/new user ids/) }]);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(1000);
    await post(100, 40).expect(201); // not new any more
    expect(await store.userVersion(102)).toBe(0);
    await post(102, 30, bob).expect(201); // another identity has a budget of its own
    expect(await store.userVersion(102)).toBeGreaterThan(0);
  });

  it('when a user holds the most posted ratings allowed, then a new movie is 409 naming user_id; re-rating a rated movie still works', async () => {
    const app = appWith({ maxRatingsPerUser: 2 });
    await request(app)
      .post('/ratings')
      .set(alice)
      .send({ ratings: [20, 30].map((movie_id) => ({ user_id: 7, movie_id, rating: 4 })) })
      .expect(201);
    const refused = await request(app).post('/ratings').set(alice).send({ user_id: 7, movie_id: 40, rating: 4 }).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'ratings_quota_exceeded', details: [{ field: 'user_id' }] });
    await request(app).post('/ratings').set(alice).send({ user_id: 7, movie_id: 30, rating: 1 }).expect(201);
    const batch = await request(app)
      .post('/ratings')
      .set(alice)
      .send({ ratings: [{ user_id: 8, movie_id: 20, rating: 4 }, ...[20, 40].map((movie_id) => ({ user_id: 7, movie_id, rating: 3 }))] })
      .expect(409);
    expect(batch.body.error.details).toEqual([{ field: 'ratings.user_id', message: 'user 7 is at the limit of 2 posted ratings' }]);
    expect(await store.userVersion(8)).toBe(0); // all or nothing
    // The cap is the user's, whoever writes: another identity cannot add a movie either.
    await request(app).post('/ratings').set(bob).send({ user_id: 7, movie_id: 40, rating: 4 }).expect(409);
  });

  it('when two writes of one user pass the check before either is stored, then the store refuses the second: 409 and the cap holds', async () => {
    const app = appWith({ maxRatingsPerUser: 3 });
    // Both requests read the user's count (0) before either writes: the race the store's own check closes.
    const read = store.countsForUsers.bind(store);
    let readers = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    jest.spyOn(store, 'countsForUsers').mockImplementation(async (ids) => {
      const counts = await read(ids);
      if (++readers === 2) bothRead();
      await barrier;
      return counts;
    });
    const write = (movies: number[], as: { authorization: string }) =>
      request(app)
        .post('/ratings')
        .set(as)
        .send({ ratings: movies.map((movie_id) => ({ user_id: 7, movie_id, rating: 4 })) });
    const answers = await Promise.all([write([20, 30], alice), write([40, 50], bob)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.error).toMatchObject({ code: 'ratings_quota_exceeded', details: [{ field: 'ratings.user_id' }] });
    expect(refused.body.error.message).toMatch(/would hold 4/);
    expect((await store.countsForUsers([7])).get(7)).toBe(2);
  });

  it('when an identity has more ratings folded in than its budget, then 429; a new-user request costs its ratings, a refold the posted ratings, a cached fold nothing', async () => {
    const app = appWith({ foldRatingsBurst: 4, foldRatingsPerSecond: 0.01 });
    await request(app).post('/ratings').set(alice).send({ user_id: 9, movie_id: 30, rating: 5 }).expect(201);
    await request(app).post('/recommendations').set(alice).send({ user_id: 9 }).expect(200); // folds 1 posted rating
    for (let i = 0; i < 3; i++) await request(app).post('/predict').set(alice).send({ user_id: 9, movie_id: 20 }).expect(200); // cached
    const two = [10, 50].map((movie_id) => ({ movie_id, rating: 5 }));
    await request(app).post('/recommendations/new-user').set(alice).send({ ratings: two }).expect(200); // 2 more: 3 of 4 spent
    const refused = await request(app).post('/recommendations/new-user').set(alice).send({ ratings: two }).expect(429);
    expect(refused.body.error.message).toMatch(/ratings folded in/);
    await request(app).post('/ratings').set(alice).send({ user_id: 9, movie_id: 40, rating: 5 }).expect(201);
    await request(app)
      .post('/predict/batch')
      .set(alice)
      .send({ pairs: [{ user_id: 9, movie_id: 20 }] })
      .expect(429); // a refold of 2 posted ratings
    await request(app).post('/recommendations/new-user').set(alice).send({ ratings: [] }).expect(200); // folds nothing
    // Another identity has a fold budget of its own: the same refold (2 of its 4) and a new-user fold (2 more) are answered.
    await request(app)
      .post('/predict/batch')
      .set(bob)
      .send({ pairs: [{ user_id: 9, movie_id: 20 }] })
      .expect(200);
    await request(app).post('/recommendations/new-user').set(bob).send({ ratings: two }).expect(200);
    await request(app).post('/recommendations/new-user').set(bob).send({ ratings: two }).expect(429);
  });
});

describe('IdentityLimits', () => {
  const res = () => ({ setHeader: jest.fn() }) as unknown as Response;

  it('spends all of a request or none of it, and tells every spending so another process can spend it too', () => {
    const told: [string, string, number][] = [];
    const a = new IdentityLimits(limitsWith({ ratingsBurst: 5, ratingsPerSecond: 0.001, newUsersBurst: 1 }), (...spent) => told.push(spent));
    const b = new IdentityLimits(limitsWith({ ratingsBurst: 5, ratingsPerSecond: 0.001, newUsersBurst: 1 }));
    a.charge(res(), 'key:x', { ratings: 2, newUsers: 1 });
    expect(() => a.charge(res(), 'key:x', { ratings: 1, newUsers: 1 })).toThrow(expect.objectContaining({ status: 429 }));
    a.charge(res(), 'key:x', { ratings: 3 }); // the refused request spent none of its ratings
    expect(told).toEqual([
      ['ratings', 'key:x', 2],
      ['newUsers', 'key:x', 1],
      ['ratings', 'key:x', 3],
    ]);
    for (const [kind, subject, cost] of told) b.spentElsewhere(kind as 'ratings', subject, cost);
    const refused = res();
    expect(() => b.charge(refused, 'key:x', { ratings: 1 })).toThrow(expect.objectContaining({ status: 429 }));
    expect(refused.setHeader).toHaveBeenCalledWith('retry-after', expect.any(String));
    b.charge(res(), 'key:y', { ratings: 5 });
  });

  it('counts a request against res.locals.identity when another middleware set one, else against the client address', () => {
    const req = { ip: '::ffff:192.0.2.7' } as Request;
    expect(limitSubject(req, { locals: {} } as Response)).toBe('addr:192.0.2.7');
    expect(limitSubject(req, { locals: { identity: { role: 'visitor', subject: 'visitor:abc' } } } as unknown as Response)).toBe('visitor:abc');
  });
});
