import type { GateConfig } from '@reelrank/config';
import { deriveSeed } from '@reelrank/random';
import { selectRows, type RatingsColumns } from './ratings.js';

/**
 * The gate holdout: the (user, movie) pairs a seeded hash puts below `holdoutShare`. Membership
 * depends on the pair alone, never on the rating, its source or what else the data holds, so a pair
 * stays in (or out of) the holdout as the data set grows and ratings are posted, and every version
 * trained with the same gate settings was trained without every holdout pair.
 */

export type GateHoldoutSettings = Pick<GateConfig, 'holdoutShare' | 'seed'>;

/** A 32-bit avalanche of (user, movie) under the gate seed (murmur3's finaliser over a mixed pair). */
function pairHash(seed: number, userId: number, movieId: number): number {
  let h = Math.imul(seed ^ userId, 0x85ebca6b) >>> 0;
  h = Math.imul((h ^ (h >>> 13) ^ movieId) >>> 0, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Whether the pair is in the gate holdout. */
export function inGateHoldout(settings: GateHoldoutSettings, userId: number, movieId: number): boolean {
  if (settings.holdoutShare <= 0) return false;
  const seed = deriveSeed(settings.seed, 'gate-holdout');
  return pairHash(seed, userId, movieId) / 2 ** 32 < settings.holdoutShare;
}

export interface GateHoldoutSplit {
  /** Everything a training may use. */
  rest: RatingsColumns;
  /** The holdout rows (input order kept). */
  holdout: RatingsColumns;
}

/** Splits the ratings into the rows a training may use and the gate holdout. */
export function splitGateHoldout(all: RatingsColumns, settings: GateHoldoutSettings): GateHoldoutSplit {
  const n = all.ratings.length;
  const seed = deriveSeed(settings.seed, 'gate-holdout');
  const held = new Uint8Array(n);
  let count = 0;
  if (settings.holdoutShare > 0)
    for (let r = 0; r < n; r++)
      if (pairHash(seed, all.userIds[r], all.movieIds[r]) / 2 ** 32 < settings.holdoutShare) {
        held[r] = 1;
        count++;
      }
  if (count === 0) return { rest: all, holdout: selectRows(all, []) };
  const restRows = new Int32Array(n - count);
  const holdoutRows = new Int32Array(count);
  for (let r = 0, a = 0, b = 0; r < n; r++) {
    if (held[r]) holdoutRows[b++] = r;
    else restRows[a++] = r;
  }
  return { rest: selectRows(all, restRows), holdout: selectRows(all, holdoutRows) };
}
