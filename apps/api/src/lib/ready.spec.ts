import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { openSqliteRatingsStore } from '@reelrank/feedback';
import { plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ModelHolder } from './model-holder.js';

/** GET /ready: anyone learns the status; the model, the catalogue and the stores (with their errors) only an admin. */

const TOKEN = 'ready-spec-admin-token-0123456789';
const DETAILS = {
  status: 'ready',
  model: {
    dataset: 'api-fixture',
    version: 'mf-test00000001',
    created_at: '2026-01-01T00:00:00.000Z',
    trained_at: '2026-01-01T00:00:00.000Z',
    factors: 2,
    users: 5,
    movies: 8,
    ranker: 'rating-model',
    metrics: { rmse: 0.87, mae: 0.67 },
  },
  catalogue: { movies: 8, kind: 'postgres', location: 'postgres://reelrank:***@db.internal:5432/reelrank' },
  ratings_store: { kind: 'sqlite', location: ':memory:', reachable: true },
};

const holder = () => {
  const models = new ModelHolder(() => plantedRecommender());
  models.reload();
  return models;
};

const appWith = (options: { burst?: number; ratings?: ReturnType<typeof openSqliteRatingsStore> } = {}) =>
  createApp({
    models: holder(),
    config: { serving: SERVING },
    logger: pino({ level: 'silent' }),
    admin: { token: TOKEN, burst: options.burst ?? 5, refillSeconds: 60 },
    ratings: options.ratings,
    catalogueSource: { kind: 'postgres', location: 'postgres://reelrank:***@db.internal:5432/reelrank' },
  });

describe('GET /ready', () => {
  it('when asked without credentials, then only the status comes back; with the admin token, the details', async () => {
    const app = appWith();
    expect((await request(app).get('/ready').expect(200)).body).toEqual({ status: 'ready' });
    expect((await request(app).get('/ready').set('authorization', `Bearer ${TOKEN}`).expect(200)).body).toEqual(DETAILS);
  });

  it('when the ratings store is down, then an anonymous caller still sees only the status, never the driver error or the location', async () => {
    const broken = openSqliteRatingsStore(':memory:');
    await broken.close();
    const app = appWith({ ratings: broken });
    const anonymous = await request(app).get('/ready').expect(200);
    expect(anonymous.body).toEqual({ status: 'ready' });
    expect(anonymous.text).not.toMatch(/db\.internal|5432|reelrank:|memory|error/);
    const admin = await request(app).get('/ready').set('authorization', `Bearer ${TOKEN}`).expect(200);
    expect(admin.body.ratings_store).toMatchObject({ kind: 'sqlite', reachable: false, error: expect.any(String) });
  });

  it('when wrong tokens are sent, then they get the status only and count as failed admin authentications of that address', async () => {
    const app = appWith({ burst: 2 });
    for (let i = 0; i < 2; i++) {
      expect((await request(app).get('/ready').set('authorization', `Bearer guess-${i}`).expect(200)).body).toEqual({ status: 'ready' });
    }
    // The address is out of failures: even the right token gets no details, and /admin/reload refuses it.
    expect((await request(app).get('/ready').set('authorization', `Bearer ${TOKEN}`).expect(200)).body).toEqual({ status: 'ready' });
    expect((await request(app).post('/admin/reload').set('authorization', `Bearer ${TOKEN}`).expect(429)).body.error.code).toBe('rate_limited');
  });

  it('when an identity middleware names the caller, then its role decides, not the token', async () => {
    const inner = appWith();
    const asRole = (role: string) => {
      const outer = express();
      outer.use((_req, res, next) => {
        res.locals.identity = { role, subject: `test:${role}` };
        next();
      });
      outer.use(inner);
      return outer;
    };
    expect((await request(asRole('admin')).get('/ready').expect(200)).body).toEqual(DETAILS);
    expect((await request(asRole('reader')).get('/ready').set('authorization', `Bearer ${TOKEN}`).expect(200)).body).toEqual({ status: 'ready' });
  });
});
