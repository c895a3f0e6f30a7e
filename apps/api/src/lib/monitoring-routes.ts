import type { IRouter, RequestHandler } from 'express';
import type { DriftReport } from '@reelrank/model';
import { ApiError } from './errors.js';
import { renderMetrics, summarizeMetrics, type MetricsJson } from './metrics.js';
import { setPageHeaders } from './security-headers.js';

/**
 * GET /metrics (Prometheus text), GET /metrics/summary (the dashboard's JSON), GET /metrics/drift and GET /dashboard
 * (a static page from the web root that polls the summary). `source` gives this process's metrics,
 * or in cluster mode the whole cluster's, summed by the primary (cluster-metrics.ts). `guard`
 * decides who may read them (on the API's port: admin-auth.ts's requireOperator; on the metrics
 * listener, metrics-listener.ts: nobody is asked).
 */
export function monitoringRoutes(
  router: IRouter,
  deps: { source: () => Promise<MetricsJson>; webRoot: string | null; guard?: RequestHandler; drift?: () => DriftReport | null },
): void {
  const guard: RequestHandler = deps.guard ?? ((_req, _res, next) => next());
  router.get('/metrics', guard, async (_req, res) => {
    const { text, contentType } = await renderMetrics([await deps.source()]);
    res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(text);
  });

  router.get('/metrics/summary', guard, async (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json(summarizeMetrics(await deps.source()));
  });

  // The drift monitor's last report (drift-monitor.ts: measured on a timer, so a request costs nothing).
  // A process without a monitor (the cluster primary's metrics listener) answers 503: the workers measure.
  router.get('/metrics/drift', guard, (_req, res) => {
    const report = deps.drift?.() ?? null;
    if (!report)
      throw new ApiError(
        503,
        'drift_unavailable',
        deps.drift ? 'The drift has not been measured yet' : 'This process does not measure drift: ask the API port',
      );
    res.setHeader('cache-control', 'no-store');
    res.json(report);
  });

  if (deps.webRoot) {
    const root = deps.webRoot;
    router.get('/dashboard', guard, (_req, res, next) => {
      setPageHeaders(res);
      res.sendFile('dashboard.html', { root }, (error) => error && next(error));
    });
  }
}
