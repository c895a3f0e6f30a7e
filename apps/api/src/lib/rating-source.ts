import type { Request, Response } from 'express';
import type { RatingSource } from '@reelrank/feedback';
import { limitSubject } from './identity-limits.js';
import { clientKey } from './rate-limit.js';

/**
 * Who writes a rating: the caller's identity subject (the one its limits count against) and its client address.
 * Both are stored with the rating: training bounds what one key, or one address's visitors, weighs,
 * and `reelrank ratings purge` removes what one of them wrote.
 */
export function ratingSource(req: Request, res: Response): RatingSource {
  return { subject: limitSubject(req, res), address: clientKey(req.ip) };
}
