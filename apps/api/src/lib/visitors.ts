import { randomInt } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from './errors.js';
import type { Identity, VisitorResolver } from './identity.js';
import { clientKey, FailureLimiter } from './rate-limit.js';
import { MAX_ID } from './schemas.js';
import { cookieValue, newVisitor, signVisitor, verifyVisitor, VISITOR_COOKIE, type Visitor } from './visitor-cookie.js';

export interface VisitorOptions {
  /** Signing secrets: the first signs new cookies, every one is accepted (the current one, then the previous while rotating). */
  secrets: readonly string[];
  maxAgeDays: number;
  /** Origins besides the server itself whose cookie-authenticated writes are accepted. */
  allowedOrigins: readonly string[];
  /** New visitors one client address may be given in a burst, and the seconds to earn one more. */
  mintBurst: number;
  mintRefillSeconds: number;
  /**
   * The mint budget per client address to use instead of a new one, and a callback for each mint: a
   * cluster worker (main.ts) shares its mints with the other workers through these.
   */
  mints?: FailureLimiter;
  onMint?: (client: string) => void;
  /** No minting when false (identity.anonymousReads off: the server is private). */
  mint: boolean;
  /** The largest data-set user id of the live model (visitors get ids above it); undefined before a model is loaded. */
  maxDataSetUserId: () => number | undefined;
  now?: () => number;
}

/** Page users' ids start here (as the page drew them before), far above MovieLens ids, and above every data-set user. */
const FIRST_VISITOR_USER_ID = 1_000_000_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** POST routes that only read (their answers change nothing): no Origin needed. */
const READING_POSTS = new Set(['/recommendations', '/recommendations/new-user', '/predict', '/predict/batch']);
const isWrite = (req: Request) => !SAFE_METHODS.has(req.method) && !(req.method === 'POST' && READING_POSTS.has(req.path));

const identityOf = (visitor: Visitor): Identity => ({ role: 'visitor', subject: `visitor:${visitor.visitorId}`, userId: visitor.userId });

/**
 * The page's visitors: a signed cookie (visitor-cookie.ts) set by POST /visitor, HttpOnly,
 * SameSite=Strict, Secure on https. `resolve` is the identity middleware's visitor step:
 * - no cookie: not a visitor (anonymous);
 * - a forged, tampered, expired or malformed cookie: 401 `invalid_visitor` and the cookie is cleared
 *   (never a silent new visitor: the browser learns its identity is gone and asks POST /visitor again,
 *   which replaces it);
 * - a valid cookie on a write (not GET/HEAD/OPTIONS, nor a POST that only reads): the request's Origin must be the server's own
 *   or an allowed one, else 403 (a cross-site page cannot write with the visitor's cookie).
 */
export function visitors(options: VisitorOptions): { resolve: VisitorResolver; mint: RequestHandler } {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const maxAgeSeconds = Math.round(options.maxAgeDays * 86_400);
  const allowed = new Set(options.allowedOrigins);
  const mints = options.mints ?? new FailureLimiter(options.mintBurst, options.mintRefillSeconds);

  const setCookie = (req: Request, res: Response, value: string, maxAge: number) =>
    res.append('set-cookie', `${VISITOR_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`);
  const isMint = (req: Request) => req.method === 'POST' && req.path === '/visitor';

  const checkOrigin = (req: Request) => {
    if (!isWrite(req)) return;
    const origin = req.headers.origin;
    if (origin && (origin === `${req.protocol}://${req.headers.host}` || allowed.has(origin))) return;
    throw new ApiError(403, 'origin_refused', 'A write with the visitor cookie must come from this site (or an allowed origin)', [
      { field: 'origin', message: origin ? `origin ${origin} is not allowed` : 'missing' },
    ]);
  };

  const resolve: VisitorResolver = (req, res) => {
    const value = cookieValue(req.headers.cookie, VISITOR_COOKIE);
    if (value === undefined) return undefined;
    const check = verifyVisitor(value, options.secrets, maxAgeSeconds, now());
    if (!check.ok) {
      if (isMint(req)) return undefined; // POST /visitor replaces it
      setCookie(req, res, '', 0);
      throw new ApiError(401, 'invalid_visitor', 'The visitor cookie is not valid (expired or altered); get a new one with POST /visitor', [
        { field: 'cookie', message: check.reason },
      ]);
    }
    checkOrigin(req);
    return identityOf(check.visitor);
  };

  const mint: RequestHandler = (req, res) => {
    const current = res.locals.identity as Identity | undefined;
    const describe = (visitor: Visitor) => ({
      visitor_id: visitor.visitorId,
      user_id: visitor.userId,
      issued_at: new Date(visitor.issuedAt * 1000).toISOString(),
      expires_at: new Date((visitor.issuedAt + maxAgeSeconds) * 1000).toISOString(),
    });
    const existing = cookieValue(req.headers.cookie, VISITOR_COOKIE);
    if (current?.role === 'visitor' && existing) {
      const check = verifyVisitor(existing, options.secrets, maxAgeSeconds, now());
      if (check.ok) return void res.json({ ...describe(check.visitor), new: false });
    }
    if (current && current.role !== 'anonymous' && current.role !== 'visitor')
      throw new ApiError(400, 'not_a_visitor', 'Key holders name their users themselves; visitors are for the web page', [
        { field: 'authorization', message: 'sent with a key' },
      ]);
    if (!options.mint) throw new ApiError(403, 'visitors_disabled', 'This server gives no visitor identities (identity.anonymousReads is off)');
    if (req.headers.origin !== undefined) checkOrigin(req); // no cookie authenticates this write: only a foreign page is refused
    const floor = options.maxDataSetUserId();
    if (floor === undefined) throw new ApiError(503, 'model_not_ready', 'No model is loaded yet; retry shortly (see GET /ready)');
    const client = clientKey(req.ip);
    const wait = mints.blocked(client);
    if (wait !== undefined) {
      res.setHeader('retry-after', String(wait));
      throw new ApiError(429, 'rate_limited', `Too many new visitors from this address; retry in ${wait} s`);
    }
    mints.fail(client); // spends one of the address's budget
    options.onMint?.(client);
    const first = Math.max(FIRST_VISITOR_USER_ID, floor + 1);
    const visitor = newVisitor(randomInt(first, MAX_ID + 1), now());
    setCookie(req, res, signVisitor(visitor, options.secrets[0]), maxAgeSeconds);
    res.status(201).json({ ...describe(visitor), new: true });
  };
  return { resolve, mint };
}
