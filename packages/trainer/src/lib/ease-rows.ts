import { addEaseScores, type EaseScorer } from '@reelrank/model';
import type { UserItems } from './indexing.js';

/**
 * The EASE scores x_u·B of a batch of users (x_u: the user's movies and ratings in `items`, the train side of
 * the data being scored) into `out`, row b at b·nMovies, scaled by `weight`, added to what is there.
 */
export function addEaseRows(
  scorer: EaseScorer,
  items: UserItems,
  users: Int32Array,
  nMovies: number,
  weight: number,
  out: Float32Array,
): Float32Array {
  for (let b = 0; b < users.length; b++) {
    const u = users[b];
    addEaseScores(scorer, items.movies, items.offsets[u], items.offsets[u + 1], weight, out.subarray(b * nMovies, (b + 1) * nMovies), items.ratings);
  }
  return out;
}
