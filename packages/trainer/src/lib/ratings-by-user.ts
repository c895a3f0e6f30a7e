import { indexRatings, type Indexing } from './indexing.js';
import type { RatingsColumns } from './ratings.js';

/** Ratings grouped by user, in the model's indices, each user's movies ascending. */
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
  // Each user's movies ascending (the neighbourhood predictor looks them up by binary search).
  for (let u = 0; u < nUsers; u++) sortRow(items, values, offsets[u], offsets[u + 1]);
  return { offsets, items, ratings: values };
}

/** Sorts `items[from .. to)` ascending, `ratings` alongside (rows usually come sorted: then one pass). */
function sortRow(items: Int32Array, ratings: Float32Array, from: number, to: number): void {
  let sorted = true;
  for (let a = from + 1; a < to && sorted; a++) sorted = items[a - 1] <= items[a];
  if (sorted) return;
  const order = Array.from({ length: to - from }, (_, p) => from + p).sort((a, b) => items[a] - items[b]);
  const rowItems = Int32Array.from(order, (a) => items[a]);
  const rowRatings = Float32Array.from(order, (a) => ratings[a]);
  items.set(rowItems, from);
  ratings.set(rowRatings, from);
}
