import { predictRating, type MfModel } from '@reelrank/model';
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
  let se = 0;
  let ae = 0;
  for (let r = 0; r < ratings.length; r++) {
    const e = ratings[r] - predictRating(model, users[r], movies[r]);
    se += e * e;
    ae += Math.abs(e);
  }
  const n = ratings.length;
  return {
    rmse: n ? Math.sqrt(se / n) : NaN,
    mae: n ? ae / n : NaN,
    count: n,
    unknownUsers: data.unknownUsers,
    unknownMovies: data.unknownMovies,
  };
}
