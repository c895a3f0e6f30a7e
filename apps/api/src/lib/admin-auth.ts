import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from './errors.js';
import { clientKey, FailureLimiter } from './rate-limit.js';

/**
 * Who is an admin. When an identity middleware has set `res.locals.identity`, its role decides;
 * otherwise the caller is an admin when it sends the admin bearer token (REELRANK_ADMIN_TOKEN).
 *
 * Failed authentications (a wrong token; for the guards also a missing one) are limited per client
 * address (req.ip: the socket's address unless `trust proxy` is configured), and an address out of
 * failures is refused before its token is looked at, so guessing is rate limited - through
 * /admin/* and through the details of /ready alike - while a valid token from any other address is
 * never refused because of it.
 */

export interface AdminAuthOptions {
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
}

export interface AdminAuth {
  /** Whether the caller is an admin; never throws (a wrong token counts as a failure, a missing one does not). */
  isAdmin(req: Request, res: Response): boolean;
  /** 401/403/429 with a JSON error unless the caller is an admin. */
  requireAdmin: RequestHandler;
  /** The guard of the operational read endpoints (/metrics/summary, /dashboard, /models, /metrics on the API's port): OPERATOR_ROLES. */
  requireOperator: RequestHandler;
}

/** The roles that may read the operational endpoints (the admin token counts as `admin`). */
export const OPERATOR_ROLES: readonly string[] = ['reader', 'admin'];

type Verdict =
  | { kind: 'allowed' }
  | { kind: 'disabled' }
  | { kind: 'missing' }
  | { kind: 'invalid' }
  | { kind: 'role-not-allowed' }
  | { kind: 'blocked'; retryAfterSeconds: number };

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : undefined;
}

/** SHA-256 of a token: compared with timingSafeEqual, so the time taken depends on neither length nor content. */
const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** The role an identity middleware put on the response, if any. */
function identityRole(res: Response): string | undefined {
  const identity = res.locals.identity as { role?: unknown } | undefined;
  return typeof identity?.role === 'string' ? identity.role : undefined;
}

export function adminAuth(options: AdminAuthOptions = {}): AdminAuth {
  const failures = options.failures ?? new FailureLimiter(options.burst ?? 5, options.refillSeconds ?? 2, options.maxTrackedClients);
  const expected = options.token ? digest(options.token) : undefined;
  const failed = (client: string) => {
    failures.fail(client);
    options.onAuthFailure?.(client);
  };

  const verdict = (req: Request, res: Response, roles: readonly string[], countMissing: boolean): Verdict => {
    const role = identityRole(res);
    if (role !== undefined)
      return roles.includes(role) ? { kind: 'allowed' } : role === 'anonymous' ? { kind: 'missing' } : { kind: 'role-not-allowed' };
    if (!expected) return { kind: 'disabled' };
    const client = clientKey(req.ip);
    const given = bearer(req.headers.authorization);
    if (!given && !countMissing) return { kind: 'missing' };
    const wait = failures.blocked(client);
    if (wait !== undefined) return { kind: 'blocked', retryAfterSeconds: wait };
    if (!given) {
      failed(client);
      return { kind: 'missing' };
    }
    if (!timingSafeEqual(digest(given), expected)) {
      failed(client);
      return { kind: 'invalid' };
    }
    failures.clear(client);
    return roles.includes('admin') ? { kind: 'allowed' } : { kind: 'role-not-allowed' };
  };

  /** 401/403/429 with a JSON error unless the caller has one of `roles`. */
  const requireRole =
    (roles: readonly string[]): RequestHandler =>
    (req, res, next) => {
      const v = verdict(req, res, roles, true);
      switch (v.kind) {
        case 'allowed':
          return next();
        case 'disabled':
          throw new ApiError(403, 'admin_disabled', 'Admin routes are disabled (set REELRANK_ADMIN_TOKEN)');
        case 'blocked':
          res.setHeader('retry-after', String(v.retryAfterSeconds));
          throw new ApiError(429, 'rate_limited', `Too many failed admin authentications from this address; retry in ${v.retryAfterSeconds} s`);
        case 'missing':
          res.setHeader('www-authenticate', 'Bearer');
          throw new ApiError(401, 'unauthorized', 'Missing bearer token', [
            { field: 'authorization', message: 'expected "Authorization: Bearer <token>"' },
          ]);
        case 'invalid':
          throw new ApiError(403, 'forbidden', 'Invalid admin token', [{ field: 'authorization', message: 'token not accepted' }]);
        case 'role-not-allowed':
          throw new ApiError(403, 'forbidden', `This route needs the role ${roles.join(' or ')}`, [
            { field: 'authorization', message: 'role not allowed' },
          ]);
      }
    };

  return {
    isAdmin: (req, res) => verdict(req, res, ['admin'], false).kind === 'allowed',
    requireAdmin: requireRole(['admin']),
    requireOperator: requireRole(OPERATOR_ROLES),
  };
}
