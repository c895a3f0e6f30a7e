import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { openSqliteRatingsStore, type RatingsStore } from '@reelrank/feedback';
import { crashWriterThread, writerThreadOf } from '@reelrank/feedback/testing';
import { COMEDY, plantedRecommender, SCI_FI, SERVING, AS_ADMIN, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

describe('ratings in: POST /ratings, GET and DELETE /users/{id}/ratings, and their effect on answers', () => {
  let dir: string;
  let store: RatingsStore;
  const stores: RatingsStore[] = [];
  const openStore = () => {
    const s = openSqliteRatingsStore(join(dir, 'test.ratings.db'));
    stores.push(s);
    return s;
  };
  const appWith = (ratings: RatingsStore, recommender = plantedRecommender()) =>
    createApp({ recommender, config: { serving: SERVING }, admin: { token: TEST_ADMIN_TOKEN }, ratings });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-ratings-api-'));
    store = openStore();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when one rating is posted, then 201 returns it as stored and GET lists it next to the original ones', async () => {
    const app = appWith(store);
    const before = Math.floor(Date.now() / 1000);
    const res = await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 60, rating: 4.5 }).expect(201);
    expect(res.body.ratings).toHaveLength(1);
    expect(res.body.ratings[0]).toMatchObject({ user_id: 1, movie_id: 60, rating: 4.5 });
    expect(res.body.ratings[0].timestamp).toBeGreaterThanOrEqual(before);
    const list = await request(app).get('/users/1/ratings').set(AS_ADMIN).expect(200);
    expect(list.body.counts).toEqual({ original: 2, new: 1 });
    expect(list.body.ratings.map((r: { movie_id: number; source: string }) => [r.movie_id, r.source])).toEqual([
      [10, 'original'],
      [50, 'original'],
      [60, 'new'],
    ]);
  });

  it.each([
    ['rating 4.25', { user_id: 1, movie_id: 60, rating: 4.25 }, ['rating']],
    ['rating 5.5', { user_id: 1, movie_id: 60, rating: 5.5 }, ['rating']],
    ['rating "4"', { user_id: 1, movie_id: 60, rating: '4' }, ['rating']],
    ['user_id 0, no rating', { user_id: 0, movie_id: 60 }, ['user_id', 'rating']],
    ['timestamp 1.5', { user_id: 1, movie_id: 60, rating: 4, timestamp: 1.5 }, ['timestamp']],
    ['an unknown field', { user_id: 1, movie_id: 60, rating: 4, stars: 4 }, ['stars']],
    ['an empty batch', { ratings: [] }, ['ratings']],
    [
      'a batch with a bad second rating',
      {
        ratings: [
          { user_id: 1, movie_id: 60, rating: 4 },
          { user_id: 1, movie_id: 70 },
        ],
      },
      ['ratings.1.rating'],
    ],
    ['a batch with an unknown field', { ratings: [{ user_id: 1, movie_id: 60, rating: 4 }], extra: 1 }, ['extra']],
    ['a batch of 1001', { ratings: Array.from({ length: 1001 }, (_, i) => ({ user_id: i + 1, movie_id: 60, rating: 3 })) }, ['ratings']],
  ])('when the body has %s, then 400 names the fields and nothing is stored', async (_what, body: object, fields: string[]) => {
    const res = await request(appWith(store)).post('/ratings').set(AS_ADMIN).send(body).expect(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(fields);
    expect((await store.version()).count).toBe(0);
  });

  it('when a batch repeats a (user, movie) pair or names an unknown movie, then nothing of it is stored', async () => {
    const app = appWith(store);
    const twice = await request(app)
      .post('/ratings')
      .set(AS_ADMIN)
      .send({
        ratings: [
          { user_id: 1, movie_id: 60, rating: 4 },
          { user_id: 1, movie_id: 60, rating: 2 },
        ],
      })
      .expect(400);
    expect(twice.body.error.details[0]).toEqual({ field: 'ratings', message: 'each (user_id, movie_id) pair may appear once per batch' });
    const unknown = await request(app)
      .post('/ratings')
      .set(AS_ADMIN)
      .send({
        ratings: [
          { user_id: 1, movie_id: 60, rating: 4 },
          { user_id: 2, movie_id: 31337, rating: 2 },
        ],
      })
      .expect(404);
    expect(unknown.body.error).toMatchObject({
      code: 'movie_not_found',
      details: [{ field: 'ratings.movie_id', message: 'unknown movie_id 31337' }],
    });
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 31337, rating: 4 }).expect(404);
    expect((await store.version()).count).toBe(0);
  });

  it('when the same user rates the same movie again, then the new rating replaces the old one', async () => {
    const app = appWith(store);
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 3, movie_id: 70, rating: 1 }).expect(201);
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 3, movie_id: 70, rating: 5, timestamp: 1_700_000_000 }).expect(201);
    // 20 was rated in the data set; a new rating of it replaces the original in the list.
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 3, movie_id: 20, rating: 0.5 }).expect(201);
    const list = await request(app).get('/users/3/ratings').set(AS_ADMIN).expect(200);
    expect(list.body.ratings).toEqual([
      { movie_id: 20, rating: 0.5, timestamp: expect.any(Number), source: 'new' },
      { movie_id: 70, rating: 5, timestamp: 1_700_000_000, source: 'new' },
    ]);
    expect(list.body.counts).toEqual({ original: 1, new: 2 });
  });

  it('when the sci-fi fan posts comedy love, then the next recommendations and predictions fold it in; DELETE undoes it', async () => {
    const app = appWith(store);
    const trained = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(trained.body.strategy).toBe('personalized');
    expect(SCI_FI).toContain(trained.body.recommendations[0].movie_id);
    const trainedPredict = (await request(app).post('/predict').send({ user_id: 1, movie_id: 70 }).expect(200)).body.predicted_rating;

    const posted = [
      { user_id: 1, movie_id: 10, rating: 0.5 }, // replaces the original 4.0
      { user_id: 1, movie_id: 20, rating: 0.5 },
      { user_id: 1, movie_id: 30, rating: 1 },
      { user_id: 1, movie_id: 60, rating: 5 },
    ];
    await request(app).post('/ratings').set(AS_ADMIN).send({ ratings: posted }).expect(201);
    const folded = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(folded.body.strategy).toBe('fold-in'); // 10, 20, 30, 50, 60: five usable ratings
    expect(COMEDY).toContain(folded.body.recommendations[0].movie_id);
    for (const rated of [10, 20, 30, 50, 60]) expect(ids(folded.body.recommendations)).not.toContain(rated);
    const foldedPredict = (await request(app).post('/predict').send({ user_id: 1, movie_id: 70 }).expect(200)).body.predicted_rating;
    expect(foldedPredict).toBeGreaterThan(trainedPredict);
    const batch = await request(app)
      .post('/predict/batch')
      .send({
        pairs: [
          { user_id: 1, movie_id: 70 },
          { user_id: 2, movie_id: 70 },
        ],
      })
      .expect(200);
    expect(batch.body.predictions[0].predicted_rating).toBe(foldedPredict);

    expect((await request(app).delete('/users/1/ratings').set(AS_ADMIN).expect(200)).body).toEqual({ user_id: 1, forgotten: 4 });
    const again = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(again.body).toEqual(trained.body);
    expect((await request(app).get('/users/1/ratings').set(AS_ADMIN).expect(200)).body.counts).toEqual({ original: 2, new: 0 });
  });

  it('when one posted rating is deleted, then the next answers refold without it and a replaced original counts again', async () => {
    const app = appWith(store);
    const posted = [10, 20, 30, 60].map((movie_id) => ({ user_id: 1, movie_id, rating: movie_id === 60 ? 5 : 1 }));
    await request(app).post('/ratings').set(AS_ADMIN).send({ ratings: posted }).expect(201);
    expect((await request(app).post('/recommendations').send({ user_id: 1 }).expect(200)).body.strategy).toBe('fold-in');
    // 20 is not the user's newest rating: the answer must still change (four usable ratings now).
    expect((await request(app).delete('/users/1/ratings/20').set(AS_ADMIN).expect(200)).body).toEqual({ user_id: 1, movie_id: 20, forgotten: 1 });
    const after = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 5 }).expect(200);
    expect(after.body.strategy).toBe('popular-blend');
    expect(ids(after.body.recommendations)).toContain(20);
    expect((await request(app).delete('/users/1/ratings/20').set(AS_ADMIN).expect(200)).body.forgotten).toBe(0);
    await request(app).delete('/users/1/ratings/10').set(AS_ADMIN).expect(200);
    const list = (await request(app).get('/users/1/ratings').set(AS_ADMIN).expect(200)).body;
    expect(list.ratings.map((r: { movie_id: number; rating: number; source: string }) => [r.movie_id, r.rating, r.source])).toEqual([
      [10, 4, 'original'],
      [30, 1, 'new'],
      [50, 4, 'original'],
      [60, 5, 'new'],
    ]);
    for (const [path, field] of [
      ['/users/1/ratings/abc', 'movie_id'],
      ['/users/0/ratings/10', 'user_id'],
    ])
      expect((await request(app).delete(path).expect(400)).body.error.details[0].field).toBe(field);
  });

  it('when a user the model never saw posts a first rating, then they become known: blended picks without that movie', async () => {
    const app = appWith(store);
    const cold = await request(app).post('/recommendations').send({ user_id: 4242, n_recommendations: 4 }).expect(200);
    expect(cold.body.strategy).toBe('popular');
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 4242, movie_id: 50, rating: 5 }).expect(201);
    const known = await request(app).post('/recommendations').send({ user_id: 4242, n_recommendations: 4 }).expect(200);
    expect(known.body.strategy).toBe('popular-blend');
    expect(ids(known.body.recommendations)).not.toContain(50);
    const list = await request(app).get('/users/4242/ratings').set(AS_ADMIN).expect(200);
    expect(list.body.ratings.map((r: { source: string }) => r.source)).toEqual(['new']);
  });

  it('when the same user asks twice, then the fold-in is computed once; a new rating refolds', async () => {
    const recommender = plantedRecommender();
    const folds = jest.spyOn(recommender, 'foldUserSteps');
    const app = appWith(store, recommender);
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 2, movie_id: 10, rating: 5 }).expect(201);
    await request(app).post('/recommendations').send({ user_id: 2 }).expect(200);
    await request(app).post('/predict').send({ user_id: 2, movie_id: 30 }).expect(200);
    expect(folds).toHaveBeenCalledTimes(1);
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 2, movie_id: 20, rating: 5 }).expect(201);
    await request(app).post('/recommendations').send({ user_id: 2 }).expect(200);
    expect(folds).toHaveBeenCalledTimes(2);
  });

  it('when two servers share the store file (cluster workers), then a rating posted to one counts on the next request to the other', async () => {
    const one = appWith(store);
    const other = appWith(openStore());
    await request(other).post('/recommendations').send({ user_id: 4242 }).expect(200); // warm: cold-start
    await request(one).post('/ratings').set(AS_ADMIN).send({ user_id: 4242, movie_id: 30, rating: 5 }).expect(201);
    const res = await request(other).post('/recommendations').send({ user_id: 4242 }).expect(200);
    expect(res.body.strategy).toBe('popular-blend');
    expect(ids(res.body.recommendations)).not.toContain(30);
    await request(one).delete('/users/4242/ratings').set(AS_ADMIN).expect(200);
    expect((await request(other).post('/recommendations').send({ user_id: 4242 }).expect(200)).body.strategy).toBe('popular');
  });

  it('when the user id in the path is not an id, then 400 names it', async () => {
    const app = appWith(store);
    for (const path of ['/users/abc/ratings', '/users/0/ratings']) {
      expect((await request(app).get(path).expect(400)).body.error.details[0].field).toBe('user_id');
      expect((await request(app).delete(path).expect(400)).body.error.details[0].field).toBe('user_id');
    }
  });
  it("when the store's writer thread dies, then the write in flight is 503, a new thread takes the next writes, and nothing acknowledged is lost", async () => {
    // A back-off of 2 s: the write sent right after the death surely finds no thread.
    const slow = openSqliteRatingsStore(join(dir, 'restart.ratings.db'), { writerRestartMs: 2_000 });
    stores.push(slow);
    const app = appWith(slow);
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 60, rating: 4.5 }).expect(201);
    const crashed = crashWriterThread(slow);
    const lost = await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 30, rating: 1 }).expect(503);
    expect(lost.body.error.code).toBe('ratings_store_unavailable');
    while (!writerThreadOf(slow) || writerThreadOf(slow) === crashed) await new Promise((resolve) => setTimeout(resolve, 20));
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 70, rating: 5 }).expect(201);
    const listed = await request(app).get('/users/1/ratings').set(AS_ADMIN).expect(200);
    const posted = listed.body.ratings.filter((r: { source: string }) => r.source === 'new');
    expect(posted.map((r: { movie_id: number; rating: number }) => [r.movie_id, r.rating])).toEqual([
      [60, 4.5],
      [70, 5],
    ]);
    expect((await request(app).get('/ready').expect(200)).body).toEqual({ status: 'ready' });
  });

  it('when the store is reachable, then /ready names it; when it fails, then /ready says so and GET /users/{id}/ratings answers 503 like the writes', async () => {
    const app = appWith(store);
    const ready = await request(app).get('/ready').set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`).expect(200);
    expect(ready.body.ratings_store).toEqual({ kind: 'sqlite', location: join(dir, 'test.ratings.db'), reachable: true });

    const broken = openStore();
    await broken.close(); // every call of a closed store fails, as a store that went away does
    const down = appWith(broken);
    const status = (await request(down).get('/ready').set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`).expect(200)).body.ratings_store;
    expect(status).toMatchObject({ kind: 'sqlite', reachable: false });
    expect(status.error).toEqual(expect.any(String));
    const read = await request(down).get('/users/1/ratings').set(AS_ADMIN).expect(503);
    expect(read.body.error).toMatchObject({ status: 503, code: 'ratings_store_unavailable' });
    const write = await request(down).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 60, rating: 4.5 }).expect(503);
    expect(write.body.error.code).toBe('ratings_store_unavailable');
  });
});
