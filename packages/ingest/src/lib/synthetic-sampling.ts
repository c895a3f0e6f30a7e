import type { SeededRandom } from '@reelrank/random';

/** Sampling helpers of the generator: alias tables, partial selection and user activity. */

const TWO_POW_32 = 4294967296;

/** Vose's alias table for O(1) draws from a discrete distribution. */
export class AliasTable {
  readonly probability: Float64Array;
  readonly alias: Int32Array;
  readonly n: number;

  constructor(weights: Float64Array) {
    const n = weights.length;
    this.n = n;
    this.probability = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i += 1) total += weights[i];
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i += 1) {
      scaled[i] = (weights[i] * n) / total;
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[--nl];
      this.probability[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    while (nl > 0) this.probability[large[--nl]] = 1;
    while (ns > 0) this.probability[small[--ns]] = 1;
  }

  draw(random: SeededRandom): number {
    const u = random.uint32() / TWO_POW_32;
    const scaled = u * this.n;
    const i = Math.floor(scaled);
    return scaled - i < this.probability[i] ? i : this.alias[i];
  }
}

/** Reorders keys/ids[lo..hi] so that the `k` smallest keys come first (Hoare quickselect). */
export function selectSmallest(keys: Float64Array, ids: Int32Array, count: number, k: number): void {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    const a = keys[lo];
    const b = keys[mid];
    const c = keys[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Alike trainer sgd-grid.ts's shuffleRowsInPlace by shape only (swaps of parallel columns): deliberate, the partition
    // hot loop; a shared swap helper would cost a call per swap.
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i += 1;
      while (keys[j] > pivot) j -= 1;
      if (i <= j) {
        const tk = keys[i];
        keys[i] = keys[j];
        keys[j] = tk;
        const ti = ids[i];
        ids[i] = ids[j];
        ids[j] = ti;
        i += 1;
        j -= 1;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}

/**
 * Ratings per user: `minimum` each plus a share of the rest proportional to Pareto weights,
 * capped at `cap`; the counts sum to exactly `total`.
 */
export function userActivity(random: SeededRandom, users: number, total: number, minimum: number, cap: number): Int32Array {
  const weights = new Float64Array(users);
  for (let u = 0; u < users; u += 1) weights[u] = Math.pow(random.uniform(), -1 / 1.2) - 1; // Lomax (shifted Pareto), alpha 1.2
  const extra = total - minimum * users;
  const room = cap - minimum;
  const allocated = (scale: number): number => {
    let sum = 0;
    for (let u = 0; u < users; u += 1) sum += Math.min(room, scale * weights[u]);
    return sum;
  };
  let lo = 0;
  let hi = 1;
  while (allocated(hi) < extra && hi < 1e300) hi *= 2;
  for (let step = 0; step < 200 && hi - lo > 1e-12 * hi; step += 1) {
    const mid = (lo + hi) / 2;
    if (allocated(mid) < extra) lo = mid;
    else hi = mid;
  }
  const counts = new Int32Array(users);
  const fractions = new Float64Array(users);
  let assigned = 0;
  for (let u = 0; u < users; u += 1) {
    const share = Math.min(room, lo * weights[u]);
    const whole = Math.floor(share);
    counts[u] = minimum + whole;
    fractions[u] = share - whole;
    assigned += whole;
  }
  // Hand out the rounding remainder one rating at a time, largest fraction first.
  const order = Array.from({ length: users }, (_, u) => u).sort((x, y) => fractions[y] - fractions[x] || x - y);
  let left = extra - assigned;
  while (left > 0) {
    let gave = false;
    for (let k = 0; k < users && left > 0; k += 1) {
      const u = order[k];
      if (counts[u] < cap) {
        counts[u] += 1;
        left -= 1;
        gave = true;
      }
    }
    if (!gave) throw new Error('synthetic: cannot place all ratings under the per-user cap');
  }
  return counts;
}
