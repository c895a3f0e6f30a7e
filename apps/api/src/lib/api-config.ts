/**
 * Settings the API reads from the environment itself (the shared config package covers host,
 * port, body limit, CORS and n limits; these are serving-process concerns only):
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

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${value}"`);
  return n;
}

function workerCount(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`REELRANK_WORKERS must be an integer from 1 to 256, got "${value}"`);
  return n;
}

export function readApiEnv(env: NodeJS.ProcessEnv = process.env): ApiEnvConfig {
  const token = env.REELRANK_ADMIN_TOKEN?.trim();
  return {
    adminToken: token ? token : undefined,
    adminBurst: positive(env.REELRANK_ADMIN_BURST, 5, 'REELRANK_ADMIN_BURST'),
    adminRefillSeconds: positive(env.REELRANK_ADMIN_REFILL_SECONDS, 2, 'REELRANK_ADMIN_REFILL_SECONDS'),
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    shutdownSeconds: positive(env.REELRANK_SHUTDOWN_SECONDS, 10, 'REELRANK_SHUTDOWN_SECONDS'),
    workers: workerCount(env.REELRANK_WORKERS),
  };
}
