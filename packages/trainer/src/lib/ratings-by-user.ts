import { indexRatings, type Indexing } from './indexing.js';
import type { RatingsColumns } from './ratings.js';

/** Ratings grouped by user, in the model's indices (the served `seen` rows have this shape too). */
export interface RatingsByUser {
  offsets: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
}

/** `ratings` grouped by user index of `indexing` (rows of unknown users or movies left out). */
export function ratingsByUser(ratings: RatingsColumns, indexing: Indexing): RatingsByUser {
  const indexed = indexRatings(ratings, indexing);
  const nUsers = indexing.users.ids.length;
  const offsets = new Int32Array(nUsers + 1);
  for (let r = 0; r < indexed.users.length; r++) if (indexed.users[r] >= 0 && indexed.movies[r] >= 0) offsets[indexed.users[r] + 1]++;
  for (let u = 0; u < nUsers; u++) offsets[u + 1] += offsets[u];
  const fill = offsets.slice(0, nUsers);
  const items = new Int32Array(offsets[nUsers]);
  const values = new Float32Array(offsets[nUsers]);
  for (let r = 0; r < indexed.users.length; r++) {
    const u = indexed.users[r];
    const i = indexed.movies[r];
    if (u < 0 || i < 0) continue;
    items[fill[u]] = i;
    values[fill[u]++] = indexed.ratings[r];
  }
  return { offsets, items, ratings: values };
}
