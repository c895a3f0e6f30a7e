import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregatorRegistry, Registry } from 'prom-client';
import request from 'supertest';
import { readRetrainWatchState, writeRetrainWatchState, type RetrainWatchState } from '@reelrank/model';
import { plantedRecommender } from '@reelrank/serving/testing';
import { SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { renderMetrics, summarizeMetrics } from './metrics.js';
import { registerRetrainMetrics } from './retrain-metrics.js';

/** What the watcher writes after a failed run and a look (the shape of reelrank retrain --watch's state file). */
const STATE: RetrainWatchState = {
  check: {
    at: '2026-12-04T12:00:10.000Z',
    pid: 4242,
    host: 'box',
    decision: 'wait',
    reason: 'backing off after 2 failed run(s): next try in 50 s',
    ratingsWaiting: 1234,
    nextCheckAt: '2026-12-04T12:01:00.000Z',
  },
  run: {
    running: false,
    pid: 4242,
    host: 'box',
    startedAt: '2026-12-04T11:59:00.000Z',
    finishedAt: '2026-12-04T12:00:00.000Z',
    outcome: 'failed',
    durationSeconds: 60,
    error: 'the pipeline failed (nx exit code 1)',
    consecutiveFailures: 2,
    lastSuccessAt: '2026-12-03T12:00:00.000Z',
    previousVersion: 'mf-000000000001',
    version: 'mf-000000000001',
  },
};

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('reelrank_retrain_'));
}

describe('the retrain watcher in /metrics and the dashboard summary', () => {
  const statePath = join(mkdtempSync(join(tmpdir(), 'retrain-metrics-')), 'retrain-watch.json');
  const appReading = (path: string) =>
    createApp({
      recommender: plantedRecommender(),
      config: { serving: SERVING },
      admin: { token: TEST_ADMIN_TOKEN },
      retrainState: () => readRetrainWatchState(path),
    });
  const get = (app: ReturnType<typeof createApp>, path: string) =>
    request(app).get(path).set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`).expect(200);

  it('when no watcher has written its state, then the gauges have no value and the summary says null', async () => {
    const app = appReading(join(tmpdir(), 'no-such-dir', 'retrain-watch.json'));
    expect(lines((await get(app, '/metrics')).text)).toEqual([]);
    expect((await get(app, '/metrics/summary')).body.retrain).toBeNull();
  });

  it('when the watcher wrote its state, then /metrics exports its last run, outcome, duration, failures, ratings waiting and next check', async () => {
    writeRetrainWatchState(statePath, STATE);
    const app = appReading(statePath);
    expect(lines((await get(app, '/metrics')).text).sort()).toEqual(
      [
        'reelrank_retrain_consecutive_failures 2',
        'reelrank_retrain_last_check_timestamp_seconds 1796385610',
        'reelrank_retrain_last_run_duration_seconds 60',
        'reelrank_retrain_last_run_outcome{outcome="failed"} 1',
        'reelrank_retrain_last_run_outcome{outcome="rejected"} 0',
        'reelrank_retrain_last_run_outcome{outcome="trained"} 0',
        'reelrank_retrain_last_run_outcome{outcome="unchanged"} 0',
        'reelrank_retrain_last_run_timestamp_seconds 1796385600',
        'reelrank_retrain_next_check_timestamp_seconds 1796385660',
        'reelrank_retrain_ratings_waiting 1234',
        'reelrank_retrain_running 0',
      ].sort(),
    );
    expect((await get(app, '/metrics/summary')).body.retrain).toEqual({
      last_run_at: '2026-12-04T12:00:00.000Z',
      outcome: 'failed',
      duration_seconds: 60,
      running: false,
      consecutive_failures: 2,
      ratings_waiting: 1234,
      last_check_at: '2026-12-04T12:00:10.000Z',
      next_check_at: '2026-12-04T12:01:00.000Z',
    });
  });

  it('when several cluster workers report the same state, then the sum over workers does not multiply it', async () => {
    const workers = [new Registry(), new Registry(), new Registry()];
    for (const registry of workers) registerRetrainMetrics(registry, () => STATE);
    const parts = await Promise.all(workers.map((r) => r.getMetricsAsJSON()));
    const { text } = await renderMetrics(parts);
    expect(lines(text)).toEqual(expect.arrayContaining(['reelrank_retrain_ratings_waiting 1234', 'reelrank_retrain_consecutive_failures 2']));
    const summary = summarizeMetrics(await AggregatorRegistry.aggregate(parts).getMetricsAsJSON());
    expect(summary.retrain).toMatchObject({ ratings_waiting: 1234, outcome: 'failed', duration_seconds: 60 });
  });
});
