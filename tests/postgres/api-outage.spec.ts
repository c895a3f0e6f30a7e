import { createApp } from '@reelrank/api';
import { testServing } from '@reelrank/config/testing';
import { openPostgresRatingsStore } from '@reelrank/feedback';
import { plantedRecommender } from '@reelrank/serving/testing';
import request from 'supertest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../tools/pg/throwaway';
import { AS_ADMIN, TEST_ADMIN_TOKEN } from './served-workspace';

// A cluster of its own: this test stops it.
describe('the API on PostgreSQL while the server goes away', () => {
  let cluster: ThrowawayPostgres;
  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
  });
  afterAll(() => cluster?.stop());

  it('keeps answering recommendations from memory (the cached fold-in, the trained answer) and answers writes 503', async () => {
    const store = openPostgresRatingsStore(cluster.url, { connectTimeoutMs: 2_000 });
    const serving = testServing(null);
    const app = createApp({ recommender: plantedRecommender(), config: { serving }, ratings: store, admin: { token: TEST_ADMIN_TOKEN } });
    const posted = [10, 20, 30, 60].map((movie_id) => ({ user_id: 1, movie_id, rating: movie_id === 60 ? 5 : 0.5 }));
    await request(app).post('/ratings').set(AS_ADMIN).send({ ratings: posted }).expect(201);
    const folded = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(folded.body.strategy).toBe('fold-in');
    const trained = await request(app).post('/recommendations').send({ user_id: 2, n_recommendations: 3 }).expect(200);
    const location = new URL(cluster.url).toString();
    expect((await request(app).get('/ready').set(AS_ADMIN).expect(200)).body.ratings_store).toEqual({
      kind: 'postgres',
      location,
      reachable: true,
    });

    await cluster.stop();
    const write = await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 2, movie_id: 60, rating: 5 }).expect(503);
    expect(write.body.error.code).toBe('ratings_store_unavailable');
    // Reads of the store itself answer the same 503 (not a 500).
    const list = await request(app).get('/users/1/ratings').set(AS_ADMIN).expect(503);
    expect(list.body.error).toMatchObject({ status: 503, code: 'ratings_store_unavailable' });
    // /ready stays 200 (reads are still answered) and says the store is down once its 1 s answer has expired.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const ready = (await request(app).get('/ready').set(AS_ADMIN).expect(200)).body;
    expect(ready.status).toBe('ready');
    expect(ready.ratings_store).toMatchObject({ kind: 'postgres', location, reachable: false });
    expect(ready.ratings_store.error).toEqual(expect.any(String));
    expect((await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200)).body).toEqual(folded.body);
    expect((await request(app).post('/recommendations').send({ user_id: 2, n_recommendations: 3 }).expect(200)).body).toEqual(trained.body);
    await store.close();
  });
});
