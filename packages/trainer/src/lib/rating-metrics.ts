import { neighbourScratch, predictRating, predictServedRating, type MfModel, type NeighbourhoodModel } from '@reelrank/model';
import type { RatingsByUser } from './ratings-by-user.js';
import type { IndexedRatings } from './indexing.js';

/** Rating-prediction accuracy on held-out rows, scored by the shared `predictRating`. */
export interface RatingMetrics {
  rmse: number;
  mae: number;
  count: number;
  /** Held-out rows whose user / movie was not in train (predicted through the bias fallback). */
  unknownUsers: number;
  unknownMovies: number;
}

export function ratingMetrics(model: MfModel, data: IndexedRatings): RatingMetrics {
  const { users, movies, ratings } = data;
  const predicted = new Float64Array(ratings.length);
  for (let r = 0; r < ratings.length; r++) predicted[r] = predictRating(model, users[r], movies[r]);
  return { ...ratingMetricsOf(predicted, ratings), unknownUsers: data.unknownUsers, unknownMovies: data.unknownMovies };
}

/** As `ratingMetrics`, for the rating model blended with the neighbourhood predictor over each user's ratings `byUser`. */
export function blendedRatingMetrics(model: MfModel, nb: NeighbourhoodModel, byUser: RatingsByUser, data: IndexedRatings): RatingMetrics {
  const { users, movies, ratings } = data;
  const predicted = new Float64Array(ratings.length);
  const scratch = neighbourScratch(nb.k);
  const user = { items: byUser.items, ratings: byUser.ratings, from: 0, to: 0 };
  for (let r = 0; r < ratings.length; r++) {
    const u = users[r];
    if (u >= 0) {
      user.from = byUser.offsets[u];
      user.to = byUser.offsets[u + 1];
    }
    predicted[r] = predictServedRating(model, nb, u, movies[r], user, scratch);
  }
  return { ...ratingMetricsOf(predicted, ratings), unknownUsers: data.unknownUsers, unknownMovies: data.unknownMovies };
}

/**
 * RMSE and MAE of `predicted` against `actual` over `rows` (default: every row): the one
 * implementation, used by the trainer's evaluation and by tools that score a served model.
 */
export function ratingMetricsOf(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  rows?: ArrayLike<number>,
): { rmse: number; mae: number; count: number } {
  const n = rows ? rows.length : actual.length;
  let se = 0;
  let ae = 0;
  for (let j = 0; j < n; j++) {
    const r = rows ? rows[j] : j;
    const e = actual[r] - predicted[r];
    se += e * e;
    ae += Math.abs(e);
  }
  return { rmse: n ? Math.sqrt(se / n) : NaN, mae: n ? ae / n : NaN, count: n };
}
