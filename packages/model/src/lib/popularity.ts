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
  const sums = new Map<number, { sum: number; count: number }>();
  let total = 0;
  for (let r = 0; r < ratings.movieIds.length; r++) {
    const id = ratings.movieIds[r];
    const entry = sums.get(id);
    if (entry) {
      entry.sum += ratings.ratings[r];
      entry.count += 1;
    } else sums.set(id, { sum: ratings.ratings[r], count: 1 });
    total += ratings.ratings[r];
  }
  const globalMean = ratings.movieIds.length ? total / ratings.movieIds.length : 0;
  const rows = [...sums]
    .filter(([, e]) => e.count >= options.minRatings)
    .map(([movieId, e]) => ({ movieId, count: e.count, score: dampedMean(e.sum, e.count, globalMean, options.priorWeight) }))
    .sort((a, b) => b.score - a.score || b.count - a.count || a.movieId - b.movieId);
  return {
    movieIds: Int32Array.from(rows, (r) => r.movieId),
    scores: Float32Array.from(rows, (r) => r.score),
    counts: Int32Array.from(rows, (r) => r.count),
  };
}
