import request from 'supertest';
import { AS_ADMIN, MOVIES, plantedApp, plantedBundle, RATED, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';

const app = plantedApp();
const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

describe('GET /movies?search=&genre=&limit=&offset=', () => {
  it('when a title fragment is searched, then the matching movies come back with the total', async () => {
    const res = await request(app).get('/movies?search=galaxy').expect(200);
    expect(res.body).toEqual({ total: 1, movies: [{ movie_id: 30, title: 'Galaxy, The (1999)', genres: ['Sci-Fi'], year: 1999 }] });
  });

  it('when a genre is given in any case and paged, then one page of that genre comes back', async () => {
    const all = await request(app).get('/movies?genre=comedy').expect(200);
    expect(all.body.total).toBe(3);
    expect(all.body.movies.every((m: { genres: string[] }) => m.genres.includes('Comedy'))).toBe(true);
    const page = await request(app).get('/movies?genre=Comedy&limit=2&offset=2').expect(200);
    expect(page.body.total).toBe(3);
    expect(page.body.movies).toHaveLength(1);
  });

  it('when nothing is given, then every movie is listed 20 at a time', async () => {
    const res = await request(app).get('/movies').expect(200);
    expect(res.body.total).toBe(MOVIES.length);
    expect(ids(res.body.movies).sort((a, b) => a - b)).toEqual(MOVIES.map((m) => m.movieId));
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=1.5', 'offset'],
    ['q=star', 'q'],
    ['genre=Western', 'genre'],
  ])('when the query is %s, then 400 names %s', async (query, field) => {
    const res = await request(app).get(`/movies?${query}`).expect(400);
    expect(res.body.error.details[0].field).toBe(field);
  });
});

describe('GET /movies/{id}', () => {
  it('when the movie is known, then its details and rating statistics come back', async () => {
    const res = await request(app).get('/movies/50').expect(200);
    // RATED: users 1 and 2 rated movie 50 (4.0 each in the in-memory catalogue).
    expect(res.body).toEqual({
      movie_id: 50,
      title: 'Funny Farm (1988)',
      genres: ['Comedy'],
      year: 1988,
      ratings_count: 2,
      mean_rating: 4,
      in_model: true,
      hidden: false,
    });
  });

  it('when the movie is catalogued but not in the model, then in_model is false and counts are zero', async () => {
    const res = await request(app).get('/movies/90').expect(200);
    expect(res.body).toMatchObject({ movie_id: 90, year: null, genres: [], ratings_count: 0, mean_rating: null, in_model: false });
  });

  it.each([
    ['12345', 404, 'movie_not_found'],
    ['-1', 400, 'validation_error'],
    ['0', 400, 'validation_error'],
    ['1.5', 400, 'validation_error'],
    ['abc', 400, 'validation_error'],
    ['99999999999', 400, 'validation_error'],
  ])('when the id is %s, then %i %s', async (id, status, code) => {
    const res = await request(app).get(`/movies/${id}`).expect(status);
    expect(res.body.error.code).toBe(code);
    if (status === 400) expect(res.body.error.details[0].field).toBe('movie_id');
  });

  it('when an unknown query parameter is sent, then 400 names it', async () => {
    expect((await request(app).get('/movies/10?x=1').expect(400)).body.error.details[0].field).toBe('x');
  });
});

describe('GET /movies/{id}/similar', () => {
  it.each([10, 20, 50, 60])('when movie %i is asked for, then the list never contains it and cosines are descending', async (id) => {
    const res = await request(app).get(`/movies/${id}/similar?n=100`).expect(200);
    expect(ids(res.body.similar)).not.toContain(id);
    const sims = res.body.similar.map((m: { similarity: number }) => m.similarity);
    expect(sims).toEqual([...sims].sort((a: number, b: number) => b - a));
  });

  it('when n is outside 1..100, then 400 names n', async () => {
    for (const n of ['0', '101', '-3', '2.5', 'x'])
      expect((await request(app).get(`/movies/10/similar?n=${n}`).expect(400)).body.error.details[0].field).toBe('n');
  });
});

describe('POST /recommendations content', () => {
  it.each([1, 2, 3, 4, 5])('when user %i asks for everything, then no rated movie comes back and every rating is within 0.5..5', async (user) => {
    const res = await request(app).post('/recommendations').send({ user_id: user, n_recommendations: 100 }).expect(200);
    expect(res.body.strategy).toBe('personalized');
    for (const seen of RATED[user] ?? []) expect(ids(res.body.recommendations)).not.toContain(seen);
    for (const m of res.body.recommendations) {
      expect(m.predicted_rating).toBeGreaterThanOrEqual(0.5);
      expect(m.predicted_rating).toBeLessThanOrEqual(5);
      expect(m.because.text).toEqual(expect.any(String));
    }
  });

  it('when a user likes sci-fi, then the sci-fi picks are explained by the sci-fi movie they rated (to a key holder)', async () => {
    const res = await request(app).post('/recommendations').set(AS_ADMIN).send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(res.body.recommendations[0].because).toEqual({ text: 'Because you rated Star Voyage (1977) (4.0)', movie_ids: [10] });
    // A comedy is explained by the comedy user 1 rated.
    const comedy = await request(app)
      .post('/recommendations')
      .set(AS_ADMIN)
      .send({ user_id: 1, genres: ['Comedy'], n_recommendations: 1 })
      .expect(200);
    expect(comedy.body.recommendations[0].because.movie_ids).toEqual([50]);
  });

  it('when an anonymous caller asks for a user, then the same picks come back with a reason that names none of their ratings', async () => {
    const full = await request(app).post('/recommendations').set(AS_ADMIN).send({ user_id: 1, n_recommendations: 3 }).expect(200);
    const anonymous = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(anonymous.body.recommendations.map((r: { movie_id: number }) => r.movie_id)).toEqual(
      full.body.recommendations.map((r: { movie_id: number }) => r.movie_id),
    );
    expect(JSON.stringify(anonymous.body)).not.toMatch(/Star Voyage|Because you rated/);
    expect(anonymous.body.recommendations[0].because).toEqual({ text: 'Matches the taste profile of your ratings', movie_ids: [] });
  });

  it('when the user is unknown, then each pick is explained as popular', async () => {
    const res = await request(app).post('/recommendations').send({ user_id: 4242, n_recommendations: 2 }).expect(200);
    expect(res.body.recommendations.map((m: { because: { text: string; movie_ids: number[] } }) => m.because)).toEqual([
      { text: 'Popular: 25 ratings, 4.2 on average', movie_ids: [] },
      { text: 'Popular: 25 ratings, 4.1 on average', movie_ids: [] },
    ]);
  });

  it('when the same filters are repeated, then the answers are identical (the reused exclusion mask is restored)', async () => {
    const first = await request(app)
      .post('/recommendations')
      .send({ user_id: 3, exclude_movie_ids: [30], genres: ['sci-fi'] })
      .expect(200);
    const plain1 = await request(app).post('/recommendations').send({ user_id: 3 }).expect(200);
    const again = await request(app)
      .post('/recommendations')
      .send({ user_id: 3, exclude_movie_ids: [30], genres: ['sci-fi'] })
      .expect(200);
    const plain2 = await request(app).post('/recommendations').send({ user_id: 3 }).expect(200);
    expect(again.body).toEqual(first.body);
    expect(plain2.body).toEqual(plain1.body);
    expect(ids(plain1.body.recommendations)).toContain(30);
    expect(ids(first.body.recommendations)).not.toContain(30);
  });
});

describe('POST /predict/batch limits', () => {
  it('when 1,000 pairs are posted, then 1,000 predictions within 0.5..5 come back in order', async () => {
    const movies = [10, 20, 30, 40, 50, 60, 70, 90];
    const pairs = Array.from({ length: 1000 }, (_, i) => ({ user_id: 1 + (i % 7), movie_id: movies[i % movies.length] }));
    const big = createApp({
      recommender: new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED)),
      config: { serving: { ...SERVING, bodyLimit: '1mb' } },
    });
    const res = await request(big).post('/predict/batch').send({ pairs }).expect(200);
    expect(res.body.predictions).toHaveLength(1000);
    res.body.predictions.forEach((p: { user_id: number; movie_id: number; predicted_rating: number }, i: number) => {
      expect([p.user_id, p.movie_id]).toEqual([pairs[i].user_id, pairs[i].movie_id]);
      expect(p.predicted_rating).toBeGreaterThanOrEqual(0.5);
      expect(p.predicted_rating).toBeLessThanOrEqual(5);
    });
  });

  it('when 1,001 pairs are posted, then 400 names pairs', async () => {
    const pairs = Array.from({ length: 1001 }, () => ({ user_id: 1, movie_id: 10 }));
    const res = await request(app).post('/predict/batch').send({ pairs }).expect(400);
    expect(res.body.error.details[0].field).toBe('pairs');
  });
});

describe('client mistakes are 4xx JSON naming the field, never 5xx', () => {
  const cases: Array<[string, string, unknown, number, string]> = [
    ['/predict', 'missing movie_id', { user_id: 1 }, 400, 'movie_id'],
    ['/predict', 'missing user_id', { movie_id: 10 }, 400, 'user_id'],
    ['/predict', 'string id', { user_id: '1', movie_id: 10 }, 400, 'user_id'],
    ['/predict', 'negative movie id', { user_id: 1, movie_id: -10 }, 400, 'movie_id'],
    ['/predict', 'non-integer movie id', { user_id: 1, movie_id: 10.5 }, 400, 'movie_id'],
    ['/predict', 'boolean id', { user_id: true, movie_id: 10 }, 400, 'user_id'],
    ['/predict', 'unknown movie', { user_id: 1, movie_id: 777 }, 404, 'movie_id'],
    ['/recommendations', 'n = 0', { user_id: 1, n_recommendations: 0 }, 400, 'n_recommendations'],
    ['/recommendations', 'n = 101', { user_id: 1, n_recommendations: 101 }, 400, 'n_recommendations'],
    ['/recommendations', 'genres not a list', { user_id: 1, genres: 'Comedy' }, 400, 'genres'],
    ['/recommendations', 'exclusion negative', { user_id: 1, exclude_movie_ids: [-1] }, 400, 'exclude_movie_ids.0'],
    ['/recommendations/new-user', 'missing ratings', { n_recommendations: 3 }, 400, 'ratings'],
    ['/recommendations/new-user', 'rating above 5', { ratings: [{ movie_id: 10, rating: 5.5 }] }, 400, 'ratings.0.rating'],
    ['/recommendations/new-user', 'unknown movie', { ratings: [{ movie_id: 777, rating: 4 }] }, 404, 'ratings.movie_id'],
    ['/predict/batch', 'pairs not a list', { pairs: { user_id: 1, movie_id: 10 } }, 400, 'pairs'],
    ['/predict/batch', 'pair with a float id', { pairs: [{ user_id: 1.5, movie_id: 10 }] }, 400, 'pairs.0.user_id'],
  ];
  it.each(cases)('POST %s with %s -> %i naming %s', async (path, _label, body, status, field) => {
    const res = await request(app)
      .post(path)
      .send(body as object)
      .expect(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error.status).toBe(status);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('when the JSON top level is a string or number (not object/array), then 400 invalid_json', async () => {
    for (const raw of ['"hello"', '42', 'null']) {
      const res = await request(app).post('/predict').set('Content-Type', 'application/json').send(raw).expect(400);
      expect(res.body.error.code).toBe('invalid_json');
    }
  });

  it('when the content type carries a charset, then the body is still parsed (chunked bodies: lifecycle.spec.ts)', async () => {
    const res = await request(app)
      .post('/predict')
      .set('Content-Type', 'application/json; charset=utf-8')
      .send('{"user_id":2,"movie_id":70}')
      .expect(200);
    expect(res.body.predicted_rating).toBe(4.3);
  });

  it('when the body is over the limit by Content-Length alone, then 413', async () => {
    const body = JSON.stringify({ pairs: Array.from({ length: 5000 }, () => ({ user_id: 1, movie_id: 10 })) });
    const res = await request(app).post('/predict/batch').set('Content-Type', 'application/json').send(body).expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('when an unknown route or method is used, then 404 JSON', async () => {
    for (const res of [
      await request(app).post('/nope').send({}),
      await request(app).delete('/predict'),
      await request(app).get('/movies/10/similar/extra'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('security headers, CORS, request ids', () => {
  it('when any route answers, then the API security headers are present', async () => {
    const res = await request(app).get('/health').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('when CORS is limited to one origin, then only that origin is allowed and preflights answer', async () => {
    const limited = createApp({
      recommender: new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED)),
      config: { serving: { ...SERVING, corsOrigins: 'https://ok.example' } },
    });
    const ok = await request(limited).get('/health').set('Origin', 'https://ok.example').expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://ok.example');
    const other = await request(limited).get('/health').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(limited)
      .options('/predict')
      .set('Origin', 'https://ok.example')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://ok.example');
  });

  it('when CORS is * (configured), then any origin is allowed; with none configured (the default), neither requests nor preflights are', async () => {
    const open = createApp({
      recommender: new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED)),
      config: { serving: { ...SERVING, corsOrigins: '*' } },
    });
    const any = await request(open).options('/predict').set('Origin', 'https://x.example').set('Access-Control-Request-Method', 'POST').expect(204);
    expect(any.headers['access-control-allow-origin']).toBe('*');
    expect((await request(open).get('/health').set('Origin', 'https://x.example')).headers['access-control-allow-origin']).toBe('*');
    const closed = await request(app).options('/predict').set('Origin', 'https://x.example').set('Access-Control-Request-Method', 'POST');
    expect(closed.headers['access-control-allow-origin']).toBeUndefined();
    expect(closed.headers['access-control-allow-methods']).toBeUndefined();
    expect((await request(app).post('/predict').set('Origin', 'https://x.example').send({ user_id: 1, movie_id: 10 })).headers).not.toHaveProperty(
      'access-control-allow-origin',
    );
  });

  it('when an error is answered, then it carries the request id too', async () => {
    const res = await request(app).post('/predict').set('x-request-id', 'trace-42').send({ user_id: 'x' }).expect(400);
    expect(res.headers['x-request-id']).toBe('trace-42');
  });
});

describe('before a model is loaded', () => {
  const empty = createApp({ recommender: () => undefined, config: { serving: SERVING } });

  it('when /ready is asked, then 503 JSON; /health is still ok', async () => {
    const res = await request(empty).get('/ready').expect(503);
    expect(res.body).toEqual({ status: 'loading', error: { status: 503, code: 'model_not_ready', message: 'No model is loaded yet' } });
    await request(empty).get('/health').expect(200);
  });

  it('when a model route is called, then 503 model_not_ready (and input errors are still 400)', async () => {
    expect((await request(empty).post('/recommendations').send({ user_id: 1 }).expect(503)).body.error.code).toBe('model_not_ready');
    await request(empty).post('/recommendations').send({ user_id: -1 }).expect(400);
    await request(empty).get('/openapi.json').expect(200);
  });
});
