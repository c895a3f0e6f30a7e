import { Gauge, type Registry } from 'prom-client';
import type { RetrainWatchState } from '@reelrank/model';
import type { MetricsJson } from './metrics-json.js';

/**
 * The state of `reelrank retrain --watch` as gauges. The watcher is a process of its own; it writes
 * its state to a small file beside the model registry (config paths.retrainStatePath) and every API
 * process reads that file when scraped (at most once a second). In cluster mode each worker reports
 * the same file, so the gauges aggregate by `max` rather than summing. No file: no values.
 */

const OUTCOMES = ['trained', 'rejected', 'unchanged', 'failed'] as const;
const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : null);

export const RETRAIN_METRICS = {
  lastRun: 'reelrank_retrain_last_run_timestamp_seconds',
  duration: 'reelrank_retrain_last_run_duration_seconds',
  outcome: 'reelrank_retrain_last_run_outcome',
  running: 'reelrank_retrain_running',
  failures: 'reelrank_retrain_consecutive_failures',
  waiting: 'reelrank_retrain_ratings_waiting',
  lastCheck: 'reelrank_retrain_last_check_timestamp_seconds',
  nextCheck: 'reelrank_retrain_next_check_timestamp_seconds',
} as const;

type Sample = { labels: Record<string, string>; value: number };

/**
 * A gauge prom-client's Registry accepts (the shape its own `get()` returns), with no sample at all
 * when there is nothing to say: a plain Gauge without labels always reports a value (0).
 */
export function stateGauge(name: string, help: string, samples: () => Sample[]) {
  const get = () => ({ name, help, type: 'gauge' as const, aggregator: 'max' as const, values: samples() });
  return { name, help, type: 'gauge', aggregator: 'max' as const, get, reset: () => undefined };
}

export function registerRetrainMetrics(registry: Registry, readState: () => RetrainWatchState): void {
  let cached: { at: number; state: RetrainWatchState } | undefined;
  const state = () => {
    const now = Date.now();
    if (!cached || now - cached.at > 1000) cached = { at: now, state: readState() };
    return cached.state;
  };
  const gauge = (name: string, help: string, value: (s: RetrainWatchState) => number | null) => {
    const metric = stateGauge(name, help, () => {
      const v = value(state());
      return v !== null && Number.isFinite(v) ? [{ labels: {}, value: v }] : [];
    });
    // Not a Gauge instance, but what the registry reads of one (name, get, reset).
    registry.registerMetric(metric as unknown as Gauge);
  };
  gauge(RETRAIN_METRICS.lastRun, 'When the last retraining run of the watcher ended (started, while it runs), Unix seconds', (s) =>
    s.run ? seconds(s.run.finishedAt ?? s.run.startedAt) : null,
  );
  gauge(RETRAIN_METRICS.duration, 'How long the last finished retraining run took', (s) => s.run?.durationSeconds ?? null);
  gauge(RETRAIN_METRICS.running, '1 while the watcher runs the training stages', (s) => (s.run ? Number(s.run.running) : null));
  gauge(RETRAIN_METRICS.failures, 'Failed retraining runs in a row (0 after a success)', (s) => s.run?.consecutiveFailures ?? null);
  gauge(RETRAIN_METRICS.waiting, 'Posted ratings newer than the served model, at the last check', (s) => s.check?.ratingsWaiting ?? null);
  gauge(RETRAIN_METRICS.lastCheck, "The watcher's last look at the posted ratings, Unix seconds (a stale value: no watcher runs)", (s) =>
    seconds(s.check?.at),
  );
  gauge(RETRAIN_METRICS.nextCheck, 'When the watcher looks next, Unix seconds', (s) => seconds(s.check?.nextCheckAt));
  const outcome = stateGauge(
    RETRAIN_METRICS.outcome,
    'The outcome of the last finished retraining run: 1 for it (trained: a new model is live; rejected: the promotion gate kept the live one; unchanged: the same model; failed: the live one kept serving)',
    () => {
      const last = state().run?.outcome;
      return last ? OUTCOMES.map((name) => ({ labels: { outcome: name }, value: name === last ? 1 : 0 })) : [];
    },
  );
  registry.registerMetric(outcome as unknown as Gauge);
}

export interface RetrainSummary {
  last_run_at: string | null;
  outcome: string | null;
  duration_seconds: number | null;
  running: boolean;
  consecutive_failures: number | null;
  ratings_waiting: number | null;
  last_check_at: string | null;
  next_check_at: string | null;
}

/** The watcher's figures for the dashboard, from the (aggregated) metrics; null when no watcher has written its state. */
export function summarizeRetrain(metrics: MetricsJson): RetrainSummary | null {
  const byName = new Map(metrics.map((m) => [m.name, m.values as { value: number; labels: Record<string, string | number> }[]]));
  const value = (name: string) => byName.get(name)?.[0]?.value ?? null;
  const time = (name: string) => {
    const v = value(name);
    return v === null ? null : new Date(v * 1000).toISOString();
  };
  const lastCheck = time(RETRAIN_METRICS.lastCheck);
  const lastRun = time(RETRAIN_METRICS.lastRun);
  if (lastCheck === null && lastRun === null) return null;
  const outcome = byName.get(RETRAIN_METRICS.outcome)?.find((v) => v.value === 1)?.labels.outcome;
  return {
    last_run_at: lastRun,
    outcome: outcome === undefined ? null : String(outcome),
    duration_seconds: value(RETRAIN_METRICS.duration),
    running: value(RETRAIN_METRICS.running) === 1,
    consecutive_failures: value(RETRAIN_METRICS.failures),
    ratings_waiting: value(RETRAIN_METRICS.waiting),
    last_check_at: lastCheck,
    next_check_at: time(RETRAIN_METRICS.nextCheck),
  };
}
