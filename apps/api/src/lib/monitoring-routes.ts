import type { Router } from 'express';
import { renderMetrics, summarizeMetrics, type MetricsJson } from './metrics.js';

/**
 * GET /metrics (Prometheus text), GET /metrics/summary (the dashboard's JSON) and GET /dashboard
 * (a static page from the web root that polls the summary). `source` gives this process's metrics,
 * or in cluster mode the whole cluster's, summed by the primary (cluster-metrics.ts).
 */
export function monitoringRoutes(router: Router, deps: { source: () => Promise<MetricsJson>; webRoot: string | null }): void {
  router.get('/metrics', async (_req, res) => {
    const { text, contentType } = await renderMetrics([await deps.source()]);
    res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(text);
  });

  router.get('/metrics/summary', async (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(summarizeMetrics(await deps.source()));
  });

  if (deps.webRoot) {
    const root = deps.webRoot;
    router.get('/dashboard', (_req, res, next) => res.sendFile('dashboard.html', { root }, (error) => error && next(error)));
  }
}
