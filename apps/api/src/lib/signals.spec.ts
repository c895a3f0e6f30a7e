import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { limitsConfigSchema } from '@reelrank/config';
import { openSqliteSignalsStore, type SignalsStore } from '@reelrank/feedback';
import { AS_ADMIN, plantedRecommender, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);
const ORIGIN = 'http://reelrank.test';

describe('taste signals: POST /signals, GET /users/{id}/signals, DELETE /users/{id}/signals/{kind}/{movie_id}', () => {
  let dir: string;
  const stores: SignalsStore[] = [];
  const openStore = () => {
    const s = openSqliteSignalsStore(join(dir, 'test.ratings.db'));
    stores.push(s);
    return s;
  };
  const appWith = (signals: SignalsStore, limits = limitsConfigSchema.parse({})) =>
    createApp({
      recommender: plantedRecommender(),
      config: { serving: SERVING, identity: { limits, allowedOrigins: ORIGIN } },
      admin: { token: TEST_ADMIN_TOKEN },
      signals,
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-signals-api-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when user 1 says "not interested" in its top pick, then that movie leaves its next answer at once, and comes back once the signal is deleted', async () => {
    const app = appWith(openStore());
    const first = ids((await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200)).body.recommendations);
    const top = first[0];
    const posted = await request(app).post('/signals').set(AS_ADMIN).send({ user_id: 1, movie_id: top, kind: 'not_interested' }).expect(201);
    expect(posted.body.signal).toMatchObject({ user_id: 1, movie_id: top, kind: 'not_interested', id: expect.any(Number) });
    const after = ids((await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200)).body.recommendations);
    expect(after).not.toContain(top);
    expect(after.slice(0, 2)).toEqual(first.slice(1, 3));
    const listed = await request(app).get('/users/1/signals').set(AS_ADMIN).expect(200);
    expect(listed.body).toMatchObject({ user_id: 1, counts: { not_interested: 1, seen: 0, watchlist: 0 } });
    expect(ids(listed.body.signals)).toEqual([top]);
    const gone = await request(app).delete(`/users/1/signals/not_interested/${top}`).set(AS_ADMIN).expect(200);
    expect(gone.body).toEqual({ user_id: 1, movie_id: top, kind: 'not_interested', forgotten: 1 });
    expect((await request(app).delete(`/users/1/signals/not_interested/${top}`).set(AS_ADMIN).expect(200)).body.forgotten).toBe(0);
    const again = ids((await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200)).body.recommendations);
    expect(again).toEqual(first);
  });

  it('when seen and watchlist signals are posted, then both movies leave the answer; GET filters by kind', async () => {
    const app = appWith(openStore());
    const first = ids((await request(app).post('/recommendations').send({ user_id: 2, n_recommendations: 4 }).expect(200)).body.recommendations);
    await request(app).post('/signals').set(AS_ADMIN).send({ user_id: 2, movie_id: first[0], kind: 'seen' }).expect(201);
    await request(app).post('/signals').set(AS_ADMIN).send({ user_id: 2, movie_id: first[1], kind: 'watchlist' }).expect(201);
    const after = ids((await request(app).post('/recommendations').send({ user_id: 2, n_recommendations: 4 }).expect(200)).body.recommendations);
    expect(after).not.toContain(first[0]);
    expect(after).not.toContain(first[1]);
    const watchlist = await request(app).get('/users/2/signals?kind=watchlist').set(AS_ADMIN).expect(200);
    expect(ids(watchlist.body.signals)).toEqual([first[1]]);
    expect(watchlist.body.counts).toEqual({ not_interested: 0, seen: 1, watchlist: 1 });
  });

  it('when another process (a second store on the same file) writes a signal, then the next answer leaves the movie out', async () => {
    const app = appWith(openStore());
    const other = openStore();
    const first = ids((await request(app).post('/recommendations').send({ user_id: 3, n_recommendations: 2 }).expect(200)).body.recommendations);
    await other.put({ userId: 3, movieId: first[0], kind: 'seen' });
    const after = ids((await request(app).post('/recommendations').send({ user_id: 3, n_recommendations: 2 }).expect(200)).body.recommendations);
    expect(after).not.toContain(first[0]);
  });

  it.each([
    ['an unknown kind', { user_id: 1, movie_id: 20, kind: 'liked' }, 'kind'],
    ['a string movie id', { user_id: 1, movie_id: '20', kind: 'seen' }, 'movie_id'],
    ['an unknown field', { user_id: 1, movie_id: 20, kind: 'seen', rating: 4 }, 'rating'],
    ['no user', { movie_id: 20, kind: 'seen' }, 'user_id'],
  ])('when the body has %s, then 400 names the field and nothing is stored', async (_what, body, field) => {
    const store = openStore();
    const res = await request(appWith(store)).post('/signals').set(AS_ADMIN).send(body).expect(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await store.version()).toEqual({ count: 0, newestId: 0 });
  });

  it('when the movie is not in the catalogue, then 404 names movie_id; a bad kind in the path is a 400', async () => {
    const app = appWith(openStore());
    const res = await request(app).post('/signals').set(AS_ADMIN).send({ user_id: 1, movie_id: 999, kind: 'seen' }).expect(404);
    expect(res.body.error.details[0].field).toBe('movie_id');
    const bad = await request(app).delete('/users/1/signals/liked/20').set(AS_ADMIN).expect(400);
    expect(bad.body.error.details[0].field).toBe('kind');
  });

  it('when a user is at maxSignalsPerUser, then a new signal is a 409 naming user_id', async () => {
    const app = appWith(openStore(), limitsConfigSchema.parse({ maxSignalsPerUser: 2 }));
    await request(app).post('/signals').set(AS_ADMIN).send({ user_id: 1, movie_id: 20, kind: 'seen' }).expect(201);
    await request(app).post('/signals').set(AS_ADMIN).send({ user_id: 1, movie_id: 30, kind: 'seen' }).expect(201);
    const res = await request(app).post('/signals').set(AS_ADMIN).send({ user_id: 1, movie_id: 40, kind: 'watchlist' }).expect(409);
    expect(res.body.error).toMatchObject({ code: 'signals_quota_exceeded', details: [{ field: 'user_id' }] });
  });

  it('who may: anonymous 401; a visitor its own user id only (403 for any other); an admin any user', async () => {
    const app = appWith(openStore());
    await request(app).post('/signals').send({ user_id: 1, movie_id: 20, kind: 'seen' }).expect(401);
    await request(app).get('/users/1/signals').expect(401);
    const minted = await request(app).post('/visitor').expect(201);
    const cookie = String(minted.headers['set-cookie']).split(';')[0];
    const user = minted.body.user_id as number;
    const as = (r: request.Test) => r.set('cookie', cookie).set('origin', ORIGIN);
    await as(request(app).post('/signals')).send({ user_id: user, movie_id: 20, kind: 'watchlist' }).expect(201);
    expect(ids((await as(request(app).get(`/users/${user}/signals`)).expect(200)).body.signals)).toEqual([20]);
    const other = await as(request(app).post('/signals')).send({ user_id: 1, movie_id: 20, kind: 'seen' }).expect(403);
    expect(other.body.error.details[0].field).toBe('user_id');
    await as(request(app).get('/users/1/signals')).expect(403);
    await as(request(app).delete('/users/1/signals/seen/20')).expect(403);
    expect((await as(request(app).delete(`/users/${user}/signals/watchlist/20`)).expect(200)).body.forgotten).toBe(1);
  });
});
