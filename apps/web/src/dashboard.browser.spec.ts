import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { createApp, metricsApp, ServiceMetrics } from '@reelrank/api';
import { buildDriftProfile, buildGenreIndex, idRanges } from '@reelrank/model';
import { MOVIES, plantedRecommender } from '@reelrank/serving/testing';
import { launchChromium, listenOnLoopback, requireChromium, testServing, type Listening } from '@reelrank/config/testing';
import { webRoot } from './index';

/**
 * The dashboard (/dashboard) in Chromium, served by the metrics listener (metricsApp, as main.ts
 * starts it beside the API) with the real API app's metrics (planted model): traffic and ratings
 * (POST /ratings, after a POST /recommendations) are sent to the API while the page polls
 * /metrics/summary, and the charts, the live version, the hit rates and the retrain watcher must show them, under
 * helmet's CSP (a violation is a console error, which fails).
 */

const ARTIFACTS = join(__dirname, '..', '..', '..', 'artifacts');

/** The credential of the ratings posted for data-set user 1 (only a service or admin key may write them). */
const ADMIN_TOKEN = 'dashboard-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';

describe('dashboard in Chromium', () => {
  let server: Listening | undefined;
  let metricsServer: Listening | undefined;
  let base: string;
  let dashboardBase: string;
  let browser: Browser;
  const recommender = plantedRecommender();
  // The live model's training profile: users 1-5 rating the catalogue 3.0 to 5.0.
  const profile = buildDriftProfile(
    {
      userIds: Array.from({ length: 500 }, (_, i) => 1 + (i % 5)),
      movieIds: Array.from({ length: 500 }, (_, i) => [10, 20, 30, 40, 50, 60, 70][i % 7]),
      ratings: Array.from({ length: 500 }, (_, i) => 3 + (i % 5) / 2),
    },
    { genreIndex: buildGenreIndex(MOVIES), dataSetUsers: idRanges([1, 2, 3, 4, 5]) },
    recommender.manifest.version,
  );
  const metrics = new ServiceMetrics();
  const scraper = metricsApp({ source: () => metrics.registry.getMetricsAsJSON(), webRoot });
  const app = createApp({
    metrics,
    recommender,
    config: {
      serving: testServing(webRoot),
    },
    logger: pino({ level: 'silent' }),
    admin: { token: ADMIN_TOKEN },
    drift: {
      settings: { threshold: 0.25, minRatings: 3, maxRatings: 1000, refreshSeconds: 0.2, judged: ['rating', 'genre'] },
      profileOf: (version) => (version === profile.modelVersion ? profile : null),
    },
    // What `reelrank retrain --watch` leaves in its state file after a training and a later look.
    retrainState: () => ({
      check: {
        at: new Date().toISOString(),
        pid: 1,
        host: 'box',
        decision: 'wait',
        reason: '17 of 1000 new rating(s) waiting',
        ratingsWaiting: 17,
        nextCheckAt: new Date(Date.now() + 60_000).toISOString(),
      },
      run: {
        running: false,
        pid: 1,
        host: 'box',
        startedAt: new Date(Date.now() - 100_000).toISOString(),
        finishedAt: new Date(Date.now() - 58_500).toISOString(),
        outcome: 'trained',
        durationSeconds: 41.5,
        error: null,
        consecutiveFailures: 0,
        lastSuccessAt: new Date(Date.now() - 58_500).toISOString(),
        previousVersion: 'mf-000000000001',
        version: 'mf-000000000002',
      },
    }),
    // The run history's gated trainings: two promoted, one rejected between them.
    gateHistory: () =>
      [
        ['mf-000000000001', 'promoted', 0.91, 0.3],
        ['mf-00000000000r', 'rejected', 1.05, 0.12],
        ['mf-000000000002', 'promoted', 0.88, 0.32],
      ].map(([version, outcome, rmse, ndcg], i) => ({
        version: version as string,
        outcome: outcome as string,
        finished_at: new Date(Date.now() - (3 - i) * 3_600_000).toISOString(),
        k: 10,
        candidate_rmse: rmse as number,
        candidate_ndcg_at_k: ndcg as number,
      })),
  });

  beforeAll(async () => {
    requireChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await listenOnLoopback(app);
    base = server.base;
    metricsServer = await listenOnLoopback(scraper);
    dashboardBase = metricsServer.base;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await metricsServer?.close();
  });

  it('when traffic and ratings arrive, then the page charts requests/s, latency and hit rates and names the live model', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${dashboardBase}/dashboard?interval=0.3`);
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('updated'));
    expect(await page.textContent('#live-version')).toBe(recommender.manifest.version);
    // No experiment ran: the A/B panel says so (its script, a file of its own, was served and ran).
    expect(await page.textContent('#experiment-title')).toBe('A/B experiment: none since start');

    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
    const shown = (
      (await (await post('/recommendations', { user_id: 1, n_recommendations: 2 })).json()) as { recommendations: { movie_id: number }[] }
    ).recommendations.map((r) => r.movie_id);
    // Rated through the API: two of the movies just recommended (one liked) and one other movie (liked).
    const other = [10, 20, 30, 40, 50, 60, 70].find((id) => !shown.includes(id) && id !== 10 && id !== 50)!; // user 1 rated 10 and 50
    const rated = await post('/ratings', {
      ratings: [
        { user_id: 1, movie_id: shown[0], rating: 5 },
        { user_id: 1, movie_id: shown[1], rating: 2 },
        { user_id: 1, movie_id: other, rating: 4 },
      ],
    });
    expect(rated.status).toBe(201);
    // Traffic over a few polls, so that several points have a rate and quantiles.
    for (let round = 0; round < 6; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => post('/predict', { user_id: 1 + (i % 5), movie_id: 10 })));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await page.waitForFunction(() => document.getElementById('hit-now')!.textContent === '50.0 % / 100.0 %');
    await page.waitForSelector('#chart-rps path[data-series="rps"]', { state: 'attached' });
    await page.waitForSelector('#chart-latency path[data-series="p50"]', { state: 'attached' });
    await page.waitForSelector('#chart-latency path[data-series="p99"]', { state: 'attached' });
    await page.waitForSelector('#chart-hit path[data-series="recommended"]', { state: 'attached' });
    await page.waitForSelector('#chart-hit path[data-series="other"]', { state: 'attached' });
    // Requests were counted: some poll interval saw a positive rate (the path climbs above the axis).
    const rpsPeak = await page.$eval('#chart-rps path[data-series="rps"]', (p) =>
      Math.min(...(p.getAttribute('d')!.match(/,[\d.]+/g) ?? []).map((s) => Number(s.slice(1)))),
    );
    expect(rpsPeak).toBeLessThan(160); // y of the axis is 160: a point above it is a rate > 0
    expect(await page.textContent('#ratings-now')).toBe('3');
    // The retrain watcher's tiles.
    expect(await page.textContent('#retrain-last')).toMatch(/^trained /);
    expect(await page.textContent('#retrain-duration')).toBe('41.5 s');
    expect(await page.textContent('#retrain-waiting')).toBe('17');
    expect(await page.textContent('#retrain-failures')).toBe('0');
    // The promotion gate across versions: a dot per version, oldest first, coloured by the decision.
    await page.waitForSelector('#chart-gate-rmse circle.gate-dot', { state: 'attached' });
    expect(
      await page.$$eval('#chart-gate-rmse circle.gate-dot', (dots) =>
        dots.map((d) => `${d.getAttribute('data-version')} ${d.getAttribute('class')}`),
      ),
    ).toEqual(['mf-000000000001 gate-dot promoted', 'mf-00000000000r gate-dot rejected', 'mf-000000000002 gate-dot promoted']);
    expect(await page.$$eval('#chart-gate-ndcg circle.gate-dot.rejected', (dots) => dots.length)).toBe(1);
    // The drift panel: the 3 posted ratings (5, 2 and 4 stars; a 2 the training data never had) against the profile.
    await page.waitForFunction(() => document.getElementById('drift-caption')!.textContent!.includes('3 / 3 ratings'));
    expect(await page.textContent('#drift-caption')).toMatch(
      /^threshold 0\.25 on rating, genre · DRIFTED: rating [\d.]+ \((day|week)\) · 3 \/ 3 ratings/,
    );
    expect(await page.$$eval('#drift-rows th', (cells) => cells.map((c) => c.textContent))).toEqual([
      'rating',
      'genre',
      'userActivity (not judged)',
      'newUsers (not judged)',
    ]);
    expect(await page.$$eval('#drift-rows td.drifted', (cells) => cells.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#drift-rows meter', (meters) => meters.length)).toBe(8);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
