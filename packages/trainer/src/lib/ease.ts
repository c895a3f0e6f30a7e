import { easePositions, easeRatingWeight, type EaseInput, type EaseModel, type Tf } from '@reelrank/model';
import { mostRatedScores } from './baselines.js';
import type { UserItems } from './indexing.js';
import { runFit, type ModelFit, type PassRecord } from './model-fit.js';
import { invertSpdInPlace } from './spd-inverse.js';
import { invertSpdBlocked } from './spd-inverse-blocked.js';

/** EASE's settings: `training.ranker.ease` in the config. */
export interface EaseSettings {
  /** L2 weight λ added to the Gram diagonal. */
  lambda: number;
  /** B covers at most this many movies, the most-rated (K³ inverse, K² weights). */
  maxMovies: number;
  /** What a rating counts in X (easeRatingWeight); absent: every rating 1. */
  input?: EaseInput;
}

/** The `maxMovies` most-rated movies of `items` (ties: lower index), ascending; movies without ratings never. */
export function mostRatedMovies(items: UserItems, nMovies: number, maxMovies: number): Int32Array {
  const counts = mostRatedScores(items.movies.subarray(0, items.offsets[items.offsets.length - 1]), nMovies);
  const rated = Int32Array.from({ length: nMovies }, (_, i) => i).filter((i) => counts[i] > 0);
  const order = Array.from(rated).sort((a, b) => counts[b] - counts[a] || a - b);
  return Int32Array.from(order.slice(0, maxMovies)).sort();
}

/**
 * XᵀX over the movies of `positions` (model index -> position, −1: left out) of the matrix X of
 * `items`: k × k, float64. X is 0/1 without `input`, else easeRatingWeight of each rating. Each
 * user's positions are sorted so only the lower triangle is counted (half the increments, in
 * ascending addresses), then mirrored.
 */
export function cooccurrence(items: UserItems, positions: Int32Array, k: number, input?: EaseInput): Float64Array {
  const G = new Float64Array(k * k);
  const nUsers = items.offsets.length - 1;
  const row = new Int32Array(k);
  // A user's entry of X per position (read only for the positions of their movies).
  const x = new Float64Array(k);
  for (let u = 0; u < nUsers; u++) {
    let n = 0;
    for (let p = items.offsets[u]; p < items.offsets[u + 1]; p++) {
      const a = positions[items.movies[p]];
      if (a < 0) continue;
      if (input) {
        x[a] = easeRatingWeight(input, items.ratings[p]);
        if (x[a] === 0) continue;
      }
      row[n++] = a;
    }
    const sorted = row.subarray(0, n).sort();
    for (let i = 0; i < n; i++) {
      const ra = sorted[i] * k;
      if (!input) for (let j = 0; j <= i; j++) G[ra + sorted[j]] += 1;
      else {
        const xa = x[sorted[i]];
        for (let j = 0; j <= i; j++) G[ra + sorted[j]] += xa * x[sorted[j]];
      }
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) G[b * k + a] = G[a * k + b];
  return G;
}

export interface EaseFit {
  ease: EaseModel;
  /** Seconds of the whole fit, and of its two parts: the Gram XᵀX and the inverse (with B). */
  seconds: number;
  gramSeconds: number;
  inverseSeconds: number;
}

/** The Gram XᵀX of the `maxMovies` most-rated movies of `items`: what every λ of a search shares. */
export interface EaseGram {
  movies: Int32Array;
  gram: Float64Array;
  seconds: number;
  /** What a rating counted in X (absent: 1). */
  input?: EaseInput;
}

export function easeGram(items: UserItems, nMovies: number, maxMovies: number, input?: EaseInput): EaseGram {
  const started = performance.now();
  const movies = mostRatedMovies(items, nMovies, maxMovies);
  const gram = cooccurrence(items, easePositions({ movies }, nMovies), movies.length, input);
  return { movies, gram, seconds: (performance.now() - started) / 1000, ...(input ? { input } : {}) };
}

/**
 * B = I − P·diag(1/diag P), P = (G + λI)⁻¹ (G itself is left as it was). With `tf`, the inverse is
 * the blocked one on TF.js matMul (float32, ~10× faster); without, the typed-array Cholesky (float64).
 */
export function solveEase(gram: EaseGram, lambda: number, tf?: Tf): EaseModel {
  if (!(lambda > 0)) throw new Error(`EASE needs lambda > 0 (got ${lambda})`);
  const k = gram.movies.length;
  const regularized = Float64Array.from(gram.gram);
  for (let a = 0; a < k; a++) regularized[a * k + a] += lambda;
  const P = tf ? invertSpdBlocked(tf, regularized, k) : invertSpdInPlace(regularized, k);
  const weights = new Float32Array(k * k);
  for (let a = 0; a < k; a++) {
    const ra = a * k;
    for (let b = 0; b < k; b++) if (a !== b) weights[ra + b] = -P[ra + b] / P[b * k + b];
  }
  return { movies: gram.movies, weights, lambda, ...(gram.input ? { input: { ...gram.input } } : {}) };
}

/** What EASE's one pass records besides the loop's figures: its two parts. */
interface EaseStats {
  gramSeconds: number;
  inverseSeconds: number;
}

/** EASE as a ModelFit: closed form, so one pass (the Gram, then the inverse) and no validation set. */
class EaseClosedFormFit implements ModelFit<null, EaseModel, EaseStats> {
  readonly passes = 1;
  readonly validated = false;
  private model: EaseModel | null = null;

  constructor(
    private readonly items: UserItems,
    private readonly nMovies: number,
    private readonly settings: EaseSettings,
    private readonly tf?: Tf,
  ) {}

  pass(): EaseStats {
    const gram = easeGram(this.items, this.nMovies, this.settings.maxMovies, this.settings.input);
    const started = performance.now();
    this.model = solveEase(gram, this.settings.lambda, this.tf);
    return { gramSeconds: gram.seconds, inverseSeconds: (performance.now() - started) / 1000 };
  }

  validationScore(): null {
    return null;
  }

  snapshot(): null {
    return null;
  }

  exportModel(): EaseModel {
    if (!this.model) throw new Error('EASE exported before its pass');
    return this.model;
  }

  progress({ gramSeconds, inverseSeconds }: EaseStats & PassRecord): string {
    return `[ease] ${this.model?.movies.length ?? 0} movies, lambda ${this.settings.lambda}${easeInputLabel(this.settings.input)}: Gram ${gramSeconds.toFixed(2)} s, inverse ${inverseSeconds.toFixed(2)} s`;
  }

  close(): unknown {
    return undefined;
  }
}

/** ", ratings below L count w" for a weighted X, "" for the 0/1 one (log lines). */
export function easeInputLabel(input: EaseInput | undefined): string {
  return input ? `, ratings below ${input.likedRating} count ${input.otherWeight}` : '';
}

/**
 * Fits EASE on the who-rated-what matrix of `items` (each rating counts easeRatingWeight of `settings.input`, 1 without)
 * over the `maxMovies` most-rated movies: one pass of the fit loop (runFit); `tf`: see solveEase.
 */
export function fitEase(items: UserItems, nMovies: number, settings: EaseSettings, tf?: Tf): EaseFit {
  const outcome = runFit(new EaseClosedFormFit(items, nMovies, settings, tf));
  const { gramSeconds, inverseSeconds } = outcome.history[0];
  return { ease: outcome.model, seconds: outcome.seconds, gramSeconds, inverseSeconds };
}
