import { topNInto } from '@reelrank/model';

/**
 * The blend grid of `tuneBlendWeights` and what is fixed for a tuning run: points in grid order (rating, then
 * ease, then popularity weight), the popularity prior (>= 0) and the movies EASE covers (empty without EASE).
 */
export interface BlendGridSpec {
  k: number;
  nMovies: number;
  ratingWeights: number[];
  easeWeights: number[];
  popularityWeights: number[];
  hasEase: boolean;
  prior: Float32Array;
  easeCovered: Int32Array;
}

/**
 * One batch of tuning users: their component score rows (batch × nMovies, row-major; `easeRows` empty without
 * EASE), their train movies and relevant held-out movies as offset lists, their relevant counts, and `gains`,
 * where user b's row of [precision, NDCG] per grid point is written (batch × points × 2).
 */
export interface BlendGridBatch {
  implicitRows: Float32Array;
  ratingRows: Float32Array;
  easeRows: Float32Array;
  seenOffsets: Int32Array;
  seenMovies: Int32Array;
  relevantOffsets: Int32Array;
  relevantMovies: Int32Array;
  relevantCount: Int32Array;
  gains: Float64Array;
}

export function blendGridPoints(spec: BlendGridSpec): number {
  return spec.ratingWeights.length * spec.easeWeights.length * spec.popularityWeights.length;
}

/**
 * Inserts `value` into `top` (its `len` values best first, at most k kept; NaN is the caller's to skip) and, with
 * `index`, `movie` at the same place there; returns the new length.
 */
function insertTop(top: Float64Array, len: number, k: number, value: number, index?: Int32Array, movie = -1): number {
  let j = len < k ? len++ : k - 1;
  while (j > 0 && top[j - 1] < value) {
    top[j] = top[j - 1];
    if (index) index[j] = index[j - 1];
    j--;
  }
  top[j] = value;
  if (index) index[j] = movie;
  return len;
}

/**
 * The upper envelope of the lines slope[q]·x + intercept[q] (max over q; equal slopes: the greater intercept):
 * `envelope.at(x)` is that max in O(log q). Every intercept must be finite.
 */
class UpperEnvelope {
  private readonly slopes: Float64Array;
  private readonly intercepts: Float64Array;
  /** From breaks[j] on, line j + 1 of the hull is the max. */
  private readonly breaks: Float64Array;
  private size = 0;

  constructor(lines: number) {
    this.slopes = new Float64Array(lines);
    this.intercepts = new Float64Array(lines);
    this.breaks = new Float64Array(lines);
  }

  /** Builds the hull of lines already sorted by ascending slope. */
  build(slopes: ArrayLike<number>, intercepts: ArrayLike<number>): void {
    let h = 0;
    for (let q = 0; q < slopes.length; q++) {
      const m = slopes[q];
      const c = intercepts[q];
      if (h > 0 && this.slopes[h - 1] === m) {
        if (this.intercepts[h - 1] >= c) continue;
        h--;
      }
      // Drop the last hull line while the new one overtakes it before the line below it does.
      while (h >= 2) {
        const x1 = (this.intercepts[h - 2] - this.intercepts[h - 1]) / (this.slopes[h - 1] - this.slopes[h - 2]);
        const x2 = (this.intercepts[h - 2] - c) / (m - this.slopes[h - 2]);
        if (x2 <= x1) h--;
        else break;
      }
      this.slopes[h] = m;
      this.intercepts[h] = c;
      if (h > 0) this.breaks[h - 1] = (this.intercepts[h - 1] - c) / (m - this.slopes[h - 1]);
      h++;
    }
    this.size = h;
  }

  at(x: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < this.breaks[mid]) hi = mid;
      else lo = mid + 1;
    }
    return this.slopes[lo] * x + this.intercepts[lo];
  }
}

/** The k-th largest value of two lists sorted best first (-Infinity: fewer than k values in all). */
function kthOfBoth(a: Float64Array, na: number, b: Float64Array, nb: number, k: number): number {
  if (na + nb < k) return -Infinity;
  let i = 0;
  let j = 0;
  let value = -Infinity;
  for (let n = 0; n < k; n++) value = j >= nb || (i < na && a[i] >= b[j]) ? a[i++] : b[j++];
  return value;
}

/**
 * Scores the grid for users of a batch (`blendGridUser`) with scratch buffers of one thread: the main
 * thread's scorer and each worker's (blend-grid-worker.js) are built the same way, so the figures do not
 * depend on which thread scored a user.
 *
 * Exact pruning: with prior >= 0 and 0 <= w_popularity <= maxPopularity, a movie in some point's top K scores
 * at maxPopularity at least the K-th best score of the w_popularity = 0 row (the bound), so only the movies that
 * reach it are ranked for the popularity weights. Every lower bound of the bound prunes the same way, in three
 * steps: per user, each movie's least and greatest score over the grid are lines in the rating weight (with
 * room for the float32 rounding), and the K-th best least line of a few seed movies bounds every point of a
 * rating weight, so the movies whose greatest line never reaches it are left out (an upper envelope makes that
 * one test per movie); per rating weight, the K-th best of the uncovered movies' scores and the covered movies'
 * least scores over the EASE weights bounds every EASE weight; per EASE weight, the bound itself. Movies below
 * a bound are below K others, so the bound is the same with or without them, and the candidates are the movies,
 * in the same (ascending) order, that ranking the whole row for every point would keep: every figure is the
 * exhaustive search's.
 */
export function blendGridScorer(spec: BlendGridSpec): (batch: BlendGridBatch, b: number) => void {
  const { k, nMovies, ratingWeights, easeWeights, popularityWeights, hasEase, prior } = spec;
  const nPoints = blendGridPoints(spec);
  const covered = Int32Array.from(spec.easeCovered).sort();
  const isCovered = new Uint8Array(nMovies);
  for (const i of covered) isCovered[i] = 1;
  const maxPopularity = Math.max(...popularityWeights);
  const [minEase, maxEase] = hasEase ? [Math.min(...easeWeights), Math.max(...easeWeights)] : [0, 0];
  // The row's scores at the current weights: without EASE for every movie, EASE added to the covered ones.
  const row = new Float32Array(nMovies);
  const mask = new Uint8Array(nMovies);
  const isRelevant = new Uint8Array(nMovies);
  const candidates = new Int32Array(nMovies);
  const candidateScores = new Float32Array(nMovies);
  const noneExcluded = new Uint8Array(nMovies);
  // Each movie's score at maxPopularity without EASE (NaN: seen).
  const baseUpper = new Float32Array(nMovies);
  // The uncovered movies that reach the uncovered bound (ascending).
  const reachable = new Int32Array(nMovies);
  // The covered movies that may reach it for some EASE weight (ascending), their scores without EASE and at maxPopularity.
  const live = new Int32Array(covered.length);
  const liveBase = new Float32Array(covered.length);
  const liveUpper = new Float32Array(covered.length);
  // Each covered movie's least score over the EASE weights at w_popularity 0 and greatest at maxPopularity (NaN: seen).
  const coveredLeast = new Float64Array(covered.length);
  const coveredMost = new Float64Array(covered.length);
  const topLeast = new Float64Array(k);
  // Per user, each movie's score bounds as lines in the rating weight r: at most high + r·rating at any point,
  // at least low + r·rating at w_popularity 0 whatever the EASE weight (NaN: seen), with room for the rounding.
  const high = new Float64Array(nMovies);
  const low = new Float64Array(nMovies);
  const minRating = Math.min(...ratingWeights);
  const maxRating = Math.max(...ratingWeights);
  const ratingScale = Math.max(Math.abs(minRating), Math.abs(maxRating));
  // The K best movies by the low line at the least and the greatest rating weight (the seeds), and per rating
  // weight the K-th best low line of the seeds: at most the K-th best score of every point with that weight.
  const seedLow = new Float64Array(k);
  const seedLowIndex = new Int32Array(k);
  const seedHigh = new Float64Array(k);
  const seedHighIndex = new Int32Array(k);
  const isSeed = new Uint8Array(nMovies);
  const seeds = new Int32Array(2 * k);
  const seedTop = new Float64Array(k);
  const floorOf = new Float64Array(ratingWeights.length);
  // The rating weights ascending, and max over them of r·x - floorOf(r) (a line each).
  const ratingOrder = ratingWeights.map((_, q) => q).sort((x, y) => ratingWeights[x] - ratingWeights[y]);
  const orderedSlopes = Float64Array.from(ratingOrder, (q) => ratingWeights[q]);
  const orderedIntercepts = new Float64Array(ratingWeights.length);
  const envelope = new UpperEnvelope(ratingWeights.length);
  // The movies whose high line reaches the seeds' bound at some rating weight (ascending): no other movie is in any top K.
  const survivors = new Int32Array(nMovies);
  const survivorsCovered = new Int32Array(covered.length);
  const topUncovered = new Float64Array(k);
  const topCovered = new Float64Array(k);
  const topIndex = new Int32Array(k);
  const topScore = new Float64Array(k);
  const discount = Float64Array.from({ length: k }, (_, j) => 1 / Math.log2(j + 2));
  return (batch, b) => {
    const { implicitRows, ratingRows, easeRows, gains } = batch;
    const seen = batch.seenMovies.subarray(batch.seenOffsets[b], batch.seenOffsets[b + 1]);
    for (const i of seen) mask[i] = 1;
    const rel = batch.relevantMovies.subarray(batch.relevantOffsets[b], batch.relevantOffsets[b + 1]);
    for (const i of rel) isRelevant[i] = 1;
    const nRel = batch.relevantCount[b];
    let idcg = 0;
    for (let j = 0; j < Math.min(k, nRel); j++) idcg += discount[j];
    const o = b * nMovies;
    const out = b * nPoints * 2;
    let pair = 0;
    // The lines and the seeds.
    let nSeedLow = 0;
    let nSeedHigh = 0;
    for (let i = 0; i < nMovies; i++) {
      if (mask[i]) {
        high[i] = low[i] = Number.NaN;
        continue;
      }
      const implicit = implicitRows[o + i];
      const rated = ratingRows[o + i];
      let easeLow = 0;
      let easeHigh = 0;
      if (hasEase && isCovered[i]) {
        easeLow = Math.min(minEase * easeRows[o + i], maxEase * easeRows[o + i]);
        easeHigh = Math.max(minEase * easeRows[o + i], maxEase * easeRows[o + i]);
      }
      const popular = maxPopularity * prior[i];
      const room = 1e-5 * (1 + Math.abs(implicit) + ratingScale * Math.abs(rated) + Math.abs(easeLow) + Math.abs(easeHigh) + popular);
      high[i] = implicit + easeHigh + popular + room;
      const lowLine = (low[i] = implicit + easeLow - room);
      const atMin = lowLine + minRating * rated;
      if (atMin === atMin && (nSeedLow < k || atMin > seedLow[k - 1])) nSeedLow = insertTop(seedLow, nSeedLow, k, atMin, seedLowIndex, i);
      const atMax = lowLine + maxRating * rated;
      if (atMax === atMax && (nSeedHigh < k || atMax > seedHigh[k - 1])) nSeedHigh = insertTop(seedHigh, nSeedHigh, k, atMax, seedHighIndex, i);
    }
    // Each seed once (a movie may be in both lists).
    let nSeeds = 0;
    for (let j = 0; j < nSeedLow + nSeedHigh; j++) {
      const i = j < nSeedLow ? seedLowIndex[j] : seedHighIndex[j - nSeedLow];
      if (isSeed[i]) continue;
      isSeed[i] = 1;
      seeds[nSeeds++] = i;
    }
    for (let j = 0; j < nSeeds; j++) isSeed[seeds[j]] = 0;
    ratingWeights.forEach((rating, q) => {
      let n = 0;
      for (let j = 0; j < nSeeds; j++) {
        const value = low[seeds[j]] + rating * ratingRows[o + seeds[j]];
        if (n < k || value > seedTop[k - 1]) n = insertTop(seedTop, n, k, value);
      }
      floorOf[q] = n === k ? seedTop[k - 1] : -Infinity;
    });
    // A movie survives when its high line reaches the floor at some rating weight (every movie when a floor is -Infinity).
    ratingOrder.forEach((q, j) => (orderedIntercepts[j] = -floorOf[q]));
    const bounded = floorOf.every((f) => f > -Infinity);
    if (bounded) envelope.build(orderedSlopes, orderedIntercepts);
    let nSurvivors = 0;
    let nSurvivorsCovered = 0;
    for (let i = 0; i < nMovies; i++) {
      const margin = bounded ? high[i] + envelope.at(ratingRows[o + i]) : high[i] === high[i] ? 0 : Number.NaN;
      if (!(margin >= 0)) continue;
      if (isCovered[i]) survivorsCovered[nSurvivorsCovered++] = i;
      else survivors[nSurvivors++] = i;
    }
    for (const rating of ratingWeights) {
      // The row without EASE, its scores at maxPopularity, and the K best of the uncovered movies.
      let nTopUncovered = 0;
      let floor = -Infinity;
      for (let j = 0; j < nSurvivors; j++) {
        const i = survivors[j];
        const score = Math.fround(implicitRows[o + i] + rating * ratingRows[o + i]);
        row[i] = score;
        baseUpper[i] = score + maxPopularity * prior[i];
        if (score > floor) {
          nTopUncovered = insertTop(topUncovered, nTopUncovered, k, score);
          if (nTopUncovered === k) floor = topUncovered[k - 1];
        }
      }
      // Each covered movie's least and greatest score over the EASE weights (with room for the float32
      // rounding): the K-th best of the uncovered scores and the covered least ones is at most every EASE
      // weight's bound, and a movie whose greatest score at maxPopularity stays below it is in no top K.
      let nTopLeast = 0;
      for (let c = 0; c < nSurvivorsCovered; c++) {
        const i = survivorsCovered[c];
        const base = (row[i] = Math.fround(implicitRows[o + i] + rating * ratingRows[o + i]));
        baseUpper[i] = base + maxPopularity * prior[i];
        const easeLow = hasEase ? Math.min(minEase * easeRows[o + i], maxEase * easeRows[o + i]) : 0;
        const easeHigh = hasEase ? Math.max(minEase * easeRows[o + i], maxEase * easeRows[o + i]) : 0;
        const popular = maxPopularity * prior[i];
        const room = 1e-5 * (1 + Math.abs(base) + Math.abs(easeLow) + Math.abs(easeHigh) + popular);
        const least = mask[i] ? Number.NaN : base + easeLow - room;
        coveredLeast[c] = least;
        coveredMost[c] = mask[i] ? Number.NaN : base + easeHigh + popular + room;
        if (least === least && (nTopLeast < k || least > topLeast[k - 1])) nTopLeast = insertTop(topLeast, nTopLeast, k, least);
      }
      const reach = kthOfBoth(topUncovered, nTopUncovered, topLeast, nTopLeast, k);
      let nReachable = 0;
      for (let j = 0; j < nSurvivors; j++) if (baseUpper[survivors[j]] >= reach) reachable[nReachable++] = survivors[j];
      let nLive = 0;
      for (let c = 0; c < nSurvivorsCovered; c++)
        if (coveredMost[c] >= reach) {
          live[nLive] = survivorsCovered[c];
          liveBase[nLive++] = row[survivorsCovered[c]];
        }
      for (const we of easeWeights) {
        const withEase = hasEase && we !== 0;
        let nTopCovered = 0;
        for (let c = 0; c < nLive; c++) {
          const i = live[c];
          const score = withEase ? Math.fround(liveBase[c] + we * easeRows[o + i]) : liveBase[c];
          row[i] = score;
          liveUpper[c] = withEase ? score + maxPopularity * prior[i] : baseUpper[i];
          if (score === score && (nTopCovered < k || score > topCovered[k - 1])) nTopCovered = insertTop(topCovered, nTopCovered, k, score);
        }
        const bound = kthOfBoth(topUncovered, nTopUncovered, topCovered, nTopCovered, k);
        // The candidates in ascending movie order: the reachable uncovered movies and the live covered ones at the bound.
        let n = 0;
        let u = 0;
        for (let c = 0; c < nLive; c++) {
          if (!(liveUpper[c] >= bound)) continue;
          const i = live[c];
          for (; u < nReachable && reachable[u] < i; u++) if (baseUpper[reachable[u]] >= bound) candidates[n++] = reachable[u];
          candidates[n++] = i;
        }
        for (; u < nReachable; u++) if (baseUpper[reachable[u]] >= bound) candidates[n++] = reachable[u];
        for (let pi = 0; pi < popularityWeights.length; pi++) {
          const popularity = popularityWeights[pi];
          for (let c = 0; c < n; c++) {
            const i = candidates[c];
            candidateScores[c] = row[i] + popularity * prior[i];
          }
          const count = topNInto(candidateScores.subarray(0, n), k, noneExcluded, topIndex, topScore);
          let hits = 0;
          let dcg = 0;
          for (let rank = 0; rank < count; rank++)
            if (isRelevant[candidates[topIndex[rank]]]) {
              hits++;
              dcg += discount[rank];
            }
          const at = out + (pair * popularityWeights.length + pi) * 2;
          gains[at] = hits / k;
          gains[at + 1] = dcg / idcg;
        }
        pair++;
      }
    }
    for (const i of seen) mask[i] = 0;
    for (const i of rel) isRelevant[i] = 0;
  };
}
