import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from './errors.js';
import { identityOf, tooManyFailures } from './identity.js';
import type { ModelHolder } from './model-holder.js';
import { clientKey, FailureLimiter, TokenBucket, type GlobalFailureCap } from './rate-limit.js';

/**
 * Who may read beyond the public routes, from the identity the identity middleware (identity.ts)
 * resolved: it has already checked the credentials (the admin token, an API key, the visitor
 * cookie) and counted the failures per client address, so these checks only look at the role.
 */

/** The roles that may read the operational endpoints (the admin token counts as `admin`). */
export const OPERATOR_ROLES: readonly string[] = ['reader', 'admin'];

/** Whether the caller is an admin (an admin key or REELRANK_ADMIN_TOKEN). */
export const isAdmin = (req: Request, res: Response): boolean => identityOf(req, res).role === 'admin';

/** 401 (no credentials) or 403 (another role) with a JSON error unless the caller has one of `roles`. */
export function requireRole(roles: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const { role } = identityOf(req, res);
    if (roles.includes(role)) return next();
    if (role === 'anonymous') {
      res.setHeader('www-authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', 'Missing bearer token', [
        { field: 'authorization', message: `expected "Authorization: Bearer <${roles.join(' or ')} key>"` },
      ]);
    }
    throw new ApiError(403, 'forbidden', `This route needs the role ${roles.join(' or ')}`, [
      { field: 'authorization', message: 'role not allowed' },
    ]);
  };
}

/** The guard of the operational reads on the API's port (/metrics, /metrics/summary, /dashboard, /models). */
export const requireOperator: RequestHandler = requireRole(OPERATOR_ROLES);

/**
 * The admin credential and its failure limit (checked by identity.ts; `burst` and `refillSeconds`
 * also size the bucket of valid reloads, per process), and the holder the reloads swap. A cluster
 * worker (main.ts) passes a shared `failures` limiter and `onAuthFailure`, so the budget is per
 * client address across the cluster, not per worker.
 */
export interface AdminOptions {
  holder?: ModelHolder;
  /** REELRANK_ADMIN_TOKEN (the bootstrap admin). */
  token?: string;
  /** Failed authentications one client address may make in a burst (default 5). */
  burst?: number;
  /** Seconds to earn back one failure, per address (default 2). */
  refillSeconds?: number;
  /** Most client addresses the failure limiter remembers at once (default 10,000). */
  maxTrackedClients?: number;
  /** The failure limiter to use instead of a new one (a cluster worker shares its failures: main.ts). */
  failures?: FailureLimiter;
  /** Told about each failure (a cluster worker passes it on to the others). */
  onAuthFailure?: (client: string) => void;
  /** Failures of all addresses together (rate-limit.ts FailureLimiter); absent: per address only. */
  globalCap?: GlobalFailureCap;
  /** Told each successful admin authentication (a cluster worker passes it on, so every worker trusts that address). */
  onAuthSuccess?: (client: string) => void;
}

/**
 * The admin routes' guards: the identity middleware (identity.ts) has already checked the credentials.
 * A caller without any counts as a failed authentication of its address (the budget the middleware
 * spends on bad keys), so guessing is rate limited while an admin from any other address is never
 * refused because of it. Valid reloads have a bucket of their own (a reload rebuilds the model),
 * which only admins can drain.
 */
export function adminGuards(admin: AdminOptions): { adminOnly: RequestHandler; adminGuard: RequestHandler } {
  const burst = admin.burst ?? 5;
  const refillSeconds = admin.refillSeconds ?? 2;
  const failures = admin.failures ?? new FailureLimiter(burst, refillSeconds, admin.maxTrackedClients, undefined, admin.globalCap);
  const reloads = new TokenBucket(burst, refillSeconds);
  /** An admin caller, or the refusal (401 counted as a failed authentication, 403 for a lesser identity). */
  const adminOnly: RequestHandler = (req, res, next) => {
    const identity = identityOf(req, res);
    if (identity.role !== 'admin') {
      if (identity.role !== 'anonymous') throw new ApiError(403, 'forbidden', 'This route needs an admin key (or REELRANK_ADMIN_TOKEN)');
      const client = clientKey(req.ip);
      const wait = failures.blocked(client);
      if (wait !== undefined) tooManyFailures(res, wait);
      failures.fail(client);
      admin.onAuthFailure?.(client);
      res.setHeader('www-authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', 'Missing bearer token', [
        { field: 'authorization', message: 'expected "Authorization: Bearer <admin key or REELRANK_ADMIN_TOKEN>"' },
      ]);
    }
    if (!admin.holder) throw new ApiError(403, 'admin_disabled', 'Admin routes are disabled in this server (no reloadable model)');
    next();
  };
  /** adminOnly, then one token of the reload bucket: for the routes that rebuild or swap a model. */
  const adminGuard: RequestHandler = (req, res, next) =>
    adminOnly(req, res, () => {
      const taken = reloads.take();
      if (!taken.ok) {
        res.setHeader('retry-after', String(taken.retryAfterSeconds));
        throw new ApiError(429, 'rate_limited', `Too many admin reloads; retry in ${taken.retryAfterSeconds} s`);
      }
      next();
    });
  return { adminOnly, adminGuard };
}
