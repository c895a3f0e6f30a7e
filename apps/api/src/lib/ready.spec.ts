import pino from 'pino';
import request from 'supertest';
import { openSqliteKeyStore, openSqliteRatingsStore, type KeyStore } from '@reelrank/feedback';
import { plantedRecommender, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ModelHolder } from './model-holder.js';

/** GET /ready: anyone learns the status; the model, the catalogue and the stores (with their errors) only an admin. */

const TOKEN = TEST_ADMIN_TOKEN;
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

const appWith = (options: { burst?: number; ratings?: ReturnType<typeof openSqliteRatingsStore>; keys?: KeyStore } = {}) =>
  createApp({
    models: holder(),
    config: { serving: SERVING },
    logger: pino({ level: 'silent' }),
    admin: { token: TOKEN, burst: options.burst ?? 5, refillSeconds: 60 },
    ratings: options.ratings,
    keys: options.keys,
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

  it('when wrong tokens are sent, then they get a 401 without details and count as failed authentications of that address', async () => {
    const app = appWith({ burst: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await request(app).get('/ready').set('authorization', `Bearer guess-${i}`).expect(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.text).not.toMatch(/api-fixture|mf-test|db\.internal|memory/);
    }
    // The address is out of failures: even the right token is refused before it is looked at, and /admin/reload refuses it.
    const blocked = await request(app).get('/ready').set('authorization', `Bearer ${TOKEN}`).expect(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await request(app).post('/admin/reload').set('authorization', `Bearer ${TOKEN}`).expect(429)).body.error.code).toBe('rate_limited');
    // Without credentials, the status is still anyone's.
    expect((await request(app).get('/ready').expect(200)).body).toEqual({ status: 'ready' });
  });

  it('when an API key names the caller, then its role decides: an admin key sees the details, a reader or service key only the status', async () => {
    const keys = openSqliteKeyStore(':memory:');
    try {
      const bearer = async (role: 'reader' | 'service' | 'admin') => `Bearer ${(await keys.create(`ready-${role}`, role)).key}`;
      const app = appWith({ keys });
      const admin = await bearer('admin');
      expect((await request(app).get('/ready').set('authorization', admin).expect(200)).body).toEqual(DETAILS);
      for (const role of ['reader', 'service'] as const) {
        const key = await bearer(role);
        expect([role, (await request(app).get('/ready').set('authorization', key).expect(200)).body]).toEqual([role, { status: 'ready' }]);
      }
    } finally {
      await keys.close();
    }
  });
});
