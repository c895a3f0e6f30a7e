import { EarlyStopping, epochLine } from './early-stopping.js';
import type { TrainingConfig } from '@reelrank/config';
import { deriveSeed } from '@reelrank/random';
import type { RatingsColumns } from './ratings.js';
import { ParallelSvdpp, type SvdppSnapshot } from './svdpp-parallel.js';
import { loopOutcome, startTraining, type EpochStats, type MfHyperParameters, type TrainMfOptions, type TrainMfResult } from './train-mf.js';

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

/**
 * Same contract as `trainMf` (early stopping on `validation`, or a fixed `options.epochs` refit),
 * returning the folded MfModel. Biases start from the ALS baseline, p and q from N(0, initStd²), y at 0.
 */
export function trainSvdpp(
  train: RatingsColumns,
  validation: RatingsColumns | null,
  hyper: MfHyperParameters & SvdppHyperParameters & Partial<Pick<TrainingConfig, 'svdppThreads'>>,
  options: TrainMfOptions = {},
): TrainMfResult {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const { indexing, data, model, baseline, valData } = startTraining(train, validation, hyper, options);
  // One thread by default (config svdppThreads): reproducible, and measured as fast as two on ml-latest-small (README, "Training speed").
  const threads = Math.max(1, Math.floor(options.threads ?? hyper.svdppThreads ?? 1));
  const setupStart = performance.now();
  const pool = new ParallelSvdpp(model, data, { threads, seed: deriveSeed(hyper.seed, 'order'), kernel: options.kernel, validation: valData });
  log(
    `[train] svd++: ${pool.threads === 1 ? 'the main thread' : `${pool.threads} worker threads`}, ${pool.kernel} kernel${pool.threads > 1 ? ' (Hogwild: movie-side updates not reproducible, threads 1 is)' : ''}, k=${hyper.factors}, ${data.ratings.length} ratings, setup ${((performance.now() - setupStart) / 1000).toFixed(2)} s`,
  );
  try {
    const maxEpochs = options.epochs ?? hyper.maxEpochs;
    const history: EpochStats[] = [];
    const stopping = new EarlyStopping<SvdppSnapshot>(hyper.patience, log);
    let lr = hyper.learningRate;
    let lrY = hyper.implicitLearningRate;
    let epochSeconds = 0;
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const t0 = performance.now();
      const step = {
        learningRate: lr,
        regularization: hyper.regularization,
        biasRegularization: hyper.biasRegularization,
        implicitLearningRate: lrY,
        implicitRegularization: hyper.implicitRegularization,
      };
      const sse = pool.epoch(step);
      const trainRmse = Math.sqrt(sse / data.ratings.length);
      if (!Number.isFinite(trainRmse)) throw new Error(`SVD++ SGD diverged at epoch ${epoch} (learning rate ${lr} too high?)`);
      const validationRmse = valData ? pool.validationRmse() : null;
      const seconds = (performance.now() - t0) / 1000;
      epochSeconds += seconds;
      history.push({ epoch, learningRate: lr, trainRmse, validationRmse, seconds });
      log(
        `${epochLine('svd++ ', epoch, maxEpochs, lr, trainRmse, validationRmse, seconds)}${progress(data.ratings.length, seconds, epochSeconds / epoch, maxEpochs - epoch, valData !== null)}`,
      );
      lr *= hyper.learningRateDecay;
      lrY *= hyper.learningRateDecay;
      if (stopping.record(epoch, validationRmse, () => pool.snapshot())) break;
    }
    return {
      model: pool.foldedModel(valData && stopping.best ? stopping.best : undefined),
      indexing,
      ...loopOutcome(history, stopping, valData !== null, started),
      baseline,
      kernel: pool.threads > 1 ? `parallel-${pool.kernel}` : `single-thread-${pool.kernel}`,
      threads: pool.threads,
    };
  } finally {
    void pool.close();
  }
}

/** Rate and ETA of the epoch loop (with early stopping the remaining epochs are an upper bound). */
function progress(ratings: number, seconds: number, meanSeconds: number, epochsLeft: number, earlyStopping: boolean): string {
  const rate = seconds > 0 ? ratings / seconds / 1e6 : Infinity;
  const eta = epochsLeft * meanSeconds;
  return `, ${rate.toFixed(2)}M ratings/s, ETA ${earlyStopping ? '<= ' : ''}${eta.toFixed(1)} s`;
}
