import request from 'supertest';
import { openSqliteKeyStore, type KeyStore } from '@reelrank/feedback';
import { plantedRecommender, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

/** Who may do what with API keys (the visitor's rows are in visitor.spec.ts); RATED users 1..3 are the data set's. */

let keys: KeyStore;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
let reader: { authorization: string };
let service: { authorization: string };
let admin: { authorization: string };
let revoked: { authorization: string };

beforeAll(async () => {
  keys = openSqliteKeyStore(':memory:');
  reader = bearer((await keys.create('reports', 'reader')).key);
  service = bearer((await keys.create('web-backend', 'service')).key);
  admin = bearer((await keys.create('ops', 'admin')).key);
  const gone = await keys.create('old', 'service');
  await keys.revoke(gone.apiKey.id);
  revoked = bearer(gone.key);
});
afterAll(() => keys.close());

const app = (anonymousReads = true) =>
  createApp({
    recommender: plantedRecommender(),
    config: { serving: SERVING, identity: { anonymousReads } },
    keys,
    admin: { token: TEST_ADMIN_TOKEN },
  });

describe('who may do what, with keys', () => {
  it('when nobody is named, then reads work, and ratings of any user need credentials (401)', async () => {
    const a = app();
    await request(a).post('/recommendations').send({ user_id: 1 }).expect(200);
    await request(a).post('/predict').send({ user_id: 1, movie_id: 20 }).expect(200);
    await request(a).get('/movies/10/similar').expect(200);
    const post = await request(a).post('/ratings').send({ user_id: 4242, movie_id: 20, rating: 4 }).expect(401);
    expect(post.body.error).toMatchObject({ code: 'unauthorized', details: [{ field: 'authorization' }] });
    await request(a).get('/users/4242/ratings').expect(401);
    await request(a).delete('/users/4242/ratings').expect(401);
    await request(a).delete('/users/4242/ratings/20').expect(401);
  });

  it('when a reader key is sent, then it reads and sees explanations, but may not touch ratings (403)', async () => {
    const a = app();
    const recs = await request(a).post('/recommendations').set(reader).send({ user_id: 1, n_recommendations: 1 }).expect(200);
    expect(recs.body.recommendations[0].because.text).toMatch(/^Because you rated /);
    expect((await request(a).post('/ratings').set(reader).send({ user_id: 4242, movie_id: 20, rating: 4 }).expect(403)).body.error.code).toBe(
      'forbidden',
    );
    await request(a).get('/users/4242/ratings').set(reader).expect(403);
    await request(a).delete('/users/4242/ratings').set(reader).expect(403);
    await request(a).post('/admin/reload').set(reader).expect(403);
  });

  it('when a service key is sent, then it posts, lists and deletes the ratings of any user, data-set users included, but is no admin', async () => {
    const a = app();
    await request(a).post('/ratings').set(service).send({ user_id: 1, movie_id: 20, rating: 4 }).expect(201);
    await request(a)
      .post('/ratings')
      .set(service)
      .send({ ratings: [{ user_id: 4242, movie_id: 20, rating: 4 }] })
      .expect(201);
    expect((await request(a).get('/users/1/ratings').set(service).expect(200)).body.counts.new).toBe(1);
    expect((await request(a).delete('/users/1/ratings/20').set(service).expect(200)).body.forgotten).toBe(1);
    expect((await request(a).delete('/users/4242/ratings').set(service).expect(200)).body.forgotten).toBe(1);
    await request(a).post('/admin/reload').set(service).expect(403);
  });

  it('when an admin key or the admin token is sent, then everything is allowed (the reload needs a model holder: 403 admin_disabled here)', async () => {
    const a = app();
    await request(a).post('/ratings').set(admin).send({ user_id: 2, movie_id: 20, rating: 4 }).expect(201);
    await request(a).get('/users/2/ratings').set(bearer(TEST_ADMIN_TOKEN)).expect(200);
    expect((await request(a).post('/admin/reload').set(admin).expect(403)).body.error.code).toBe('admin_disabled');
  });

  it('when a key is revoked or unknown, or the header is not a bearer, then 401 with a JSON error, also on a read (never anonymous)', async () => {
    const a = app();
    for (const headers of [revoked, bearer('rr_unknown'), { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }]) {
      const res = await request(a).post('/recommendations').set(headers).send({ user_id: 1 }).expect(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body.error).toMatchObject({ status: 401, code: 'unauthorized', details: [{ field: 'authorization' }] });
    }
  });

  it('when anonymousReads is off, then reads need a key (401 without), and the health check and docs stay open', async () => {
    const a = app(false);
    for (const call of [
      request(a).post('/recommendations').send({ user_id: 1 }),
      request(a).post('/predict').send({ user_id: 1, movie_id: 20 }),
      request(a)
        .post('/predict/batch')
        .send({ pairs: [{ user_id: 1, movie_id: 20 }] }),
      request(a)
        .post('/recommendations/new-user')
        .send({ ratings: [{ movie_id: 10, rating: 5 }] }),
      request(a).get('/movies?search=star'),
      request(a).get('/movies/search?q=star'),
      request(a).get('/movies/10'),
      request(a).get('/movies/10/similar'),
    ])
      expect((await call.expect(401)).body.error.code).toBe('unauthorized');
    await request(a).post('/recommendations').set(reader).send({ user_id: 1 }).expect(200);
    await request(a).get('/movies/10').set(service).expect(200);
    await request(a).get('/health').expect(200);
    await request(a).get('/openapi.json').expect(200);
  });

  it("when an address guesses keys, then 5 failures block it (429), and a reader key's valid requests in between do not reset the count", async () => {
    const a = app();
    const guess = (i: number) =>
      request(a)
        .post('/recommendations')
        .set(bearer(`rr_guess-${i}`))
        .send({ user_id: 1 });
    for (let i = 0; i < 3; i++) expect((await guess(i)).status).toBe(401);
    await request(a).post('/recommendations').set(reader).send({ user_id: 1 }).expect(200);
    for (let i = 3; i < 5; i++) expect((await guess(i)).status).toBe(401);
    const blocked = await guess(5);
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
  });
});
