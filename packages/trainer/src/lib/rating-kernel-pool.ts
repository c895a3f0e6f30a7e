import { predictRating, RATING_MAX, RATING_MIN, type MfModel } from '@reelrank/model';
import type { IndexedRatings } from './indexing.js';
import { KernelPool, type KernelPoolOptions } from './kernel-pool.js';
import type { SgdStep } from './sgd-kernel.js';
import { paddedStride } from './wasm-memory.js';

export interface RatingPoolOptions extends KernelPoolOptions {
  /** Held-out rows scored by `validationRmse()` inside the workers (same clipping as predictRating). */
  validation?: IndexedRatings | null;
}

export interface ValidationRows {
  users: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
}

/**
 * The base of the two rating-model pools (ParallelSgd, ParallelSvdpp): the model's sizes with factor rows padded to
 * `stride` floats, the validation rows split into those the kernel scores and the ones it cannot, and the shared
 * parameter block the kernels read: [μ, lr, λ, λ_bias, rating min, rating max, (SVD++) lr_y, λ_y].
 */
export abstract class RatingKernelPool extends KernelPool {
  protected readonly k: number;
  protected readonly stride: number;
  protected readonly nUsers: number;
  protected readonly nMovies: number;
  protected readonly params: Float64Array;
  /** The validation rows given, their indices with a known user and movie (scored by the kernel), and the rest. */
  protected readonly validation: IndexedRatings | null;
  protected readonly validationKnown: number[];
  protected readonly validationRows: number;
  private readonly validationFallback: ValidationRows;

  protected constructor(name: string, model: MfModel, options: RatingPoolOptions, kernelFile: string) {
    super(name, options, kernelFile);
    this.k = model.factors;
    this.stride = paddedStride(model.factors);
    this.nUsers = model.userIds.length;
    this.nMovies = model.movieIds.length;
    this.params = new Float64Array(new SharedArrayBuffer(8 * 8));
    this.params[4] = RATING_MIN;
    this.params[5] = RATING_MAX;
    const val = (this.validation = options.validation ?? null);
    const known: number[] = [];
    const fallback = { users: [] as number[], movies: [] as number[], ratings: [] as number[] };
    if (val)
      for (let r = 0; r < val.ratings.length; r++) {
        if (val.users[r] >= 0 && val.movies[r] >= 0) known.push(r);
        else {
          fallback.users.push(val.users[r]);
          fallback.movies.push(val.movies[r]);
          fallback.ratings.push(val.ratings[r]);
        }
      }
    this.validationKnown = known;
    this.validationRows = val ? val.ratings.length : 0;
    this.validationFallback = {
      users: Int32Array.from(fallback.users),
      movies: Int32Array.from(fallback.movies),
      ratings: Float32Array.from(fallback.ratings),
    };
  }

  /** Writes μ and the step's learning rate and regularisations into the parameter block. */
  protected writeStep(globalMean: number, step: SgdStep): void {
    this.params[0] = globalMean;
    this.params[1] = step.learningRate;
    this.params[2] = step.regularization;
    this.params[3] = step.biasRegularization;
  }

  /**
   * RMSE of the validation rows from the kernel's squared-error sum over the known rows plus the others as
   * `predictRating(biases, …)` predicts them (clipped; unknown user or movie through the biases).
   */
  protected validationRmseWith(knownSse: number, biases: MfModel): number {
    let sse = knownSse;
    const rows = this.validationFallback;
    for (let r = 0; r < rows.ratings.length; r++) {
      const e = rows.ratings[r] - predictRating(biases, rows.users[r], rows.movies[r]);
      sse += e * e;
    }
    return Math.sqrt(sse / this.validationRows);
  }

  /** Whether there are fallback rows (SVD++ reads its biases from the shared memory only then). */
  protected get hasFallbackRows(): boolean {
    return this.validationFallback.ratings.length > 0;
  }
}
