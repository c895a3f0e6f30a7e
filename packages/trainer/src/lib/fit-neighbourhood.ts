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

/** The same ratings grouped by movie, each with its baseline residual r − b_ui. */
function residualsByMovie(
  byUser: RatingsByUser,
  model: MfModel,
): { offsets: Int32Array; users: Int32Array; residuals: Float32Array; userResiduals: Float32Array } {
  const baseline = model.fallback;
  if (!baseline) throw new Error('the neighbourhood predictor needs the rating model baseline (fallback biases)');
  const nUsers = byUser.offsets.length - 1;
  const nMovies = model.movieIds.length;
  const n = byUser.items.length;
  const userResiduals = new Float32Array(n);
  const offsets = new Int32Array(nMovies + 1);
  for (let u = 0; u < nUsers; u++)
    for (let r = byUser.offsets[u]; r < byUser.offsets[u + 1]; r++) {
      const i = byUser.items[r];
      userResiduals[r] = byUser.ratings[r] - baseline.globalMean - baseline.userBias[u] - baseline.movieBias[i];
      offsets[i + 1]++;
    }
  for (let i = 0; i < nMovies; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, nMovies);
  const users = new Int32Array(n);
  const residuals = new Float32Array(n);
  for (let u = 0; u < nUsers; u++)
    for (let r = byUser.offsets[u]; r < byUser.offsets[u + 1]; r++) {
      const at = fill[byUser.items[r]]++;
      users[at] = u;
      residuals[at] = userResiduals[r];
    }
  return { offsets, users, residuals, userResiduals };
}

/**
 * The neighbour lists of every movie: shrunk Pearson correlations of the baseline residuals over the
 * users who rated both, the `candidates` largest positive ones per movie (ascending movie index).
 * One pass per movie over its raters' rows: Σ_u |R(u)|² multiply-adds in all.
 */
export function fitNeighbourLists(
  byUser: RatingsByUser,
  model: MfModel,
  settings: NeighbourhoodSettings,
): Pick<NeighbourhoodModel, 'offsets' | 'neighbours' | 'similarities'> {
  const nMovies = model.movieIds.length;
  const byMovie = residualsByMovie(byUser, model);
  const sxy = new Float64Array(nMovies);
  const sxx = new Float64Array(nMovies);
  const syy = new Float64Array(nMovies);
  const common = new Int32Array(nMovies);
  const touched = new Int32Array(nMovies);
  const keep = Math.max(1, settings.candidates);
  const heapSims = new Float64Array(keep);
  const heapIdx = new Int32Array(keep);
  const offsets = new Int32Array(nMovies + 1);
  const lists: Int32Array[] = [];
  const listSims: Float32Array[] = [];
  const minCommon = Math.max(2, settings.minCommon);
  for (let i = 0; i < nMovies; i++) {
    let nTouched = 0;
    for (let a = byMovie.offsets[i]; a < byMovie.offsets[i + 1]; a++) {
      const u = byMovie.users[a];
      const x = byMovie.residuals[a];
      const xx = x * x;
      for (let r = byUser.offsets[u]; r < byUser.offsets[u + 1]; r++) {
        const j = byUser.items[r];
        const y = byMovie.userResiduals[r];
        if (common[j] === 0) touched[nTouched++] = j;
        common[j]++;
        sxy[j] += x * y;
        sxx[j] += xx;
        syy[j] += y * y;
      }
    }
    // The `keep` largest positive similarities: a min-heap on similarity.
    let size = 0;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t];
      const n = common[j];
      const den = Math.sqrt(sxx[j] * syy[j]);
      const sim = j !== i && n >= minCommon && den > 0 ? ((sxy[j] / den) * (n - 1)) / (n - 1 + settings.shrinkage) : 0;
      common[j] = 0;
      sxy[j] = sxx[j] = syy[j] = 0;
      if (!(sim > 0)) continue;
      if (size < keep) {
        let p = size++;
        while (p > 0) {
          const parent = (p - 1) >> 1;
          if (heapSims[parent] <= sim) break;
          heapSims[p] = heapSims[parent];
          heapIdx[p] = heapIdx[parent];
          p = parent;
        }
        heapSims[p] = sim;
        heapIdx[p] = j;
      } else if (sim > heapSims[0]) {
        let p = 0;
        for (;;) {
          const l = 2 * p + 1;
          if (l >= size) break;
          const c = l + 1 < size && heapSims[l + 1] < heapSims[l] ? l + 1 : l;
          if (heapSims[c] >= sim) break;
          heapSims[p] = heapSims[c];
          heapIdx[p] = heapIdx[c];
          p = c;
        }
        heapSims[p] = sim;
        heapIdx[p] = j;
      }
    }
    const order = Array.from({ length: size }, (_, p) => p).sort((a, b) => heapIdx[a] - heapIdx[b]);
    lists.push(Int32Array.from(order, (p) => heapIdx[p]));
    listSims.push(Float32Array.from(order, (p) => heapSims[p]));
    offsets[i + 1] = offsets[i] + size;
  }
  const neighbours = new Int32Array(offsets[nMovies]);
  const similarities = new Float32Array(offsets[nMovies]);
  for (let i = 0; i < nMovies; i++) {
    neighbours.set(lists[i], offsets[i]);
    similarities.set(listSims[i], offsets[i]);
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
