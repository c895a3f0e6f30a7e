import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';
import { hasKey, identityOf, type Identity } from './identity.js';

/**
 * Who may do what (docs/api.md "Security"), on top of the identity the middleware found:
 * - reads (recommendations, predict, similar, search, movies): anyone, unless `anonymousReads` is off;
 *   then a key of any role or a visitor;
 * - a user's ratings (post, list, delete): a service or admin key for any user; a visitor for its own
 *   user id only (others: 403); a data-set user's ratings change only with a service or admin key;
 * - explanations naming a user's rated movies: that user's visitor or a key; others get the picks
 *   with the generic reason.
 * The admin routes have their own guard (admin-auth.ts).
 */

/** The guards a read route runs: none while `anonymousReads` is on (no step on the hot path), else one that refuses anonymous callers. */
export function readAccess(anonymousReads: boolean): RequestHandler[] {
  if (anonymousReads) return [];
  const guard: RequestHandler = (req, res, next) => {
    if (identityOf(req, res).role !== 'anonymous') return next();
    res.setHeader('www-authenticate', 'Bearer');
    throw new ApiError(
      401,
      'unauthorized',
      'This server needs credentials for reads (identity.anonymousReads is off): send "Authorization: Bearer <key>"',
      [{ field: 'authorization', message: 'missing' }],
    );
  };
  return [guard];
}

const mayUseAnyUser = (identity: Identity): boolean => identity.role === 'service' || identity.role === 'admin';

/**
 * Throws 401 (no credentials) or 403 unless `identity` may read (`write` false) or change the ratings
 * of every user in `userIds`. `dataSetUser` tells a user with ratings in the data set.
 */
export function checkRatingsAccess(
  identity: Identity,
  userIds: Iterable<number>,
  options: { write: boolean; field: string; dataSetUser: (userId: number) => boolean },
): void {
  if (mayUseAnyUser(identity)) return;
  if (identity.role === 'anonymous') {
    throw new ApiError(401, 'unauthorized', "A user's ratings need that user's visitor cookie or a service key", [
      { field: 'authorization', message: 'missing' },
    ]);
  }
  for (const userId of userIds) {
    if (identity.role !== 'visitor' || identity.userId !== userId)
      throw new ApiError(
        403,
        'forbidden',
        `Not allowed for user ${userId}: a visitor may use its own user id only, other users need a service or admin key`,
        [
          {
            field: options.field,
            message: `not this caller's user id (${identity.role === 'visitor' ? `yours is ${identity.userId}` : identity.role})`,
          },
        ],
      );
    if (options.write && options.dataSetUser(userId))
      throw new ApiError(403, 'forbidden', `User ${userId} is a data-set user: their ratings change only with a service or admin key`, [
        { field: options.field, message: 'a data-set user' },
      ]);
  }
}

/** Whether an answer about `userId` may name the user's rated movies and their values. */
export const seesRatingsOf = (identity: Identity, userId: number): boolean =>
  hasKey(identity) || (identity.role === 'visitor' && identity.userId === userId);
