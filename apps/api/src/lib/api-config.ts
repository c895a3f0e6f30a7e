import { loadRuntimeConfig, logLevelOf } from '@reelrank/config';

/**
 * Settings of the serving process itself (the shared config covers host, port, body limit, CORS and
 * n limits). They live in the config package's `runtime` group, validated there, env only:
 *
 *   REELRANK_ADMIN_TOKEN   bearer token of POST /admin/reload; unset or empty disables the route (403)
 *   REELRANK_ADMIN_BURST   admin requests allowed in a burst (token bucket size), default 5
 *   REELRANK_ADMIN_REFILL_SECONDS  seconds to earn back one admin request, default 2
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
}

/** The serving-process settings, read and validated by `@reelrank/config` (`env` defaults to the process's). */
export function readApiEnv(env?: NodeJS.ProcessEnv): ApiEnvConfig {
  const runtime = loadRuntimeConfig(env);
  return {
    adminToken: runtime.adminToken?.trim() || undefined,
    adminBurst: runtime.adminBurst,
    adminRefillSeconds: runtime.adminRefillSeconds,
    logLevel: logLevelOf(runtime),
    shutdownSeconds: runtime.shutdownSeconds,
    workers: runtime.workers ?? undefined,
  };
}
