import type { IdentityCapReport, IdentityCaps } from './identity-caps.js';

/** The train stage's log lines on what the per-identity caps left out of the posted ratings, and why. */
export function identityCapLines(caps: (IdentityCaps & IdentityCapReport) | null): string[] {
  if (!caps || caps.cappedIdentityCount === 0) return [];
  const lines = [
    `[train] posted ratings capped per identity: ${caps.cappedIdentityCount} identit${caps.cappedIdentityCount === 1 ? 'y' : 'ies'} over a cap; ` +
      `dropped ${caps.droppedByNewUserCap} rating(s) of new users beyond postedNewUsersPerIdentity=${caps.newUsersPerIdentity} ` +
      `and ${caps.droppedByRatingCap} beyond postedRatingsPerIdentity=${caps.ratingsPerIdentity} (the newest kept)`,
  ];
  for (const c of caps.cappedIdentities)
    lines.push(`[train]   ${c.identity}: ${c.dropped} of ${c.ratings} rating(s) dropped, ${c.droppedNewUsers} of ${c.newUsers} new user(s)`);
  if (caps.cappedIdentityCount > caps.cappedIdentities.length)
    lines.push(
      `[train]   and ${caps.cappedIdentityCount - caps.cappedIdentities.length} more identities (metrics.json lists the first ${caps.cappedIdentities.length})`,
    );
  return lines;
}
