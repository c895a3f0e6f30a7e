import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from './errors.js';
import { identityOf } from './identity.js';

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
export const requireOperator = requireRole(OPERATOR_ROLES);
