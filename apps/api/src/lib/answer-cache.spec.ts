import request from 'supertest';
import { AS_ADMIN, SERVING, TEST_ADMIN_TOKEN, plantedRecommender } from '../__fixtures__/fixtures.js';
import { AnswerCache } from './answer-cache.js';
import { createApp } from './app.js';

const appWith = (answerCacheEntries: number) =>
  createApp({ recommender: plantedRecommender(), config: { serving: { ...SERVING, answerCacheEntries } }, admin: { token: TEST_ADMIN_TOKEN } });

describe('AnswerCache', () => {
  const answer = (body: string) => ({ body, strategy: 'personalized', movies: [{ movie_id: 1 }] });

  it('keeps an answer per model, for the fold-in it was computed from, least recently used dropped first', () => {
    const cache = new AnswerCache(2);
    const [model, other, folded] = [{}, {}, {}];
    cache.set(model, 'a', undefined, answer('A'));
    expect(cache.get(model, 'a', undefined)?.body).toBe('A');
    expect(cache.get(other, 'a', undefined)).toBeUndefined(); // another model
    expect(cache.get(model, 'a', folded)).toBeUndefined(); // the user posted ratings since
    cache.set(model, 'b', folded, answer('B'));
    cache.get(model, 'a', undefined); // a used last: b goes first
    cache.set(model, 'c', undefined, answer('C'));
    expect([cache.get(model, 'a', undefined)?.body, cache.get(model, 'b', folded), cache.get(model, 'c', undefined)?.body]).toEqual([
      'A',
      undefined,
      'C',
    ]);
  });

  it('with 0 entries keeps nothing', () => {
    const cache = new AnswerCache(0);
    cache.set({}, 'a', undefined, answer('A'));
    expect(cache.get({}, 'a', undefined)).toBeUndefined();
  });
});

describe('POST /recommendations answered from the answer cache', () => {
  it('gives the bytes a server without the cache gives, for each caller, before and after the user posts a rating', async () => {
    const cached = appWith(1000);
    const uncached = appWith(0);
    const ask = async (app: ReturnType<typeof appWith>, asAdmin: boolean, body: object = { user_id: 1 }) => {
      const req = request(app).post('/recommendations');
      return (await (asAdmin ? req.set(AS_ADMIN) : req).send(body).expect(200)).text;
    };
    const both = async (asAdmin: boolean, body?: object) => {
      const answers = [await ask(cached, asAdmin, body), await ask(cached, asAdmin, body), await ask(uncached, asAdmin, body)];
      expect(answers[1]).toBe(answers[0]);
      expect(answers[2]).toBe(answers[0]);
      return answers[0];
    };
    const keyed = await both(true);
    const anonymous = await both(false);
    // The key holder's answer names the user's rated movies; an anonymous caller's never does, cached or not.
    expect(keyed).toMatch(/Because you rated/);
    expect(anonymous).not.toMatch(/Because you rated/);
    expect(await both(false, { user_id: 1, n_recommendations: 3 })).not.toBe(anonymous);

    for (const app of [cached, uncached])
      await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 30, rating: 0.5 }).expect(201);
    const afterRating = await both(true);
    expect(afterRating).not.toBe(keyed);
    expect(JSON.parse(afterRating).recommendations.map((m: { movie_id: number }) => m.movie_id)).not.toContain(30);
  });

  it('counts every answer, cached or not, in the metrics', async () => {
    const app = appWith(1000);
    for (let i = 0; i < 3; i++) await request(app).post('/recommendations').send({ user_id: 1 }).expect(200);
    const metrics = (app.locals as { metrics: { registry: { getSingleMetricAsString(name: string): Promise<string> } } }).metrics;
    expect(await metrics.registry.getSingleMetricAsString('reelrank_recommendation_answers_total')).toMatch(/strategy="personalized"} 3$/m);
  });
});
