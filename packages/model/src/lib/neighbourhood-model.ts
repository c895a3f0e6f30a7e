import { RATING_MAX, RATING_MIN, type BiasModel, type MfModel } from './mf-model.js';
import { clipRating, predictRating, predictRaw } from './scoring.js';

/**
 * An item-item neighbourhood predictor on baseline residuals (Koren 2008, "Factorization meets the
 * neighborhood", section 2.2), blended with the rating model:
 *   knn(u, i) = Σ_{j ∈ N^k(i; u)} s_ij (r_uj − b_uj) / Σ_{j ∈ N^k(i; u)} s_ij
 *   r̂(u, i)  = clip(w_rating · mf(u, i) + w_neighbourhood · knn(u, i) + w_confident · c · knn(u, i) + intercept)
 * where b_uj = μ' + b'_u + b'_j is the model's baseline predictor (MfModel.fallback), s_ij a shrunk
 * Pearson correlation of baseline residuals (only positive ones are kept, at most `candidates` per
 * movie), N^k(i; u) the k movies u rated most similar to i, and c = Σ s_ij / (Σ s_ij + 1) how much
 * neighbourhood evidence backs the term. The trainer and the server both predict through `predictBlended`.
 */
export interface NeighbourhoodModel {
  /** Neighbours of movie index i: `neighbours[offsets[i] .. offsets[i + 1])`, ascending movie index. */
  offsets: Int32Array;
  neighbours: Int32Array;
  similarities: Float32Array;
  /** k: how many of the user's rated movies, the most similar to the target, enter the sum. */
  k: number;
  /** The blend with the rating model, fitted on validation ratings. */
  blend: NeighbourhoodBlend;
}

export interface NeighbourhoodBlend {
  rating: number;
  neighbourhood: number;
  confident: number;
  intercept: number;
}

/** A user's ratings in model-index space: `items[from .. to)`, ascending movie index, with `ratings` alongside. */
export interface UserRatings {
  items: Int32Array;
  ratings: Float32Array;
  from: number;
  to: number;
}

/** Reusable buffers of the top-k neighbour pick (one per caller; k entries each). */
export interface NeighbourScratch {
  sims: Float64Array;
  residuals: Float64Array;
}

export function neighbourScratch(k: number): NeighbourScratch {
  return { sims: new Float64Array(k), residuals: new Float64Array(k) };
}

/** Position of `j` in the sorted `list[from .. to)`, or -1. */
function find(list: Int32Array, from: number, to: number, j: number): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = list[mid];
    if (v === j) return mid;
    if (v < j) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The neighbourhood term of user index `u` for movie index `i`: the similarity-weighted mean residual
 * over the k most similar movies the user rated (`term`), and the similarity mass behind it (`support`);
 * both 0 when none of the user's movies is a neighbour of i.
 */
export function neighbourhoodTerm(
  nb: NeighbourhoodModel,
  baseline: BiasModel,
  u: number,
  i: number,
  user: UserRatings,
  scratch: NeighbourScratch = neighbourScratch(nb.k),
): { term: number; support: number } {
  // A movie added to the catalogue after training has no list.
  if (i + 1 >= nb.offsets.length) return { term: 0, support: 0 };
  const from = nb.offsets[i];
  const to = nb.offsets[i + 1];
  if (from === to) return { term: 0, support: 0 };
  const { sims, residuals } = scratch;
  const k = Math.min(nb.k, sims.length);
  const userBase = baseline.globalMean + baseline.userBias[u];
  let kept = 0;
  // Each neighbour of i looked up in the user's ratings (sorted by movie index): |list| log |R(u)| steps.
  for (let at = from; at < to; at++) {
    const j = nb.neighbours[at];
    const r = find(user.items, user.from, user.to, j);
    if (r < 0) continue;
    const s = nb.similarities[at];
    if (kept === k && s <= sims[k - 1]) continue;
    // Insertion into the k best so far, most similar first (ties: the lower movie index stays ahead).
    let p = kept < k ? kept++ : k - 1;
    while (p > 0 && sims[p - 1] < s) {
      sims[p] = sims[p - 1];
      residuals[p] = residuals[p - 1];
      p--;
    }
    sims[p] = s;
    residuals[p] = user.ratings[r] - userBase - baseline.movieBias[j];
  }
  let num = 0;
  let den = 0;
  for (let p = 0; p < kept; p++) {
    num += sims[p] * residuals[p];
    den += sims[p];
  }
  return den > 0 ? { term: num / den, support: den } : { term: 0, support: 0 };
}

/** The blend's regressors for one prediction: the rating model's raw score and the two neighbourhood terms. */
export function blendInputs(mf: number, term: number, support: number): [number, number, number] {
  return [mf, term, (term * support) / (support + 1)];
}

/**
 * The served rating of a user and movie the model both know: the rating model blended with the
 * neighbourhood term over the user's ratings `user`, clipped to the rating scale.
 */
export function predictBlended(model: MfModel, nb: NeighbourhoodModel, u: number, i: number, user: UserRatings, scratch?: NeighbourScratch): number {
  const mf = predictRaw(model, u, i);
  const baseline = model.fallback;
  if (!baseline) return clipRating(mf);
  const { term, support } = neighbourhoodTerm(nb, baseline, u, i, user, scratch);
  const [x0, x1, x2] = blendInputs(mf, term, support);
  const { rating, neighbourhood, confident, intercept } = nb.blend;
  const value = rating * x0 + neighbourhood * x1 + confident * x2 + intercept;
  return value < RATING_MIN ? RATING_MIN : value > RATING_MAX ? RATING_MAX : value;
}

/**
 * The served rating: the blend when the model knows user and movie and the user's ratings are given,
 * else `predictRating` (the rating model, or the baseline for an unknown user or movie).
 */
export function predictServedRating(
  model: MfModel,
  nb: NeighbourhoodModel | undefined,
  u: number,
  i: number,
  user: UserRatings | undefined,
  scratch?: NeighbourScratch,
): number {
  if (!nb || !user || u < 0 || i < 0) return predictRating(model, u, i);
  return predictBlended(model, nb, u, i, user, scratch);
}

/** Throws if the neighbour lists do not fit `model` (a corrupt or partial artifact). */
export function assertNeighbourhoodShape(model: MfModel, nb: NeighbourhoodModel): void {
  const nMovies = model.movieIds.length;
  const problems: string[] = [];
  if (nb.offsets.length !== nMovies + 1) problems.push(`offsets has ${nb.offsets.length}, expected ${nMovies + 1}`);
  if (nb.neighbours.length !== nb.similarities.length) problems.push('neighbours and similarities differ in length');
  if (nb.offsets[nb.offsets.length - 1] !== nb.neighbours.length) problems.push('offsets do not end at the neighbour count');
  if (!Number.isInteger(nb.k) || nb.k < 1) problems.push(`k=${nb.k}`);
  if (!model.fallback) problems.push('the rating model has no baseline predictor (fallback) for the residuals');
  for (let r = 0; r < nb.neighbours.length; r++)
    if (nb.neighbours[r] < 0 || nb.neighbours[r] >= nMovies) {
      problems.push('a neighbour index is out of range');
      break;
    }
  if (problems.length) throw new Error(`Invalid neighbourhood model: ${problems.join('; ')}`);
}
