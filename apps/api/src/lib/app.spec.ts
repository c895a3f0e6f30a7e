import pino from 'pino';
import request from 'supertest';
import { AS_ADMIN, plantedApp, plantedRecommender, RATED, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

const app = plantedApp();
const ids = (body: { recommendations: { movie_id: number }[] }) => body.recommendations.map((m) => m.movie_id);

describe('POST /recommendations', () => {
  it('when a known user asks for 2, then the personalised top 2 unseen movies come back in the contract shape', async () => {
    const res = await request(app).post('/recommendations').set(AS_ADMIN).send({ user_id: 1, n_recommendations: 2 }).expect(200);
    expect(res.body).toEqual({
      user_id: 1,
      strategy: 'personalized',
      recommendations: [
        {
          movie_id: 30,
          title: 'Galaxy, The (1999)',
          genres: ['Sci-Fi'],
          year: 1999,
          predicted_rating: 5,
          because: { text: 'Because you rated Star Voyage (1977) (4.0)', movie_ids: [10] },
        },
        {
          movie_id: 20,
          title: 'Robot Dawn (1984)',
          genres: ['Sci-Fi', 'Action'],
          year: 1984,
          predicted_rating: 4.7,
          because: { text: 'Because you rated Star Voyage (1977) (4.0)', movie_ids: [10] },
        },
      ],
      model_version: 'mf-test00000001',
    });
  });

  it('when n_recommendations is omitted, then up to 10 are returned, none of them rated', async () => {
    const res = await request(app).post('/recommendations').send({ user_id: 1 }).expect(200);
    expect(ids(res.body)).toEqual([30, 20, 40, 60, 70]);
    for (const seen of RATED[1]) expect(ids(res.body)).not.toContain(seen);
  });

  it('when genres and exclusions are given, then both are honoured', async () => {
    const res = await request(app)
      .post('/recommendations')
      .send({ user_id: 1, genres: ['Sci-Fi'], exclude_movie_ids: [30] })
      .expect(200);
    expect(ids(res.body)).toEqual([20, 40]);
  });

  it('when the user is unknown, then the cold-start list comes back with strategy popular', async () => {
    const res = await request(app).post('/recommendations').send({ user_id: 424242, n_recommendations: 3 }).expect(200);
    expect(res.body.strategy).toBe('popular');
    expect(ids(res.body)).toEqual([50, 10, 60]);
  });

  it('when a genre is unknown, then 400 names the field', async () => {
    const res = await request(app)
      .post('/recommendations')
      .send({ user_id: 1, genres: ['Western'] })
      .expect(400);
    expect(res.body.error).toMatchObject({ status: 400, code: 'unknown_genre', details: [{ field: 'genres.0' }] });
  });
});

describe('POST /predict and /predict/batch', () => {
  it('when user and movie are known, then mu + b_u + b_i + p_u.q_i comes back (3.5 - 0.1 - 0.2 + 1.1)', async () => {
    const res = await request(app).post('/predict').send({ user_id: 2, movie_id: 70 }).expect(200);
    expect(res.body).toEqual({ user_id: 2, movie_id: 70, predicted_rating: 4.3, model_version: 'mf-test00000001' });
  });

  it('when the movie is unknown, then 404 movie_not_found', async () => {
    const res = await request(app).post('/predict').send({ user_id: 2, movie_id: 777 }).expect(404);
    expect(res.body).toEqual({
      error: {
        status: 404,
        code: 'movie_not_found',
        message: 'Movie 777 is not in the catalogue',
        details: [{ field: 'movie_id', message: 'unknown movie_id 777' }],
      },
    });
  });

  it('when a batch of pairs is posted, then one prediction per pair comes back in order', async () => {
    const pairs = [
      { user_id: 1, movie_id: 30 },
      { user_id: 999, movie_id: 10 },
      { user_id: 1, movie_id: 90 },
    ];
    const res = await request(app).post('/predict/batch').send({ pairs }).expect(200);
    expect(res.body.predictions).toEqual([
      { user_id: 1, movie_id: 30, predicted_rating: 5, model_version: 'mf-test00000001' },
      { user_id: 999, movie_id: 10, predicted_rating: 3.8, model_version: 'mf-test00000001' },
      { user_id: 1, movie_id: 90, predicted_rating: 3.7, model_version: 'mf-test00000001' },
    ]);
  });

  it('when a batch is empty or holds an unknown movie, then 400 or 404', async () => {
    const empty = await request(app).post('/predict/batch').send({ pairs: [] }).expect(400);
    expect(empty.body.error.details[0].field).toBe('pairs');
    const unknown = await request(app)
      .post('/predict/batch')
      .send({ pairs: [{ user_id: 1, movie_id: 5555 }] })
      .expect(404);
    expect(unknown.body.error.message).toContain('5555');
  });

  it('when a batch pair is invalid, then the field path points into the list', async () => {
    const res = await request(app)
      .post('/predict/batch')
      .send({
        pairs: [
          { user_id: 1, movie_id: 10 },
          { user_id: -1, movie_id: 10 },
        ],
      })
      .expect(400);
    expect(res.body.error.details).toEqual([{ field: 'pairs.1.user_id', message: expect.any(String) }]);
  });
});

describe('POST /recommendations/new-user', () => {
  it('when five ratings favour sci-fi, then fold-in recommends unseen sci-fi first', async () => {
    const ratings = [
      { movie_id: 10, rating: 5 },
      { movie_id: 20, rating: 4.5 },
      { movie_id: 50, rating: 1 },
      { movie_id: 60, rating: 1 },
      { movie_id: 70, rating: 1.5 },
    ];
    const res = await request(app).post('/recommendations/new-user').send({ ratings, n_recommendations: 5 }).expect(200);
    expect(res.body.strategy).toBe('fold-in');
    expect(res.body.ratings_used).toBe(5);
    expect(ids(res.body)).toEqual([30, 40]);
  });

  it('when two ratings are posted, then the popular blend excludes them', async () => {
    const res = await request(app)
      .post('/recommendations/new-user')
      .send({
        ratings: [
          { movie_id: 50, rating: 4 },
          { movie_id: 10, rating: 3 },
        ],
        n_recommendations: 3,
      })
      .expect(200);
    expect(res.body.strategy).toBe('popular-blend');
    expect(ids(res.body)).toHaveLength(3);
    expect(ids(res.body)).not.toEqual(expect.arrayContaining([50]));
    expect(ids(res.body)).not.toEqual(expect.arrayContaining([10]));
  });

  it('when a rating is not in half steps or a movie is rated twice, then 400 names the field', async () => {
    const res = await request(app)
      .post('/recommendations/new-user')
      .send({ ratings: [{ movie_id: 10, rating: 3.3 }] })
      .expect(400);
    expect(res.body.error.details[0].field).toBe('ratings.0.rating');
    const dup = await request(app)
      .post('/recommendations/new-user')
      .send({
        ratings: [
          { movie_id: 10, rating: 3 },
          { movie_id: 10, rating: 4 },
        ],
      })
      .expect(400);
    expect(dup.body.error.details[0]).toEqual({ field: 'ratings', message: 'each movie_id may be rated once' });
  });
});

describe('GET /health, /ready', () => {
  it('when asked without credentials, then liveness is ok and readiness is only its status (details: ready.spec.ts)', async () => {
    expect((await request(app).get('/health').expect(200)).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/ready').expect(200)).body).toEqual({ status: 'ready' });
  });

  it('when a client sends x-request-id, then it is echoed; without one, a UUID is generated', async () => {
    const echoed = await request(app).get('/health').set('x-request-id', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const generated = await request(app).get('/health').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when the log level is info, then each request logs one line, and every line of a request carries its request id', async () => {
    const lines: { msg: string; reqId?: string; res?: { statusCode: number } }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const logged = createApp({ recommender: plantedRecommender(), config: { serving: SERVING }, logger });
    await request(logged).get('/health').set('x-request-id', 'ok-1').expect(200);
    await request(logged).get('/movies/999999').set('x-request-id', 'missing-1').expect(404);
    expect(lines.filter((l) => l.reqId === 'ok-1').map((l) => [l.msg, l.res?.statusCode])).toEqual([['request completed', 200]]);
    const missing = lines.filter((l) => l.reqId === 'missing-1');
    expect(missing.map((l) => l.msg)).toEqual([expect.stringContaining('999999'), 'request completed']);
  });

  it('when a browser calls from another origin and no origin is configured (the default), then no CORS header allows it', async () => {
    const res = await request(app).get('/health').set('Origin', 'http://example.test').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
