import type { Gauge, Registry } from 'prom-client';
import type { DriftReport } from '@reelrank/model';
import type { MetricsJson } from './metrics-json.js';

/**
 * The drift monitor's last report (drift-monitor.ts) as gauges, read at each scrape from memory. In
 * cluster mode every worker measures the same store against the same live model, so the gauges
 * aggregate by `max`. No report yet (or none with figures): no samples.
 */

export const DRIFT_METRICS = {
  psi: 'reelrank_drift_psi',
  threshold: 'reelrank_drift_threshold',
  judged: 'reelrank_drift_judged',
  windowRatings: 'reelrank_drift_window_ratings',
  measuredAt: 'reelrank_drift_measured_timestamp_seconds',
  measureSeconds: 'reelrank_drift_measure_seconds',
} as const;

type Sample = { labels: Record<string, string>; value: number };

function maxGauge(name: string, help: string, samples: () => Sample[]) {
  const get = () => ({ name, help, type: 'gauge' as const, aggregator: 'max' as const, values: samples() });
  return { name, help, type: 'gauge', aggregator: 'max' as const, get, reset: () => undefined };
}

export function registerDriftMetrics(registry: Registry, report: () => DriftReport | null): void {
  const gauge = (name: string, help: string, samples: (r: DriftReport) => Sample[]) => {
    const metric = maxGauge(name, help, () => {
      const r = report();
      return r ? samples(r) : [];
    });
    // Not a Gauge instance, but what the registry reads of one (name, get, reset).
    registry.registerMetric(metric as unknown as Gauge);
  };
  gauge(
    DRIFT_METRICS.psi,
    "Population stability index of the ratings posted in the window against the live model's training data, per feature (rating, userActivity, genre, newUsers)",
    (r) =>
      r.windows.flatMap((w) => (w.psi ? Object.entries(w.psi).map(([feature, value]) => ({ labels: { feature, window: w.window }, value })) : [])),
  );
  gauge(DRIFT_METRICS.threshold, 'PSI at or above which a judged feature counts as drifted (config operations.drift.threshold)', (r) => [
    { labels: {}, value: r.threshold },
  ]);
  gauge(DRIFT_METRICS.judged, 'The features judged against the threshold (config operations.drift.features), 1 each', (r) =>
    r.judged.map((feature) => ({ labels: { feature }, value: 1 })),
  );
  gauge(DRIFT_METRICS.windowRatings, 'Posted ratings in the window at the last measurement (at most operations.drift.maxRatings)', (r) =>
    r.windows.map((w) => ({ labels: { window: w.window }, value: w.ratings })),
  );
  gauge(DRIFT_METRICS.measuredAt, 'When the drift was last measured, Unix seconds', (r) => [{ labels: {}, value: Date.parse(r.at) / 1000 }]);
  gauge(DRIFT_METRICS.measureSeconds, 'How long the last drift measurement took (the read of the posted ratings and the binning)', (r) => [
    { labels: {}, value: r.seconds },
  ]);
}

export interface DriftSummary {
  measured_at: string;
  threshold: number | null;
  judged: string[];
  windows: Record<string, { ratings: number | null; psi: Record<string, number> }>;
  worst: { feature: string; window: string; psi: number } | null;
  drifted: boolean;
}

/** The drift figures for the dashboard, from the (aggregated) metrics; null when no process has measured. */
export function summarizeDrift(metrics: MetricsJson): DriftSummary | null {
  const byName = new Map(metrics.map((m) => [m.name, m.values as { value: number; labels: Record<string, string | number> }[]]));
  const values = (name: string) => byName.get(name) ?? [];
  const measured = values(DRIFT_METRICS.measuredAt)[0]?.value;
  if (measured === undefined) return null;
  const threshold = values(DRIFT_METRICS.threshold)[0]?.value ?? null;
  const judged = values(DRIFT_METRICS.judged).map((v) => String(v.labels.feature));
  const windows: DriftSummary['windows'] = {};
  for (const v of values(DRIFT_METRICS.windowRatings)) windows[String(v.labels.window)] = { ratings: v.value, psi: {} };
  let worst: DriftSummary['worst'] = null;
  for (const v of values(DRIFT_METRICS.psi)) {
    const window = String(v.labels.window);
    const feature = String(v.labels.feature);
    (windows[window] ??= { ratings: null, psi: {} }).psi[feature] = v.value;
    if (judged.includes(feature) && (!worst || v.value > worst.psi)) worst = { feature, window, psi: v.value };
  }
  return {
    measured_at: new Date(measured * 1000).toISOString(),
    threshold,
    judged,
    windows,
    worst,
    drifted: worst !== null && threshold !== null && worst.psi >= threshold,
  };
}
