import {
  blendInputs,
  neighbourhoodTerm,
  neighbourScratch,
  predictRaw,
  type MfModel,
  type NeighbourhoodBlend,
  type NeighbourhoodModel,
} from '@reelrank/model';
import { fitNeighbourhood, type NeighbourhoodSettings } from './fit-neighbourhood.js';
import { indexRatings, type Indexing } from './indexing.js';
import type { RatingsByUser } from './ratings-by-user.js';
import type { RatingsColumns } from './ratings.js';
import { blendedRatingMetrics, ratingMetrics } from './rating-metrics.js';

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
