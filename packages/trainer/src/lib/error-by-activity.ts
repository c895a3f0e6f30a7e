import { buildModelIndex, predictRating, type MfModel } from '@reelrank/model';
import type { RatingsColumns } from './ratings.js';

/** Test error of users grouped by how many training ratings they have (the cold-start curve). */
export interface ActivityBucket {
  /** Training ratings of the bucket's users: lower <= n <= upper (upper null: no limit). */
  lower: number;
  upper: number | null;
  users: number;
  rows: number;
  rmse: number | null;
  mae: number | null;
}

export const ACTIVITY_BOUNDS = [0, 1, 10, 20, 50, 100, 200, 500];

/**
 * Scores every held-out rating with the shared `predictRating` (unknown users fall back through
 * the biases) and groups the errors by the user's number of ratings in `train`.
 * `model` must not have seen `test`, or the figures are training error.
 */
export function errorByUserActivity(model: MfModel, train: RatingsColumns, test: RatingsColumns, bounds = ACTIVITY_BOUNDS): ActivityBucket[] {
  const activity = new Map<number, number>();
  for (const u of train.userIds) activity.set(u, (activity.get(u) ?? 0) + 1);
  const { userIndex, movieIndex } = buildModelIndex(model);
  const buckets = bounds.map((lower, b) => ({
    lower,
    upper: b + 1 < bounds.length ? bounds[b + 1] - 1 : null,
    users: new Set<number>(),
    rows: 0,
    se: 0,
    ae: 0,
  }));
  const bucketOf = (n: number) => {
    let b = 0;
    while (b + 1 < bounds.length && n >= bounds[b + 1]) b++;
    return buckets[b];
  };
  for (let r = 0; r < test.ratings.length; r++) {
    const user = test.userIds[r];
    const bucket = bucketOf(activity.get(user) ?? 0);
    const error = predictRating(model, userIndex.get(user) ?? -1, movieIndex.get(test.movieIds[r]) ?? -1) - test.ratings[r];
    bucket.users.add(user);
    bucket.rows += 1;
    bucket.se += error * error;
    bucket.ae += Math.abs(error);
  }
  return buckets.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    users: b.users.size,
    rows: b.rows,
    rmse: b.rows ? Math.sqrt(b.se / b.rows) : null,
    mae: b.rows ? b.ae / b.rows : null,
  }));
}
