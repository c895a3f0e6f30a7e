import { deriveSeed, seededRandom, shuffleInPlace } from '@reelrank/random';
import { selectRows, type RatingsColumns } from './ratings.js';

export interface SplitOptions {
  seed: number;
  validationFraction: number;
  /** May be 0 (no test part, e.g. carving a validation set out of a given train set). */
  testFraction: number;
}

export interface RatingsSplit {
  train: RatingsColumns;
  validation: RatingsColumns;
  test: RatingsColumns;
}

/** Row numbers of each part, ascending (so each part keeps the input's user, movie order). */
export interface SplitRows {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/**
 * Seeded split stratified per user: each user's ratings are shuffled and cut by the fractions
 * (with seeded stochastic rounding, so small users still contribute in expectation). Users with
 * fewer than 3 ratings keep them all in train; every user keeps at least half of them in train.
 */
export function splitRows(columns: RatingsColumns, options: SplitOptions): SplitRows {
  const { validationFraction: vf, testFraction: tf } = options;
  if (vf < 0 || tf < 0 || vf + tf >= 1) throw new Error(`Bad split fractions: validation ${vf}, test ${tf}`);
  const n = columns.userIds.length;
  const random = seededRandom(deriveSeed(options.seed, 'split'));
  // Group rows by user (counting sort over first appearance keeps this O(n) for any input order).
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const byUser = new Map<number, number[]>();
  let sortedByUser = true;
  for (let r = 1; r < n; r++)
    if (columns.userIds[r] < columns.userIds[r - 1]) {
      sortedByUser = false;
      break;
    }
  if (!sortedByUser) {
    for (let r = 0; r < n; r++) {
      const list = byUser.get(columns.userIds[r]);
      if (list) list.push(r);
      else byUser.set(columns.userIds[r], [r]);
    }
    let o = 0;
    for (const id of [...byUser.keys()].sort((a, b) => a - b)) for (const r of byUser.get(id)!) order[o++] = r;
  }
  const part = new Uint8Array(n); // 0 train, 1 validation, 2 test
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && columns.userIds[order[end]] === columns.userIds[order[start]]) end++;
    const count = end - start;
    if (count >= 3) {
      shuffleInPlace(order, random, start, end);
      let nTest = Math.floor(count * tf + random());
      let nVal = Math.floor(count * vf + random());
      const maxHeld = Math.floor(count / 2);
      while (nTest + nVal > maxHeld) {
        if (nVal >= nTest && nVal > 0) nVal--;
        else nTest--;
      }
      for (let j = 0; j < nTest; j++) part[order[start + j]] = 2;
      for (let j = nTest; j < nTest + nVal; j++) part[order[start + j]] = 1;
    }
    start = end;
  }
  // One pass to size the parts, one to fill them (rows ascending in each).
  const sizes = [0, 0, 0];
  for (let r = 0; r < n; r++) sizes[part[r]]++;
  const parts = sizes.map((size) => new Int32Array(size));
  const next = [0, 0, 0];
  for (let r = 0; r < n; r++) parts[part[r]][next[part[r]]++] = r;
  return { train: parts[0], validation: parts[1], test: parts[2] };
}

export function splitRatings(columns: RatingsColumns, options: SplitOptions): RatingsSplit {
  const rows = splitRows(columns, options);
  return { train: selectRows(columns, rows.train), validation: selectRows(columns, rows.validation), test: selectRows(columns, rows.test) };
}
