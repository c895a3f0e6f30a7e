import { buildModelIndex, predictRating, type MfModel } from '@reelrank/model';
import { splitRows } from '@reelrank/trainer';
import { errorByActivity, type ActivityBucket } from './cold-start.js';
import type { RatingColumns } from './stats.js';

export interface ActivityError {
  buckets: ActivityBucket[];
  /** Where the figures come from: the trainer's own breakdown, or recomputed here with the served model. */
  source: 'metrics.json' | 'served model on the re-created test split';
  /** True when the scored model saw the test rows in training (served model refit on all ratings). */
  optimistic: boolean;
  testRows: number;
}

/**
 * Re-creates the trainer's held-out test rows (the same `splitRows` call with training.seed and
 * testFraction, on the same `readRatingsColumns` order) and scores them with the shared
 * `predictRating`, grouping the errors by the user's number of training ratings.
 * `trainedOn === 'all'` means the served model was refit on every rating, test rows included.
 */
export function activityErrorFromModel(
  columns: RatingColumns,
  model: MfModel,
  split: { seed: number; testFraction: number },
  trainedOn: string | null,
): ActivityError {
  const rows = splitRows(columns, { seed: split.seed, validationFraction: 0, testFraction: split.testFraction });
  const trainCounts = new Map<number, number>();
  for (const r of rows.train) trainCounts.set(columns.userIds[r], (trainCounts.get(columns.userIds[r]) ?? 0) + 1);
  const index = buildModelIndex(model);
  const scored = Array.from(rows.test, (r) => {
    const userId = columns.userIds[r];
    const predicted = predictRating(model, index.userIndex.get(userId) ?? -1, index.movieIndex.get(columns.movieIds[r]) ?? -1);
    return { userId, activity: trainCounts.get(userId) ?? 0, error: predicted - columns.ratings[r] };
  });
  return {
    buckets: errorByActivity(scored),
    source: 'served model on the re-created test split',
    optimistic: trainedOn !== 'train',
    testRows: rows.test.length,
  };
}
