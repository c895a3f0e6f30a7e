import type { MfModel, NeighbourhoodBlend, NeighbourhoodModel } from '@reelrank/model';
import { buildIndexing, type Indexing } from './indexing.js';
import { ratingsByUser, type RatingsByUser } from './ratings-by-user.js';
import type { RatingsColumns } from './ratings.js';

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

/** The neighbour lists of `train` for `model` (fitted on the same ratings): the predictor without its blend weights. */
export function fitNeighbourhoodLists(
  train: RatingsColumns,
  model: MfModel,
  settings: NeighbourhoodSettings,
): { lists: Omit<NeighbourhoodModel, 'blend'>; byUser: RatingsByUser; indexing: Indexing; seconds: number } {
  const started = performance.now();
  const indexing = buildIndexing(train);
  if (indexing.movies.ids.length !== model.movieIds.length || indexing.users.ids.length !== model.userIds.length)
    throw new Error('fitNeighbourhood: the rating model is indexed differently from the ratings');
  const byUser = ratingsByUser(train, indexing);
  const lists = fitNeighbourLists(byUser, model, settings);
  return { lists: { ...lists, k: settings.k }, byUser, indexing, seconds: (performance.now() - started) / 1000 };
}

/** The neighbour lists of `train` for `model` (fitted on the same ratings), with a given blend. */
export function fitNeighbourhood(
  train: RatingsColumns,
  model: MfModel,
  settings: NeighbourhoodSettings,
  blend: NeighbourhoodBlend,
): { model: NeighbourhoodModel; byUser: RatingsByUser; indexing: Indexing; seconds: number } {
  const { lists, byUser, indexing, seconds } = fitNeighbourhoodLists(train, model, settings);
  return { model: { ...lists, blend }, byUser, indexing, seconds };
}
