import type { Gauge, Registry } from 'prom-client';
import type { MetricsJson } from './metrics-json.js';
import { stateGauge } from './retrain-metrics.js';

/**
 * The promotion gate's figures per trained version (the run history, packages/model
 * version-details.ts gateHistory) as gauges labelled by version and decision: what the dashboard
 * charts across versions. Read from the registry at most every 5 s; a version trained twice counts
 * once (its latest run); every process reports the same files, so they aggregate by `max`.
 */

export interface GateHistoryEntry {
  version: string | null;
  outcome: string;
  finished_at: string;
  k: number;
  candidate_rmse: number | null;
  candidate_ndcg_at_k: number | null;
}

export const GATE_METRICS = {
  rmse: 'reelrank_gate_holdout_rmse',
  ndcg: 'reelrank_gate_holdout_ndcg',
  decided: 'reelrank_gate_decided_timestamp_seconds',
} as const;

export function registerGateMetrics(registry: Registry, readHistory: () => GateHistoryEntry[]): void {
  let cached: { at: number; runs: GateHistoryEntry[] } | undefined;
  const runs = () => {
    const now = Date.now();
    if (!cached || now - cached.at > 5000) {
      const latest = new Map<string, GateHistoryEntry>();
      for (const run of readHistory()) if (run.version) latest.set(run.version, run);
      cached = { at: now, runs: [...latest.values()] };
    }
    return cached.runs;
  };
  const gauge = (name: string, help: string, value: (run: GateHistoryEntry) => number | null) => {
    const metric = stateGauge(name, help, () =>
      runs().flatMap((run) => {
        const v = value(run);
        return v !== null && Number.isFinite(v) ? [{ labels: { version: run.version!, decision: run.outcome }, value: v }] : [];
      }),
    );
    registry.registerMetric(metric as unknown as Gauge);
  };
  gauge(GATE_METRICS.rmse, 'Holdout RMSE of each trained version when the promotion gate scored it', (r) => r.candidate_rmse);
  gauge(GATE_METRICS.ndcg, 'Holdout NDCG@k of each trained version when the promotion gate scored it', (r) => r.candidate_ndcg_at_k);
  gauge(GATE_METRICS.decided, 'When the promotion gate decided on each trained version, Unix seconds', (r) => Date.parse(r.finished_at) / 1000);
}

export interface GateSummaryEntry {
  version: string;
  decision: string;
  decided_at: string;
  rmse: number | null;
  ndcg_at_k: number | null;
}

/** The gate figures per version, oldest first (the dashboard's chart); empty when no run was gated. */
export function summarizeGate(metrics: MetricsJson): GateSummaryEntry[] {
  type Value = { value: number; labels: Record<string, string | number> };
  const byName = new Map(metrics.map((m) => [m.name, m.values as Value[]]));
  const valueOf = (name: string, version: string) => byName.get(name)?.find((v) => v.labels.version === version)?.value ?? null;
  return (byName.get(GATE_METRICS.decided) ?? [])
    .map((v) => ({
      version: String(v.labels.version),
      decision: String(v.labels.decision),
      decided_at: new Date(v.value * 1000).toISOString(),
      rmse: valueOf(GATE_METRICS.rmse, String(v.labels.version)),
      ndcg_at_k: valueOf(GATE_METRICS.ndcg, String(v.labels.version)),
    }))
    .sort((a, b) => a.decided_at.localeCompare(b.decided_at));
}
