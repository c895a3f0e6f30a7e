import { isIP } from 'node:net';
import { loadEnvConfig, logLevelOf, splitList } from '@reelrank/config';

/**
 * Settings of the serving process itself (the shared config covers host, port, body limit, CORS and
 * n limits). They are the env-only keys of the config package's `identity` and `operations` groups,
 * validated there:
 *
 *   REELRANK_ADMIN_TOKEN   the admin bearer token (identity.ts): /admin/*, the details of /ready and
 *                          the operational endpoints on the API port; unset or empty disables them (403)
 *   REELRANK_ADMIN_BURST   failed admin authentications one client address may make in a burst, and
 *                          valid admin reloads per process in a burst; default 5
 *   REELRANK_ADMIN_REFILL_SECONDS  seconds to earn back one of either, default 2
 *   REELRANK_TRUST_PROXY   unset: the client address is the socket's (X-Forwarded-For is ignored).
 *                          Behind a reverse proxy: the number of proxy hops to trust, or a
 *                          comma-separated list of proxy addresses/subnets (or loopback,
 *                          linklocal, uniquelocal); passed to Express's `trust proxy`
 *   LOG_LEVEL              pino level (default info; silent under NODE_ENV=test)
 *   REELRANK_SHUTDOWN_SECONDS  on SIGTERM/SIGINT, how long in-flight requests may take before the
 *                          process gives up and exits 1 (default 10)
 *   REELRANK_WORKERS       cluster mode only (src/cluster.ts): worker processes, default
 *                          os.availableParallelism()
 */
export interface ApiEnvConfig {
  adminToken?: string;
  adminBurst: number;
  adminRefillSeconds: number;
  logLevel: string;
  shutdownSeconds: number;
  /** Cluster mode: number of workers (undefined: one per core). */
  workers?: number;
  /** Express `trust proxy`: false (the default), a hop count or a list of trusted proxies. */
  trustProxy: TrustProxy;
}

export type TrustProxy = false | number | string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim();
  if (!text || text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const items = splitList(text);
  const bad = items.filter((item) => !PROXY_NAMES.has(item) && !isIP(item.replace(/\/\d{1,3}$/, '')));
  if (bad.length || !items.length) {
    throw new Error(
      `REELRANK_TRUST_PROXY must be a hop count or a comma-separated list of proxy addresses/subnets (or loopback, linklocal, uniquelocal), got "${value}"`,
    );
  }
  return items;
}

/** The serving-process settings, read and validated by `@reelrank/config` (`env` defaults to the process's). */
export function readApiEnv(env?: NodeJS.ProcessEnv): ApiEnvConfig {
  const { identity, operations } = loadEnvConfig(env);
  return {
    adminToken: identity.adminToken?.trim() || undefined,
    adminBurst: identity.adminBurst,
    adminRefillSeconds: identity.adminRefillSeconds,
    logLevel: logLevelOf(operations),
    shutdownSeconds: operations.shutdownSeconds,
    workers: operations.workers ?? undefined,
    trustProxy: trustProxy(identity.trustProxy ?? undefined),
  };
}
