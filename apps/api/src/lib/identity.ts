import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { KeyStore } from '@reelrank/feedback';
import { ApiError } from './errors.js';
import { requestLog } from './http-fast.js';
import { clientKey, type FailureLimiter } from './rate-limit.js';

export type Role = 'anonymous' | 'visitor' | 'reader' | 'service' | 'admin';

export interface Identity {
  role: Role;
  /** Stable id for limits and for tagging posted ratings: 'key:<keyId>', 'visitor:<visitorId>', 'admin-token', or 'addr:<client address>' when anonymous. */
  subject: string;
  /** A visitor's own user id (from its signed cookie); undefined for the others. */
  userId?: number;
}

/** Finds a visitor in a request (its signed cookie), or undefined when the request carries none. */
export type VisitorResolver = (req: Request, res: Response) => Identity | undefined;

export interface IdentityOptions {
  keys: KeyStore;
  /** REELRANK_ADMIN_TOKEN: the bootstrap admin (checked for strength at start-up, admin-token.ts). */
  adminToken?: string;
  /** Failed authentications per client address (shared with the admin routes and, in a cluster, the other workers). */
  failures: FailureLimiter;
  onAuthFailure?: (client: string) => void;
  /** Told each successful admin authentication (a cluster worker passes it on, so every worker trusts that address). */
  onAuthSuccess?: (client: string) => void;
  visitors?: VisitorResolver;
}

/** An anonymous caller: its subject (the client address) is worked out only when something asks for it. */
class Anonymous implements Identity {
  readonly role = 'anonymous';
  constructor(private readonly req: Request) {}
  get subject(): string {
    return `addr:${clientKey(this.req.ip)}`;
  }
}

/** SHA-256 of a token: compared with timingSafeEqual, so the time taken depends on neither length nor content. */
export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

function bearer(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

export function tooManyFailures(res: Response, retryAfterSeconds: number): never {
  res.setHeader('retry-after', String(retryAfterSeconds));
  throw new ApiError(429, 'rate_limited', `Too many failed authentications from this address; retry in ${retryAfterSeconds} s`);
}

/**
 * Sets `res.locals.identity` on every request. `Authorization: Bearer <key>` is REELRANK_ADMIN_TOKEN
 * (admin) or an API key of the key store (its role); anything else there is a 401 with a JSON error,
 * never a silent downgrade to anonymous. Without the header: a visitor when the request carries a valid
 * visitor cookie, else anonymous. Failed authentications are limited per client address: an address
 * out of failures is refused (429) before its token is looked at.
 */
export function identityMiddleware(options: IdentityOptions): RequestHandler {
  const { keys, failures } = options;
  const expected = options.adminToken ? tokenDigest(options.adminToken) : undefined;
  // An admin's success makes its address trusted (past the global failure cap) on every worker.
  const admitted = (client: string) => {
    failures.clear(client);
    options.onAuthSuccess?.(client);
  };
  const refuse = (res: Response, client: string, message: string): ApiError => {
    failures.fail(client);
    options.onAuthFailure?.(client);
    res.setHeader('www-authenticate', 'Bearer');
    return new ApiError(401, 'unauthorized', message, [{ field: 'authorization', message }]);
  };

  return (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      res.locals.identity = options.visitors?.(req, res) ?? new Anonymous(req);
      next();
      return;
    }
    const client = clientKey(req.ip);
    const wait = failures.blocked(client);
    if (wait !== undefined) tooManyFailures(res, wait);
    const token = bearer(header);
    if (!token) throw refuse(res, client, 'expected "Authorization: Bearer <key>"');
    if (expected && timingSafeEqual(tokenDigest(token), expected)) {
      admitted(client);
      res.locals.identity = { role: 'admin', subject: 'admin-token' } satisfies Identity;
      next();
      return;
    }
    keys.verify(token).then(
      (key) => {
        if (!key) return next(refuse(res, client, 'unknown or revoked API key'));
        // Only an admin wipes its address's failures: a lesser key must not buy a guesser at its address a new budget.
        if (key.role === 'admin') admitted(client);
        res.locals.identity = { role: key.role, subject: `key:${key.id}` } satisfies Identity;
        next();
      },
      (error: unknown) => {
        requestLog(req).error({ err: error }, 'key store failed');
        next(new ApiError(503, 'key_store_unavailable', 'API keys cannot be checked right now; retry'));
      },
    );
  };
}

/** The caller's identity (set by identityMiddleware; anonymous when the middleware did not run). */
export function identityOf(req: Request, res: Response): Identity {
  return (res.locals.identity as Identity | undefined) ?? new Anonymous(req);
}

/** Holders of a key (any role) or the admin token. */
export const hasKey = (identity: Identity): boolean => identity.role === 'reader' || identity.role === 'service' || identity.role === 'admin';
