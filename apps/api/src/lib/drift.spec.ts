import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { openSqliteKeyStore, openSqliteRatingsStore, type KeyStore, type RatingsStore } from '@reelrank/feedback';
import { DRIFT_FEATURE_NAMES } from '@reelrank/config';
import { buildDriftProfile, buildGenreIndex, DRIFT_FEATURES, idRanges, type DriftReport } from '@reelrank/model';
import { AS_ADMIN, MOVIES, plantedRecommender, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import type { DriftMonitor } from './drift-monitor.js';

/**
 * Drift through the API: the live (planted) model's training profile has ratings spread over the
 * scale; a stream of posted ratings that are all 0.5 stars, written by POST /ratings into a real
 * SQLite store, moves the rating PSI past the threshold in /metrics/drift, /metrics and the
 * dashboard's summary. The monitor measures on a timer; the test asks it to measure at once.
 */

const RATED_MOVIES = [10, 20, 30, 40, 50, 60, 70];
const SETTINGS = { threshold: 0.25, minRatings: 100, maxRatings: 10_000, refreshSeconds: 3600, judged: ['rating', 'genre'] as const };

/** A training sample like the data set's: users 1-5, every movie, ratings 1.0..5.0. */
function trainingProfile(version: string) {
  const userIds: number[] = [];
  const movieIds: number[] = [];
  const ratings: number[] = [];
  for (let i = 0; i < 700; i++) {
    userIds.push(1 + (i % 5));
    movieIds.push(RATED_MOVIES[i % RATED_MOVIES.length]);
    ratings.push(1 + (i % 9) / 2);
  }
  return buildDriftProfile({ userIds, movieIds, ratings }, { genreIndex: buildGenreIndex(MOVIES), dataSetUsers: idRanges([1, 2, 3, 4, 5]) }, version);
}

/** 40 new users rating the 7 movies: 280 ratings, each `rating`. */
const stream = (rating: number) =>
  Array.from({ length: 40 }, (_, u) => RATED_MOVIES.map((movie_id) => ({ user_id: 1000 + u, movie_id, rating }))).flat();

describe('drift of the posted ratings: GET /metrics/drift, reelrank_drift_psi and the dashboard summary', () => {
  let dir: string;
  let store: RatingsStore;
  let app: ReturnType<typeof createApp>;
  let keys: KeyStore;
  const recommender = plantedRecommender();
  const version = recommender.manifest.version;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-drift-api-'));
    store = openSqliteRatingsStore(join(dir, 'test.ratings.db'));
    const profile = trainingProfile(version);
    keys = openSqliteKeyStore(':memory:');
    app = createApp({
      keys,
      recommender,
      config: { serving: SERVING },
      admin: { token: TEST_ADMIN_TOKEN },
      ratings: store,
      drift: { settings: { ...SETTINGS, judged: [...SETTINGS.judged] }, profileOf: (v) => (v === version ? profile : null) },
    });
  });
  afterEach(async () => {
    (app.locals.driftMonitor as DriftMonitor).stop();
    await store.close();
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const measure = () => (app.locals.driftMonitor as DriftMonitor).refresh();
  const drift = async () => (await request(app).get('/metrics/drift').set(AS_ADMIN).expect(200)).body as DriftReport;
  const post = (ratings: ReturnType<typeof stream>) => request(app).post('/ratings').set(AS_ADMIN).send({ ratings }).expect(201);

  it('when fewer ratings than the floor were posted, then the windows have no figures and the report says why', async () => {
    await post(stream(4).slice(0, 50));
    await measure();
    const report = await drift();
    expect(report).toMatchObject({ modelVersion: version, drifted: false, worst: null, note: 'fewer than 100 ratings posted in the last week' });
    expect(report.windows.map((w) => [w.window, w.ratings, w.psi])).toEqual([
      ['day', 50, null],
      ['week', 50, null],
    ]);
  });

  it('when every posted rating is 0.5, then the rating PSI passes the threshold in /metrics/drift, /metrics and the summary', async () => {
    await post(stream(0.5));
    await measure();
    const report = await drift();
    expect(report.windows.map((w) => w.ratings)).toEqual([280, 280]);
    expect(report.drifted).toBe(true);
    expect(report.worst).toMatchObject({ feature: 'rating' });
    expect(report.worst!.psi).toBeGreaterThan(0.25);
    // Every posted rating is 0.5: all of the window's share (but the smoothing) is in the first bin.
    expect(report.windows[0].shares!.rating[0]).toBeCloseTo(280.5 / 285, 6);
    expect(report.profile!.features.rating.bins[0]).toBe('0.5');

    const metrics = (await request(app).get('/metrics').set(AS_ADMIN).expect(200)).text;
    const psi = metrics.match(/^reelrank_drift_psi\{feature="rating",window="day"\} ([\d.]+)$/m);
    expect(Number(psi?.[1])).toBeCloseTo(report.windows[0].psi!.rating, 9);
    expect(metrics).toMatch(/^reelrank_drift_threshold 0\.25$/m);
    expect(metrics).toMatch(/^reelrank_drift_window_ratings\{window="week"\} 280$/m);

    const summary = (await request(app).get('/metrics/summary').set(AS_ADMIN).expect(200)).body;
    expect(summary.drift).toMatchObject({ threshold: 0.25, judged: ['rating', 'genre'], drifted: true, worst: { feature: 'rating' } });
    expect(summary.drift.windows.day).toMatchObject({ ratings: 280 });
  });

  it('when the posted ratings look like the training data, then the judged features stay under the threshold', async () => {
    await post(stream(0).map((r, i) => ({ ...r, rating: 1 + (i % 9) / 2 })));
    await measure();
    const report = await drift();
    expect(report.windows[0].psi!.rating).toBeLessThan(0.05);
    expect(report.drifted).toBe(false);
  });

  it('when called without an operator credential, then /metrics/drift is refused like /metrics/summary; a reader key may read it', async () => {
    await measure();
    const key = async (role: 'reader' | 'service') => `Bearer ${(await keys.create(`drift-${role}`, role)).key}`;
    const res = await request(app).get('/metrics/drift').expect(401);
    expect(res.body.error).toMatchObject({ status: 401, code: 'unauthorized' });
    await request(app).get('/metrics/drift').set('authorization', 'Bearer wrong-token-wrong-token-wrong').expect(401);
    await request(app)
      .get('/metrics/drift')
      .set('authorization', await key('service'))
      .expect(403);
    await request(app)
      .get('/metrics/drift')
      .set('authorization', await key('reader'))
      .expect(200);
  });

  it('when the config names the judged features, then it knows the same four the profile has', () => {
    expect([...DRIFT_FEATURE_NAMES]).toEqual([...DRIFT_FEATURES]);
  });

  it('when an app measures nothing (no drift settings), then /metrics/drift answers 503 with a JSON error', async () => {
    const bare = createApp({ recommender, config: { serving: SERVING }, admin: { token: TEST_ADMIN_TOKEN } });
    const res = await request(bare).get('/metrics/drift').set(AS_ADMIN).expect(503);
    expect(res.body.error).toMatchObject({ status: 503, code: 'drift_unavailable' });
  });
});
