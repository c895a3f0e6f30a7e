import request from 'supertest';
import { plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

/** POST /recommendations with `diversity`: the planted sci-fi fan (user 1) gets a comedy early once variety weighs enough. */
describe('POST /recommendations diversity', () => {
  const app = createApp({ recommender: plantedRecommender(), config: { serving: SERVING } });
  const ask = (body: object) => request(app).post('/recommendations').send(body);

  it('when diversity is 0.75, then a comedy comes second; 0 gives the plain answer (also on a second, cached call)', async () => {
    const plain = ids((await ask({ user_id: 1, n_recommendations: 3 }).expect(200)).body.recommendations);
    expect(plain).toEqual([30, 20, 40]);
    expect(ids((await ask({ user_id: 1, n_recommendations: 3, diversity: 0.75 }).expect(200)).body.recommendations)).toEqual([30, 60, 20]);
    expect(ids((await ask({ user_id: 1, n_recommendations: 3, diversity: 0 }).expect(200)).body.recommendations)).toEqual(plain);
    expect(ids((await ask({ user_id: 1, n_recommendations: 3 }).expect(200)).body.recommendations)).toEqual(plain);
  });

  it.each([
    ['above 1', 1.5],
    ['negative', -0.1],
    ['a string', '0.5'],
  ])('when diversity is %s, then 400 names the field', async (_what, diversity) => {
    const res = await ask({ user_id: 1, diversity }).expect(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['diversity']);
  });

  it('is in the OpenAPI document as a 0..1 number of the request body', async () => {
    const doc = (await request(app).get('/openapi.json').expect(200)).body;
    expect(doc.components.schemas.RecommendationsRequest.properties.diversity).toMatchObject({ type: 'number', minimum: 0, maximum: 1 });
  });
});
