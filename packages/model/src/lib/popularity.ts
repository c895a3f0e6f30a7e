import { buildIdIndex } from './id-index.js';

/**
 * Cold-start ranking: movies with at least `minRatings` ratings, ranked by a damped (Bayesian)
 * mean that pulls a movie's mean towards the global mean by `priorWeight` pseudo-ratings, so ten
 * 5-star ratings do not beat a thousand 4.5s. Ties break by more ratings, then lower movie id.
 */
export interface PopularityRanking {
  movieIds: Int32Array;
  /** Damped mean of each listed movie. */
  scores: Float32Array;
  counts: Int32Array;
}

export function dampedMean(sum: number, count: number, priorMean: number, priorWeight: number): number {
  return (sum + priorWeight * priorMean) / (count + priorWeight);
}

export function computePopularity(
  ratings: { movieIds: Int32Array; ratings: Float32Array },
  options: { minRatings: number; priorWeight: number },
): PopularityRanking {
  const { movieIds } = ratings;
  let total = 0;
  for (let r = 0; r < movieIds.length; r++) total += ratings.ratings[r];
  const globalMean = movieIds.length ? total / movieIds.length : 0;
  const rows = movieTotals(ratings)
    .filter((e) => e.count >= options.minRatings)
    .map(({ movieId, sum, count }) => ({ movieId, count, score: dampedMean(sum, count, globalMean, options.priorWeight) }))
    .sort((a, b) => b.score - a.score || b.count - a.count || a.movieId - b.movieId);
  return {
    movieIds: Int32Array.from(rows, (r) => r.movieId),
    scores: Float32Array.from(rows, (r) => r.score),
    counts: Int32Array.from(rows, (r) => r.count),
  };
}

/** Each rated movie's sum and count of ratings, ids ascending (sums added in row order). */
function movieTotals(ratings: { movieIds: Int32Array; ratings: Float32Array }): Array<{ movieId: number; sum: number; count: number }> {
  const movies = buildIdIndex(ratings.movieIds);
  const sums = new Float64Array(movies.ids.length);
  const counts = new Int32Array(movies.ids.length);
  for (let r = 0; r < ratings.movieIds.length; r++) {
    const m = movies.indexOf(ratings.movieIds[r]);
    sums[m] += ratings.ratings[r];
    counts[m]++;
  }
  return Array.from(movies.ids, (movieId, m) => ({ movieId, sum: sums[m], count: counts[m] }));
}
