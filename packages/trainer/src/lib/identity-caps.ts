import type { StoredRating } from '@reelrank/feedback';

/**
 * How much one writer of posted ratings may weigh in a training run (config `training`
 * postedNewUsersPerIdentity / postedRatingsPerIdentity): without a bound, one client that posts 5.0
 * for a movie from many new users pushes it up the popular list and into everyone's picks.
 */
export interface IdentityCaps {
  /** New users (not in the data set) counted per identity; the ones it wrote to most recently are kept. */
  newUsersPerIdentity: number;
  /** Ratings counted per identity; its newest are kept. */
  ratingsPerIdentity: number;
}

/** One identity the caps cut, for the log and metrics.json. */
export interface CappedIdentity {
  identity: string;
  /** Its posted ratings in the snapshot (of known movies), and how many of them training dropped. */
  ratings: number;
  dropped: number;
  /** The new users it wrote to, and how many of them training dropped. */
  newUsers: number;
  droppedNewUsers: number;
}

export interface IdentityCapReport {
  /** Ratings dropped because their identity wrote to more new users than the cap. */
  droppedByNewUserCap: number;
  /** Ratings dropped because their identity wrote more ratings than the cap (after the new-user cap). */
  droppedByRatingCap: number;
  /** Identities that lost ratings, most dropped first (at most MAX_REPORTED). */
  cappedIdentities: CappedIdentity[];
  /** How many identities lost ratings (cappedIdentities may list fewer). */
  cappedIdentityCount: number;
}

/** The metrics name at most this many capped identities; the log names them all by count. */
export const MAX_REPORTED = 20;

/**
 * The identity a posted rating counts under: a key or the admin token is its own identity; a visitor
 * or an anonymous caller counts under its client address (one address can mint visitor identities as
 * fast as the mint limit allows, and each visitor is a new user, so a per-visitor cap bounds nothing).
 * Ratings from before writers were recorded share the identity 'unknown'.
 */
export function identityOf(rating: Pick<StoredRating, 'source' | 'sourceAddress'>): string {
  const { source, sourceAddress } = rating;
  if (source.startsWith('key:') || source === 'admin-token') return source;
  return sourceAddress === 'unknown' ? 'unknown' : `addr:${sourceAddress}`;
}

/**
 * The posted ratings training counts: per identity, first the new users it wrote to beyond the newest
 * `newUsersPerIdentity` (ranked by the identity's newest rating of each) lose that identity's ratings,
 * then its ratings beyond the newest `ratingsPerIdentity` are dropped. Ids order the writes, so the
 * choice is the same on every run over the same snapshot. Keeps the input's order.
 */
export function capByIdentity(
  ratings: readonly StoredRating[],
  isDataSetUser: (userId: number) => boolean,
  caps: IdentityCaps,
): { kept: StoredRating[]; report: IdentityCapReport } {
  const byIdentity = new Map<string, number[]>();
  ratings.forEach((r, i) => {
    const identity = identityOf(r);
    const rows = byIdentity.get(identity);
    if (rows) rows.push(i);
    else byIdentity.set(identity, [i]);
  });
  const dropped = new Uint8Array(ratings.length);
  let droppedByNewUserCap = 0;
  let droppedByRatingCap = 0;
  const capped: CappedIdentity[] = [];
  for (const [identity, rows] of byIdentity) {
    // Each new user's newest rating id from this identity: the users written to most recently are kept.
    const newest = new Map<number, number>();
    for (const i of rows) {
      const { userId, id } = ratings[i];
      if (!isDataSetUser(userId)) newest.set(userId, Math.max(newest.get(userId) ?? 0, id));
    }
    let droppedHere = 0;
    let droppedUsers = 0;
    if (newest.size > caps.newUsersPerIdentity) {
      const ranked = [...newest].sort((a, b) => b[1] - a[1]);
      const cut = new Set(ranked.slice(caps.newUsersPerIdentity).map(([user]) => user));
      droppedUsers = cut.size;
      for (const i of rows)
        if (cut.has(ratings[i].userId)) {
          dropped[i] = 1;
          droppedHere++;
        }
      droppedByNewUserCap += droppedHere;
    }
    const left = rows.filter((i) => !dropped[i]);
    if (left.length > caps.ratingsPerIdentity) {
      left.sort((a, b) => ratings[b].id - ratings[a].id);
      for (const i of left.slice(caps.ratingsPerIdentity)) dropped[i] = 1;
      const over = left.length - caps.ratingsPerIdentity;
      droppedByRatingCap += over;
      droppedHere += over;
    }
    if (droppedHere > 0) capped.push({ identity, ratings: rows.length, dropped: droppedHere, newUsers: newest.size, droppedNewUsers: droppedUsers });
  }
  capped.sort((a, b) => b.dropped - a.dropped || (a.identity < b.identity ? -1 : 1));
  return {
    kept: ratings.filter((_, i) => !dropped[i]),
    report: { droppedByNewUserCap, droppedByRatingCap, cappedIdentities: capped.slice(0, MAX_REPORTED), cappedIdentityCount: capped.length },
  };
}
