import type { Request, Response } from 'express';
import request from 'supertest';
import { openSqliteKeyStore, openSqliteRatingsStore, type KeyStore, type RatingsStore } from '@reelrank/feedback';
import { AS_ADMIN, plantedRecommender, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ratingSource } from './rating-source.js';

/** The web page's origin, allowed for the visitor cookie's writes. */
const ORIGIN = 'http://reelrank.test';

describe('POST /ratings records who wrote each rating', () => {
  let store: RatingsStore;
  let keys: KeyStore;
  beforeEach(() => {
    store = openSqliteRatingsStore(':memory:');
    keys = openSqliteKeyStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
    await keys.close();
  });

  const app = () =>
    createApp({
      recommender: plantedRecommender(),
      config: { serving: SERVING, identity: { allowedOrigins: ORIGIN } },
      ratings: store,
      keys,
      admin: { token: TEST_ADMIN_TOKEN },
    });
  const tags = async (userId: number) => (await store.forUser(userId)).map((r) => [r.movieId, r.source, r.sourceAddress]);

  it('when the caller has no identity, then its client address is the subject; an anonymous POST /ratings is refused and writes nothing', async () => {
    // Without res.locals.identity (no identity middleware ran), the client address stands in for the subject.
    expect(ratingSource({ ip: '::ffff:192.0.2.7' } as Request, { locals: {} } as Response)).toEqual({
      subject: 'addr:192.0.2.7',
      address: '192.0.2.7',
    });
    // Through the app, an anonymous caller may not write ratings at all.
    await request(app()).post('/ratings').send({ user_id: 1, movie_id: 60, rating: 4 }).expect(401);
    expect(await tags(1)).toEqual([]);
  });

  it("when a key or the admin token writes, then its ratings carry that key's subject and the caller's address", async () => {
    const a = app();
    const { key, apiKey } = await keys.create('web-backend', 'service');
    await request(a).post('/ratings').set('authorization', `Bearer ${key}`).send({ user_id: 1, movie_id: 60, rating: 4 }).expect(201);
    await request(a).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 70, rating: 2 }).expect(201);
    expect(await tags(1)).toEqual([
      [60, `key:${apiKey.id}`, '127.0.0.1'],
      [70, 'admin-token', '127.0.0.1'],
    ]);
  });

  it("when the identity middleware names a visitor, then every rating of the batch carries that visitor's subject and the caller's address", async () => {
    const a = app();
    const minted = await request(a).post('/visitor').expect(201);
    const cookie = String(minted.headers['set-cookie']).split(';')[0];
    const { user_id: user, visitor_id: visitor } = minted.body as { user_id: number; visitor_id: string };
    await request(a)
      .post('/ratings')
      .set('cookie', cookie)
      .set('origin', ORIGIN)
      .send({
        ratings: [
          { user_id: user, movie_id: 60, rating: 4 },
          { user_id: user, movie_id: 70, rating: 2 },
        ],
      })
      .expect(201);
    expect(await tags(user)).toEqual([
      [60, `visitor:${visitor}`, '127.0.0.1'],
      [70, `visitor:${visitor}`, '127.0.0.1'],
    ]);
  });
});
