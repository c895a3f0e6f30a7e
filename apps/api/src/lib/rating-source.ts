import type { Request, Response } from 'express';
import type { RatingSource } from '@reelrank/feedback';
import { clientKey } from './rate-limit.js';

/**
 * Who writes a rating: the caller's identity subject (set on `res.locals.identity` by the identity
 * middleware; an anonymous caller is its client address when there is none) and its client address.
 * Both are stored with the rating: training bounds what one key, or one address's visitors, weighs,
 * and `reelrank ratings purge` removes what one of them wrote.
 */
export function ratingSource(req: Request, res: Response): RatingSource {
  const address = clientKey(req.ip);
  const identity = res.locals.identity as { subject?: unknown } | undefined;
  const subject = typeof identity?.subject === 'string' && identity.subject.length > 0 ? identity.subject : `addr:${address}`;
  return { subject, address };
}
