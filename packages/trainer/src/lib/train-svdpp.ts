import { epochLine } from './early-stopping.js';
import type { TrainingConfig } from '@reelrank/config';
import { deriveSeed } from '@reelrank/random';
import type { RatingsColumns } from './ratings.js';
import { ParallelSvdpp, type SvdppSnapshot } from './svdpp-parallel.js';
import type { MfModel } from '@reelrank/model';
import { runFit, type ModelFit, type PassRecord } from './model-fit.js';
import { startTraining, type MfHyperParameters, type RatingPassStats, type TrainMfOptions, type TrainMfResult } from './train-mf.js';

/**
 * Biased MF with an SVD++-style implicit user term (Koren 2008), trained by SGD and served as a
 * plain MfModel. The model is
 *   r̂(u, i) = μ + b_u + b_i + (p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j) · q_i
 * where N(u) is the set of movies u rated in the training data. N(u) is fixed once training ends,
 * so the bracket is one effective user vector: the saved model stores it as the user factors and
 * the served formula stays μ + b_u + b_i + p_u·q_i (`predictRating`, fold-in, every scorer).
 * The y_j let users with few ratings borrow structure from what they chose to rate.
 *
 * Training runs on the SVD++ kernel of svdpp-parallel.ts (WebAssembly SIMD on worker threads; the
 * per-user visit of the former single-thread trainer, reproducible with one thread, Hogwild with more).
 */
export interface SvdppHyperParameters {
  /** Learning rate and L2 weight of the implicit item vectors y_j. */
  implicitLearningRate: number;
  implicitRegularization: number;
}

/** Chosen on the validation part carved from train of the fixed split (never on test). */
export const DEFAULT_SVDPP: SvdppHyperParameters = { implicitLearningRate: 0.001, implicitRegularization: 0.5 };

type SvdppFitHyperParameters = MfHyperParameters & SvdppHyperParameters & Partial<Pick<TrainingConfig, 'svdppThreads'>>;

/**
 * Same contract as `trainMf` (early stopping on `validation`, or a fixed `options.epochs` refit),
 * returning the folded MfModel. Biases start from the ALS baseline, p and q from N(0, initStd²), y at 0.
 */
export function trainSvdpp(
  train: RatingsColumns,
  validation: RatingsColumns | null,
  hyper: SvdppFitHyperParameters,
  options: TrainMfOptions = {},
): TrainMfResult {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const { indexing, data, model, baseline, valData } = startTraining(train, validation, hyper, options);
  // One thread by default (config svdppThreads): reproducible, and measured as fast as two on ml-latest-small (docs/measured.md, "Training speed").
  const threads = Math.max(1, Math.floor(options.threads ?? hyper.svdppThreads ?? 1));
  const setupStart = performance.now();
  const pool = new ParallelSvdpp(model, data, { threads, seed: deriveSeed(hyper.seed, 'order'), kernel: options.kernel, validation: valData });
  log(
    `[train] svd++: ${pool.threads === 1 ? 'the main thread' : `${pool.threads} worker threads`}, ${pool.kernel} kernel${pool.threads > 1 ? ' (Hogwild: movie-side updates not reproducible, threads 1 is)' : ''}, k=${hyper.factors}, ${data.ratings.length} ratings, setup ${((performance.now() - setupStart) / 1000).toFixed(2)} s`,
  );
  const fit = new SvdppFit(pool, data.ratings.length, valData !== null, hyper, options.epochs ?? hyper.maxEpochs);
  const outcome = runFit(fit, { patience: hyper.patience, log, started });
  return {
    ...outcome,
    indexing,
    baseline,
    kernel: pool.threads > 1 ? `parallel-${pool.kernel}` : `single-thread-${pool.kernel}`,
    threads: pool.threads,
  };
}

/** SVD++ as a ModelFit: an epoch of the SVD++ kernel per pass; snapshots in the kernel's layout, exported folded. */
class SvdppFit implements ModelFit<SvdppSnapshot, MfModel, RatingPassStats> {
  private learningRate: number;
  private implicitLearningRate: number;

  constructor(
    private readonly pool: ParallelSvdpp,
    private readonly ratings: number,
    readonly validated: boolean,
    private readonly hyper: SvdppFitHyperParameters,
    readonly passes: number,
  ) {
    this.learningRate = hyper.learningRate;
    this.implicitLearningRate = hyper.implicitLearningRate;
  }

  pass(epoch: number): RatingPassStats {
    const { hyper, learningRate } = this;
    const sse = this.pool.epoch({
      learningRate,
      regularization: hyper.regularization,
      biasRegularization: hyper.biasRegularization,
      implicitLearningRate: this.implicitLearningRate,
      implicitRegularization: hyper.implicitRegularization,
    });
    const trainRmse = Math.sqrt(sse / this.ratings);
    if (!Number.isFinite(trainRmse)) throw new Error(`SVD++ SGD diverged at epoch ${epoch} (learning rate ${learningRate} too high?)`);
    this.learningRate *= hyper.learningRateDecay;
    this.implicitLearningRate *= hyper.learningRateDecay;
    return { learningRate, trainRmse };
  }

  validationScore(): number | null {
    return this.validated ? this.pool.validationRmse() : null;
  }

  snapshot(): SvdppSnapshot {
    return this.pool.snapshot();
  }

  exportModel(best: SvdppSnapshot | null): MfModel {
    return this.pool.foldedModel(best ?? undefined);
  }

  progress(record: RatingPassStats & PassRecord, meanSeconds: number): string {
    const { epoch, learningRate, trainRmse, validationRmse, seconds } = record;
    return `${epochLine('svd++ ', epoch, this.passes, learningRate, trainRmse, validationRmse, seconds)}${eta(this.ratings, seconds, meanSeconds, this.passes - epoch, this.validated)}`;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Rate and ETA of the epoch loop (with early stopping the remaining epochs are an upper bound). */
function eta(ratings: number, seconds: number, meanSeconds: number, epochsLeft: number, earlyStopping: boolean): string {
  const rate = seconds > 0 ? ratings / seconds / 1e6 : Infinity;
  const left = epochsLeft * meanSeconds;
  return `, ${rate.toFixed(2)}M ratings/s, ETA ${earlyStopping ? '<= ' : ''}${left.toFixed(1)} s`;
}
