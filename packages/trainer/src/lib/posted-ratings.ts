import { sha256 } from '@reelrank/artifacts';
import type { StoredRating } from '@reelrank/feedback';
import { capByIdentity, type IdentityCapReport, type IdentityCaps } from './identity-caps.js';
import { emptyColumns, hashColumns, type RatingsColumns } from './ratings.js';

/**
 * The ratings users posted to the running service (@reelrank/feedback), merged into the data set's
 * ratings for a training run (ARCHITECTURE.md "Contract: posted ratings"): a posted rating of a pair
 * the data set also has replaces it (the serving fold-in's rule), other posted ratings are added (new
 * pairs, new users). The result keeps the database's (user, movie) order, so it is exactly what the
 * stage would read had the posted ratings been in the data set.
 */

/** What a run took from the store; `count` and `newestId` describe the snapshot read (the store's version then). */
export interface PostedSummary {
  count: number;
  newestId: number;
  /** Posted ratings that replaced a rating of the data set. */
  replaced: number;
  /** Posted ratings of pairs the data set lacks. */
  added: number;
  /** Users the data set lacks. */
  newUsers: number;
  /** Posted ratings of movies not in the catalogue (the API rejects them; skipped, never trained on). */
  skippedUnknownMovies: number;
  /** Posted ratings left out because their writer's identity was over a cap (identityCaps says which and why). */
  droppedByIdentityCap: number;
  /** The caps in force and what they cut (null: no caps applied). */
  identityCaps: (IdentityCaps & IdentityCapReport) | null;
}

export interface PostedRatings {
  /** The usable posted ratings, by (user, movie). */
  columns: RatingsColumns;
  count: number;
  newestId: number;
  skippedUnknownMovies: number;
  identityCaps: (IdentityCaps & IdentityCapReport) | null;
}

/** Bounds what each writer identity weighs (identity-caps.ts); `isDataSetUser` tells new users apart. */
export interface PostedBounds {
  caps: IdentityCaps;
  isDataSetUser: (userId: number) => boolean;
}

/**
 * Reads a snapshot of posted ratings (ordered by (user, movie), as RatingsStore.all() gives them),
 * skipping unknown movies, then, with `bounds`, dropping what each identity wrote beyond its caps.
 */
export async function collectPostedRatings(
  source: AsyncIterable<StoredRating>,
  isKnownMovie: (movieId: number) => boolean,
  bounds?: PostedBounds,
): Promise<PostedRatings> {
  let kept: StoredRating[] = [];
  let count = 0;
  let newestId = 0;
  let skippedUnknownMovies = 0;
  for await (const rating of source) {
    count++;
    if (rating.id > newestId) newestId = rating.id;
    if (isKnownMovie(rating.movieId)) kept.push(rating);
    else skippedUnknownMovies++;
  }
  let identityCaps: PostedRatings['identityCaps'] = null;
  if (bounds) {
    const capped = capByIdentity(kept, bounds.isDataSetUser, bounds.caps);
    kept = capped.kept;
    identityCaps = { ...bounds.caps, ...capped.report };
  }
  const columns = emptyColumns(kept.length);
  kept.forEach((r, n) => {
    columns.userIds[n] = r.userId;
    columns.movieIds[n] = r.movieId;
    columns.ratings[n] = r.rating;
    columns.timestamps[n] = r.timestamp;
  });
  return { columns, count, newestId, skippedUnknownMovies, identityCaps };
}

/** Row order of `columns` by (user, movie): the identity when they are sorted already (the database's order). */
function orderByUserMovie(columns: RatingsColumns): Int32Array {
  const n = columns.userIds.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const { userIds: u, movieIds: m } = columns;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = u[i - 1] < u[i] || (u[i - 1] === u[i] && m[i - 1] < m[i]);
  if (!sorted) order.sort((a, b) => u[a] - u[b] || m[a] - m[b]);
  return order;
}

/**
 * The data set's ratings with the posted ones merged in (a posted rating wins for its pair), in
 * (user, movie) order, and what the merge did. `posted` must be ordered by (user, movie) with one
 * rating per pair (the store guarantees both).
 */
export function mergePostedRatings(base: RatingsColumns, posted: PostedRatings): { columns: RatingsColumns; summary: PostedSummary } {
  const order = orderByUserMovie(base);
  const p = posted.columns;
  const nb = order.length;
  const np = p.userIds.length;
  const out = emptyColumns(nb + np);
  let o = 0;
  const copy = (from: RatingsColumns, row: number) => {
    out.userIds[o] = from.userIds[row];
    out.movieIds[o] = from.movieIds[row];
    out.ratings[o] = from.ratings[row];
    out.timestamps[o] = from.timestamps[row];
    o++;
  };
  let replaced = 0;
  let newUsers = 0;
  let lastBaseUser = Number.NaN;
  let lastNewUser = Number.NaN;
  let b = 0;
  for (let j = 0; j < np; j++) {
    const user = p.userIds[j];
    const movie = p.movieIds[j];
    while (b < nb && (base.userIds[order[b]] < user || (base.userIds[order[b]] === user && base.movieIds[order[b]] < movie))) {
      lastBaseUser = base.userIds[order[b]];
      copy(base, order[b++]);
    }
    const same = b < nb && base.userIds[order[b]] === user;
    if (same && base.movieIds[order[b]] === movie) {
      replaced++;
      lastBaseUser = user;
      b++; // the data set's rating of this pair gives way to the posted one
    }
    if (!same && lastBaseUser !== user && lastNewUser !== user) {
      newUsers++;
      lastNewUser = user;
    }
    copy(p, j);
  }
  while (b < nb) copy(base, order[b++]);
  const columns = {
    userIds: out.userIds.subarray(0, o),
    movieIds: out.movieIds.subarray(0, o),
    ratings: out.ratings.subarray(0, o),
    timestamps: out.timestamps.subarray(0, o),
  };
  const summary = {
    count: posted.count,
    newestId: posted.newestId,
    replaced,
    added: np - replaced,
    newUsers,
    skippedUnknownMovies: posted.skippedUnknownMovies,
    droppedByIdentityCap: posted.identityCaps ? posted.identityCaps.droppedByNewUserCap + posted.identityCaps.droppedByRatingCap : 0,
    identityCaps: posted.identityCaps,
  };
  return { columns, summary };
}

/** The data hash of a run with posted ratings: the data set's hash and the posted ratings' content; unchanged when none were used. */
export function dataHashWithPosted(baseHash: string, posted: PostedRatings): string {
  if (posted.columns.ratings.length === 0) return baseHash;
  return sha256(`${baseHash}\nposted ${hashColumns(posted.columns)}`);
}
