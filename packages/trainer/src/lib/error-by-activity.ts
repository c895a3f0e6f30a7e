import { predictRating, type MfModel } from '@reelrank/model';
import { buildIdIndex } from './indexing.js';
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
  // Training ratings per user, counted by dense index (a Map per rating costs ~1 s at 20M).
  const trainUsers = buildIdIndex(train.userIds);
  const counts = new Int32Array(trainUsers.ids.length);
  for (let r = 0; r < train.userIds.length; r++) counts[trainUsers.indexOf(train.userIds[r])]++;
  const activityOf = (user: number) => {
    const u = trainUsers.indexOf(user);
    return u < 0 ? 0 : counts[u];
  };
  // The model's ids are strictly ascending: each id's dense index is its position.
  const userIndex = buildIdIndex(model.userIds);
  const movieIndex = buildIdIndex(model.movieIds);
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
    const bucket = bucketOf(activityOf(user));
    const error = predictRating(model, userIndex.indexOf(user), movieIndex.indexOf(test.movieIds[r])) - test.ratings[r];
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
