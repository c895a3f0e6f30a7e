/** Cold-start analysis: who sits under the rating-count thresholds, and the model's error by user activity. */

export interface ColdStartRow {
  entity: 'users' | 'movies';
  /** "Fewer than `threshold` ratings". */
  threshold: number;
  count: number;
  share: number;
}

/** Thresholds of the analysis: 5, 10, 20 and the config's popularityMinRatings, sorted, unique. */
export function coldStartThresholds(popularityMinRatings: number): number[] {
  return [...new Set([5, 10, 20, popularityMinRatings])].sort((a, b) => a - b);
}

/**
 * Share of users and of movies with fewer than each threshold of ratings. `catalogMovies` counts
 * movies with no rating at all (they are the coldest of all); pass 0 to count rated movies only.
 */
export function coldStartShares(
  userCounts: Iterable<number>,
  movieCounts: Iterable<number>,
  thresholds: readonly number[],
  unratedMovies = 0,
): ColdStartRow[] {
  const rows: ColdStartRow[] = [];
  const add = (entity: ColdStartRow['entity'], countsIn: Iterable<number>, extraZeros: number) => {
    const counts = [...countsIn];
    const total = counts.length + extraZeros;
    for (const threshold of thresholds) {
      const count = counts.filter((c) => c < threshold).length + extraZeros;
      rows.push({ entity, threshold, count, share: total ? count / total : 0 });
    }
  };
  add('users', userCounts, 0);
  add('movies', movieCounts, unratedMovies);
  return rows;
}

export interface ActivityBucket {
  /** Human label, e.g. "20-49". */
  label: string;
  /** Inclusive lower bound of the user's number of (training) ratings; upper is null when open-ended. */
  lower: number;
  upper: number | null;
  users: number;
  /** Test ratings scored in the bucket. */
  rows: number;
  rmse: number;
  mae: number;
}

export function bucketLabel(lower: number, upper: number | null): string {
  return upper === null ? `${lower}+` : lower === upper ? `${lower}` : `${lower}-${upper}`;
}
