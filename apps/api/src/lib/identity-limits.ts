import type { Request, Response } from 'express';
import type { LimitsConfig } from '@reelrank/config';
import { ApiError } from './errors.js';
import { LIMIT_KINDS, type LimitKind } from './limit-kinds.js';
import { identityOf } from './identity.js';
import { KeyedBuckets } from './rate-limit.js';

/**
 * What one identity may make the API do, per identity (config `identity.limits`): ratings written, new users
 * started (user ids without posted ratings before) and ratings folded in, each a token bucket. A
 * request over any budget is refused whole with 429 + Retry-After before anything is spent; one
 * within all of them spends them together. `onSpend` is told each spending (a cluster worker passes
 * it to the others through the primary, which spend it too: the budgets are the cluster's).
 */

export { LIMIT_KINDS, type LimitKind };

/**
 * Who a request counts against: its identity's subject (an API key, a visitor), or for an anonymous
 * caller its client address (req.ip: the socket's unless `trust proxy`; IPv6 by /64).
 */
export const limitSubject = (req: Request, res: Response): string => identityOf(req, res).subject;

export class IdentityLimits {
  private readonly buckets: Record<LimitKind, KeyedBuckets>;
  private readonly describe: Record<LimitKind, string>;

  constructor(
    readonly config: LimitsConfig,
    private readonly onSpend?: (kind: LimitKind, subject: string, cost: number) => void,
  ) {
    const max = config.maxTrackedIdentities;
    this.buckets = {
      ratings: new KeyedBuckets(config.ratingsBurst, 1 / config.ratingsPerSecond, max),
      newUsers: new KeyedBuckets(config.newUsersBurst, 3600 / config.newUsersPerHour, max),
      folds: new KeyedBuckets(config.foldRatingsBurst, 1 / config.foldRatingsPerSecond, max),
    };
    this.describe = {
      ratings: `ratings written (${config.ratingsPerSecond}/s, ${config.ratingsBurst} at once)`,
      newUsers: `new user ids started (${config.newUsersPerHour}/hour, ${config.newUsersBurst} at once)`,
      folds: `ratings folded in (${config.foldRatingsPerSecond}/s, ${config.foldRatingsBurst} at once)`,
    };
  }

  /** Spends `costs` of `subject`'s budgets, or throws a 429 (with Retry-After on `res`) spending none. */
  charge(res: Response, subject: string, costs: Partial<Record<LimitKind, number>>): void {
    this.check(res, subject, costs);
    for (const kind of LIMIT_KINDS) {
      const cost = costs[kind] ?? 0;
      if (cost <= 0) continue;
      this.buckets[kind].spend(subject, cost);
      this.onSpend?.(kind, subject, cost);
    }
  }

  /** Throws the 429 `charge` would, spending nothing (a cheap refusal before costlier checks). */
  check(res: Response, subject: string, costs: Partial<Record<LimitKind, number>>): void {
    for (const kind of LIMIT_KINDS) {
      const wait = this.buckets[kind].wait(subject, costs[kind] ?? 0);
      if (wait === undefined) continue;
      res.setHeader('retry-after', String(wait));
      throw new ApiError(429, 'rate_limited', `Too many ${this.describe[kind]} by this client; retry in ${wait} s`, [
        { field: kind === 'ratings' ? 'ratings' : kind === 'newUsers' ? 'user_id' : 'body', message: `over the limit of ${this.describe[kind]}` },
      ]);
    }
  }

  /** What another process sharing the budgets spent. */
  spentElsewhere(kind: LimitKind, subject: string, cost: number): void {
    this.buckets[kind].spend(subject, cost);
  }
}
