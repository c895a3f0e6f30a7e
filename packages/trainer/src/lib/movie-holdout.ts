import { deriveSeed, seededRandom, shuffleInPlace } from '@reelrank/random';
import { selectRows, type RatingsColumns } from './ratings.js';

export interface MovieHoldout {
  /** Every rating of the movies kept: all a training sees. */
  train: RatingsColumns;
  /** Every rating of the held-out movies. */
  heldOut: RatingsColumns;
  /** The held-out movie ids, ascending. */
  movies: Int32Array;
}

/**
 * Holds out a seeded `share` of the rated movies entirely (all their ratings): the item cold-start
 * protocol, where a movie is new to the models as it would be on the day it enters the catalogue.
 */
export function holdOutMovies(all: RatingsColumns, share: number, seed: number): MovieHoldout {
  if (!(share > 0 && share < 1)) throw new Error(`holdOutMovies: share must be in (0, 1) (got ${share})`);
  const rated = [...new Set(all.movieIds)].sort((a, b) => a - b);
  shuffleInPlace(rated, seededRandom(deriveSeed(seed, 'cold-start:movie-holdout')));
  const count = Math.max(1, Math.round(rated.length * share));
  const held = new Set(rated.slice(0, count));
  const trainRows: number[] = [];
  const heldRows: number[] = [];
  for (let r = 0; r < all.movieIds.length; r++) (held.has(all.movieIds[r]) ? heldRows : trainRows).push(r);
  return {
    train: selectRows(all, trainRows),
    heldOut: selectRows(all, heldRows),
    movies: Int32Array.from(held).sort(),
  };
}
