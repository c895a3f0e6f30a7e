import request from 'supertest';
import { ServingError, type ServingErrorKind } from '@reelrank/serving';
import { createApp } from './app.js';
import { ApiError, toApiError } from './errors.js';
import { plantedApp, plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';

const app = plantedApp();

async function postError(path: string, body: unknown, status: number) {
  const res = await request(app)
    .post(path)
    .send(body as object)
    .expect(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.body.error.status).toBe(status);
  return res.body.error as { code: string; message: string; details: { field: string; message: string }[] };
}

describe('validation errors', () => {
  it('when user_id is missing, then 400 names user_id', async () => {
    const error = await postError('/recommendations', { n_recommendations: 3 }, 400);
    expect(error.code).toBe('validation_error');
    expect(error.details).toEqual([{ field: 'user_id', message: expect.stringMatching(/expected number/) }]);
  });

  it.each([
    ['a string', '12'],
    ['negative', -5],
    ['zero', 0],
    ['a float', 1.5],
    ['huge', 2 ** 40],
    ['null', null],
  ])('when user_id is %s, then 400 names user_id', async (_label, value) => {
    const error = await postError('/recommendations', { user_id: value }, 400);
    expect(error.details.map((d) => d.field)).toEqual(['user_id']);
  });

  it.each([0, 101, 2.5, '5'])('when n_recommendations is %p, then 400 names n_recommendations', async (n) => {
    const error = await postError('/recommendations', { user_id: 1, n_recommendations: n }, 400);
    expect(error.details.map((d) => d.field)).toEqual(['n_recommendations']);
  });

  it('when several fields are wrong, then each is named', async () => {
    const error = await postError('/predict', { user_id: 'x', movie_id: -1 }, 400);
    expect(error.details.map((d) => d.field).sort()).toEqual(['movie_id', 'user_id']);
    expect(error.message).toContain('user_id');
  });

  it('when an unknown field is sent, then 400 names it (bodies are strict)', async () => {
    const error = await postError('/predict', { user_id: 1, movie_id: 10, userId: 1 }, 400);
    expect(error.details).toEqual([{ field: 'userId', message: 'unknown field "userId" is not allowed' }]);
  });

  it('when exclude_movie_ids holds a non-id, then 400 points at the item', async () => {
    const error = await postError('/recommendations', { user_id: 1, exclude_movie_ids: [3, 'x'] }, 400);
    expect(error.details.map((d) => d.field)).toEqual(['exclude_movie_ids.1']);
  });

  it('when the body is a JSON array or not JSON at all, then 400 asks for an object', async () => {
    const error = await postError('/predict', [1, 2], 400);
    expect(error.details).toEqual([{ field: 'body', message: 'expected a JSON object' }]);
    const res = await request(app).post('/predict').set('Content-Type', 'text/plain').send('user_id=1').expect(400);
    expect(res.body.error.code).toBe('validation_error');
  });
});

describe('transport errors', () => {
  it('when the JSON is malformed, then 400 invalid_json', async () => {
    const res = await request(app).post('/recommendations').set('Content-Type', 'application/json').send('{"user_id": 1,').expect(400);
    expect(res.body.error).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });

  it('when the body exceeds the limit, then 413 payload_too_large', async () => {
    const body = JSON.stringify({ user_id: 1, exclude_movie_ids: Array.from({ length: 30_000 }, (_, i) => i + 1) });
    expect(body.length).toBeGreaterThan(100 * 1024);
    const res = await request(app).post('/recommendations').set('Content-Type', 'application/json').send(body).expect(413);
    expect(res.body.error).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('when the route is unknown, then 404 JSON names it', async () => {
    const res = await request(app).get('/nope').expect(404);
    expect(res.body).toEqual({ error: { status: 404, code: 'not_found', message: 'No route GET /nope', details: [] } });
    await request(app).get('/predict').expect(404);
  });

  it('when a handler fails unexpectedly, then 500 with a generic message and no stack trace', async () => {
    const recommender = plantedRecommender();
    recommender.recommend = () => {
      throw new Error('secret database path /var/x exploded');
    };
    const broken = createApp({ recommender, config: { serving: SERVING } });
    const res = await request(broken).post('/recommendations').send({ user_id: 1 }).expect(500);
    expect(res.body).toEqual({ error: { status: 500, code: 'internal_error', message: 'Internal server error', details: [] } });
    expect(res.text).not.toContain('secret');
  });
});

describe('serving errors', () => {
  it.each<[ServingErrorKind, number]>([
    ['not-found', 404],
    ['invalid-input', 400],
  ])('when serving raises a %s error, then the API answers %i with its code, message and fields', (kind, status) => {
    const problem = { field: 'genres.0', message: 'unknown genre "Jazz"' };
    const error = toApiError(new ServingError(kind, 'some_code', 'What went wrong', [problem]));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status, code: 'some_code', message: 'What went wrong', details: [problem] });
  });

  it('when a route asks serving about unknown movies and genres, then the answers are 404 and 400 naming the field', async () => {
    const similar = await request(app).get('/movies/31337/similar').expect(404);
    expect(similar.body.error).toMatchObject({ code: 'movie_not_found', details: [{ field: 'movie_id', message: 'unknown movie_id 31337' }] });
    const genre = await postError('/recommendations', { user_id: 1, genres: ['Comedy', 'Jazz'] }, 400);
    expect(genre).toMatchObject({ code: 'unknown_genre', details: [{ field: 'genres.1', message: expect.stringMatching(/^unknown genre "Jazz"/) }] });
  });
});
