import {
  blendInputs,
  neighbourhoodTerm,
  neighbourScratch,
  predictRaw,
  type MfModel,
  type NeighbourhoodBlend,
  type NeighbourhoodModel,
} from '@reelrank/model';
import { buildIndexing, indexRatings, type Indexing } from './indexing.js';
import { ratingsByUser, type RatingsByUser } from './ratings-by-user.js';
import type { RatingsColumns } from './ratings.js';
import { blendedRatingMetrics, ratingMetrics } from './rating-metrics.js';

/** The neighbourhood predictor's settings (`training.neighbourhood` in the config). */
export interface NeighbourhoodSettings {
  /** Neighbours summed per prediction (the user's k rated movies most similar to the target). */
  k: number;
  /** Neighbours kept per movie (positive similarities, the largest first). */
  candidates: number;
  /** Shrinkage λ of s_ij = ρ_ij · (n_ij − 1) / (n_ij − 1 + λ), n_ij the users who rated both. */
  shrinkage: number;
  /** Pairs rated by fewer users are no neighbours. */
  minCommon: number;
}

/** The same ratings grouped by movie (each one's position in the user rows), every rating's baseline residual r − b_ui and the end of its user's row. */
function byMovieOf(
  byUser: RatingsByUser,
  model: MfModel,
): { offsets: Int32Array; positions: Int32Array; residuals: Float64Array; rowEnds: Int32Array } {
  const baseline = model.fallback;
  if (!baseline) throw new Error('the neighbourhood predictor needs the rating model baseline (fallback biases)');
  const nUsers = byUser.offsets.length - 1;
  const nMovies = model.movieIds.length;
  const n = byUser.items.length;
  const residuals = new Float64Array(n);
  const rowEnds = new Int32Array(n);
  const offsets = new Int32Array(nMovies + 1);
  for (let u = 0; u < nUsers; u++)
    for (let r = byUser.offsets[u]; r < byUser.offsets[u + 1]; r++) {
      const i = byUser.items[r];
      rowEnds[r] = byUser.offsets[u + 1];
      residuals[r] = byUser.ratings[r] - baseline.globalMean - baseline.userBias[u] - baseline.movieBias[i];
      offsets[i + 1]++;
    }
  for (let i = 0; i < nMovies; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, nMovies);
  const positions = new Int32Array(n);
  for (let r = 0; r < n; r++) positions[fill[byUser.items[r]]++] = r;
  return { offsets, positions, residuals, rowEnds };
}

/** Per movie, the `keep` largest similarities offered so far: a min-heap each, in flat arrays. */
class NeighbourHeaps {
  readonly sims: Float64Array;
  readonly index: Int32Array;
  readonly size: Int32Array;

  constructor(
    nMovies: number,
    readonly keep: number,
  ) {
    this.sims = new Float64Array(nMovies * keep);
    this.index = new Int32Array(nMovies * keep);
    this.size = new Int32Array(nMovies);
  }

  offer(i: number, j: number, sim: number): void {
    const { sims, index, keep } = this;
    const base = i * keep;
    const size = this.size[i];
    if (size < keep) {
      let p = size;
      this.size[i] = size + 1;
      while (p > 0) {
        const parent = (p - 1) >> 1;
        if (sims[base + parent] <= sim) break;
        sims[base + p] = sims[base + parent];
        index[base + p] = index[base + parent];
        p = parent;
      }
      sims[base + p] = sim;
      index[base + p] = j;
      return;
    }
    if (sim <= sims[base]) return;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= size) break;
      const c = l + 1 < size && sims[base + l + 1] < sims[base + l] ? l + 1 : l;
      if (sims[base + c] >= sim) break;
      sims[base + p] = sims[base + c];
      index[base + p] = index[base + c];
      p = c;
    }
    sims[base + p] = sim;
    index[base + p] = j;
  }
}

/**
 * The neighbour lists of every movie: shrunk Pearson correlations of the baseline residuals over the
 * users who rated both, the `candidates` largest positive ones per movie (ascending movie index).
 * Each pair is accumulated once (j > i, from i's position in each rater's sorted row) and offered to
 * both movies' lists: Σ_u |R(u)|² / 2 multiply-adds in all.
 */
export function fitNeighbourLists(
  byUser: RatingsByUser,
  model: MfModel,
  settings: NeighbourhoodSettings,
): Pick<NeighbourhoodModel, 'offsets' | 'neighbours' | 'similarities'> {
  const nMovies = model.movieIds.length;
  const byMovie = byMovieOf(byUser, model);
  const { residuals } = byMovie;
  // Per partner movie j: Σxy, Σxx, Σyy and the common raters, side by side (one cache line per j).
  const acc = new Float64Array(nMovies * 4);
  const touched = new Int32Array(nMovies);
  const heaps = new NeighbourHeaps(nMovies, Math.max(1, settings.candidates));
  const minCommon = Math.max(2, settings.minCommon);
  const { shrinkage } = settings;
  for (let i = 0; i < nMovies; i++) {
    let nTouched = 0;
    for (let a = byMovie.offsets[i]; a < byMovie.offsets[i + 1]; a++) {
      const start = byMovie.positions[a];
      const x = residuals[start];
      const xx = x * x;
      const end = byMovie.rowEnds[start];
      for (let r = start + 1; r < end; r++) {
        const o = byUser.items[r] * 4;
        const y = residuals[r];
        if (acc[o + 3] === 0) touched[nTouched++] = o;
        acc[o] += x * y;
        acc[o + 1] += xx;
        acc[o + 2] += y * y;
        acc[o + 3] += 1;
      }
    }
    for (let t = 0; t < nTouched; t++) {
      const o = touched[t];
      const n = acc[o + 3];
      const den = Math.sqrt(acc[o + 1] * acc[o + 2]);
      const sim = n >= minCommon && den > 0 ? ((acc[o] / den) * (n - 1)) / (n - 1 + shrinkage) : 0;
      acc[o] = acc[o + 1] = acc[o + 2] = acc[o + 3] = 0;
      if (!(sim > 0)) continue;
      heaps.offer(i, o >> 2, sim);
      heaps.offer(o >> 2, i, sim);
    }
  }
  const offsets = new Int32Array(nMovies + 1);
  for (let i = 0; i < nMovies; i++) offsets[i + 1] = offsets[i] + heaps.size[i];
  const neighbours = new Int32Array(offsets[nMovies]);
  const similarities = new Float32Array(offsets[nMovies]);
  for (let i = 0; i < nMovies; i++) {
    const base = i * heaps.keep;
    const order = Array.from({ length: heaps.size[i] }, (_, p) => base + p).sort((a, b) => heaps.index[a] - heaps.index[b]);
    order.forEach((h, p) => {
      neighbours[offsets[i] + p] = heaps.index[h];
      similarities[offsets[i] + p] = heaps.sims[h];
    });
  }
  return { offsets, neighbours, similarities };
}

/** Symmetric positive definite solve of a small system (Gaussian elimination with partial pivoting). */
function solveSmall(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, r) => [...row, b[r]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    if (Math.abs(m[c][c]) < 1e-12) throw new Error('the neighbourhood blend is singular (no validation rating?)');
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let q = c; q <= n; q++) m[r][q] -= f * m[c][q];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let q = r + 1; q < n; q++) s -= m[r][q] * x[q];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * The blend weights minimising the squared error on `heldOut` ratings (never used to fit `model` or
 * the lists): least squares over [mf, knn, confident knn, 1] with a small ridge toward the rating
 * model alone (w_rating 1, the others 0). Rows of users or movies the model does not know are skipped.
 */
export function fitNeighbourhoodBlend(
  model: MfModel,
  lists: Pick<NeighbourhoodModel, 'offsets' | 'neighbours' | 'similarities'>,
  k: number,
  byUser: RatingsByUser,
  heldOut: RatingsColumns,
  indexing: Indexing,
): { blend: NeighbourhoodBlend; rows: number } {
  const baseline = model.fallback;
  if (!baseline) throw new Error('the neighbourhood predictor needs the rating model baseline (fallback biases)');
  const nb: NeighbourhoodModel = { ...lists, k, blend: { rating: 1, neighbourhood: 0, confident: 0, intercept: 0 } };
  const indexed = indexRatings(heldOut, indexing);
  const scratch = neighbourScratch(k);
  const ata = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  const atb = [0, 0, 0, 0];
  let rows = 0;
  const x = [0, 0, 0, 1];
  for (let r = 0; r < indexed.users.length; r++) {
    const u = indexed.users[r];
    const i = indexed.movies[r];
    if (u < 0 || i < 0) continue;
    const user = { items: byUser.items, ratings: byUser.ratings, from: byUser.offsets[u], to: byUser.offsets[u + 1] };
    const { term, support } = neighbourhoodTerm(nb, baseline, u, i, user, scratch);
    [x[0], x[1], x[2]] = blendInputs(predictRaw(model, u, i), term, support);
    for (let p = 0; p < 4; p++) {
      atb[p] += x[p] * indexed.ratings[r];
      for (let q = 0; q < 4; q++) ata[p][q] += x[p] * x[q];
    }
    rows++;
  }
  // A ridge of weight 1 per 1,000 rows toward (1, 0, 0, 0): a tiny validation part cannot swing the blend.
  const ridge = Math.max(1, rows / 1000);
  const prior = [1, 0, 0, 0];
  for (let p = 0; p < 4; p++) {
    ata[p][p] += ridge;
    atb[p] += ridge * prior[p];
  }
  const [rating, neighbourhood, confident, intercept] = solveSmall(ata, atb);
  return { blend: { rating, neighbourhood, confident, intercept }, rows };
}

/** The neighbour lists of `train` for `model` (fitted on the same ratings), with a given blend. */
export function fitNeighbourhood(
  train: RatingsColumns,
  model: MfModel,
  settings: NeighbourhoodSettings,
  blend: NeighbourhoodBlend,
): { model: NeighbourhoodModel; byUser: RatingsByUser; indexing: Indexing; seconds: number } {
  const started = performance.now();
  const indexing = buildIndexing(train);
  if (indexing.movies.ids.length !== model.movieIds.length || indexing.users.ids.length !== model.userIds.length)
    throw new Error('fitNeighbourhood: the rating model is indexed differently from the ratings');
  const byUser = ratingsByUser(train, indexing);
  const lists = fitNeighbourLists(byUser, model, settings);
  return { model: { ...lists, k: settings.k, blend }, byUser, indexing, seconds: (performance.now() - started) / 1000 };
}

/** The blend chosen on validation: lists fitted on the fit part with the selection model, weights on the validation part. */
export interface NeighbourhoodSelection {
  settings: NeighbourhoodSettings;
  blend: NeighbourhoodBlend;
  /** Validation rows the weights were fitted on, and the validation RMSE of the rating model alone and blended (in sample: 4 weights). */
  validationRows: number;
  validationRmse: { ratingModel: number; blended: number };
  /** The lists of the fit part (the evaluated model's when it is not refit). */
  fitted: ReturnType<typeof fitNeighbourhood>;
  seconds: number;
}

export function selectNeighbourhoodBlend(
  fitPart: RatingsColumns,
  validation: RatingsColumns,
  selectionModel: MfModel,
  settings: NeighbourhoodSettings,
): NeighbourhoodSelection {
  const started = performance.now();
  const fitted = fitNeighbourhood(fitPart, selectionModel, settings, { rating: 1, neighbourhood: 0, confident: 0, intercept: 0 });
  const { blend, rows } = fitNeighbourhoodBlend(selectionModel, fitted.model, settings.k, fitted.byUser, validation, fitted.indexing);
  fitted.model.blend = blend;
  const heldOut = indexRatings(validation, fitted.indexing);
  const ratingModel = ratingMetrics(selectionModel, heldOut).rmse;
  const blended = blendedRatingMetrics(selectionModel, fitted.model, fitted.byUser, heldOut).rmse;
  return { settings, blend, validationRows: rows, validationRmse: { ratingModel, blended }, fitted, seconds: (performance.now() - started) / 1000 };
}
