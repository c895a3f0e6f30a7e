import express from 'express';
import request from 'supertest';
import { openSqliteRatingsStore, type RatingsStore } from '@reelrank/feedback';
import { plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

describe('POST /ratings records who wrote each rating', () => {
  let store: RatingsStore;
  beforeEach(() => {
    store = openSqliteRatingsStore(':memory:');
  });
  afterEach(() => store.close());

  const app = () => createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, ratings: store });
  const tags = async (userId: number) => (await store.forUser(userId)).map((r) => [r.movieId, r.source, r.sourceAddress]);

  it('when the caller has no identity, then the ratings carry its client address as the subject', async () => {
    await request(app()).post('/ratings').send({ user_id: 1, movie_id: 60, rating: 4 }).expect(201);
    expect(await tags(1)).toEqual([[60, 'addr:127.0.0.1', '127.0.0.1']]);
  });

  it("when the identity middleware named the caller, then every rating of the batch carries that subject and the caller's address", async () => {
    const outer = express();
    // What the identity middleware does on every request: res.locals.identity.
    outer.use((_req, res, next) => {
      res.locals.identity = { role: 'visitor', subject: 'visitor:v9', userId: 1 };
      next();
    });
    outer.use(app());
    await request(outer)
      .post('/ratings')
      .send({
        ratings: [
          { user_id: 1, movie_id: 60, rating: 4 },
          { user_id: 1, movie_id: 70, rating: 2 },
        ],
      })
      .expect(201);
    expect(await tags(1)).toEqual([
      [60, 'visitor:v9', '127.0.0.1'],
      [70, 'visitor:v9', '127.0.0.1'],
    ]);
  });
});
