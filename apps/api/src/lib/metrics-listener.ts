import type { Server } from 'node:http';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { DriftReport } from '@reelrank/model';
import type { MetricsJson } from './metrics.js';
import { errorMiddleware, notFoundMiddleware } from './errors.js';
import { monitoringRoutes } from './monitoring-routes.js';

/**
 * The metrics listener (config serving.metrics): GET /metrics, /metrics/summary and /dashboard
 * without credentials, on an address of their own - 127.0.0.1 by default, so only this machine
 * (a Prometheus agent beside it, an SSH tunnel) can reach them. On the API's port the same routes
 * need the admin credential. In cluster mode the primary serves it with the cluster's sum.
 */

/** The dashboard page's own files (dashboard.html links them relatively). */
const DASHBOARD_ASSETS = ['dashboard.js', 'dashboard-experiment.js', 'dashboard.css', 'favicon.svg'];

export function metricsApp(deps: { source: () => Promise<MetricsJson>; webRoot: string | null; drift?: () => DriftReport | null }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(helmet());
  const router = Router();
  monitoringRoutes(router, deps);
  if (deps.webRoot) {
    const root = deps.webRoot;
    for (const file of DASHBOARD_ASSETS) router.get(`/${file}`, (_req, res, next) => res.sendFile(file, { root }, (error) => error && next(error)));
  }
  app.use(router);
  app.use(notFoundMiddleware);
  app.use(errorMiddleware);
  return app;
}

/**
 * Starts the metrics listener unless its port is null. A port already taken is logged as an error
 * and the API keeps serving without it (metrics are not worth an outage); resolves with the server
 * and its URL once listening, or undefined.
 */
export function listenMetrics(
  app: Express,
  where: { host: string; port: number | null },
  logger: Logger,
): Promise<{ server: Server; url: string } | undefined> {
  const { host, port } = where;
  if (port === null) return Promise.resolve(undefined);
  return new Promise((done) => {
    const server = app.listen(port, host);
    server.once('listening', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
      logger.info({ url }, `metrics (Prometheus) at ${url}/metrics, dashboard at ${url}/dashboard`);
      done({ server, url });
    });
    server.once('error', (error) => {
      logger.error({ err: error }, `cannot listen for metrics on ${host}:${port}: ${error.message}; serving the API without the metrics listener`);
      done(undefined);
    });
  });
}
