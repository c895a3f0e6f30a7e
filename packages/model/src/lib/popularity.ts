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

/** Largest movie id counted in typed arrays indexed by id (beyond it, or below 0, a Map). */
const DENSE_MOVIE_IDS = 1 << 24;

/** Each rated movie's sum and count of ratings (sums added in row order). */
function movieTotals(ratings: { movieIds: Int32Array; ratings: Float32Array }): Array<{ movieId: number; sum: number; count: number }> {
  const { movieIds } = ratings;
  let min = 0;
  let max = -1;
  for (let r = 0; r < movieIds.length; r++) {
    if (movieIds[r] < min) min = movieIds[r];
    if (movieIds[r] > max) max = movieIds[r];
  }
  if (min >= 0 && max < DENSE_MOVIE_IDS) {
    const sums = new Float64Array(max + 1);
    const counts = new Int32Array(max + 1);
    for (let r = 0; r < movieIds.length; r++) {
      sums[movieIds[r]] += ratings.ratings[r];
      counts[movieIds[r]]++;
    }
    const totals: Array<{ movieId: number; sum: number; count: number }> = [];
    for (let id = 0; id <= max; id++) if (counts[id] > 0) totals.push({ movieId: id, sum: sums[id], count: counts[id] });
    return totals;
  }
  const byId = new Map<number, { movieId: number; sum: number; count: number }>();
  for (let r = 0; r < movieIds.length; r++) {
    const entry = byId.get(movieIds[r]);
    if (entry) {
      entry.sum += ratings.ratings[r];
      entry.count += 1;
    } else byId.set(movieIds[r], { movieId: movieIds[r], sum: ratings.ratings[r], count: 1 });
  }
  return [...byId.values()];
}
