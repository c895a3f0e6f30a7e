import type { TrainingConfig } from '@reelrank/config';
import type { BiasModel, MfModel } from '@reelrank/model';
import { epochLine } from './early-stopping.js';
import { buildIndexing, indexRatings, type IndexedRatings, type Indexing } from './indexing.js';
import { deriveSeed, seededRandom } from '@reelrank/random';
import type { RatingsColumns } from './ratings.js';
import { runFit, type ModelFit, type PassRecord } from './model-fit.js';
import { ratingMetrics } from './rating-metrics.js';
import { createEpochOrder, fitBaselineBiases, initModel, sgdEpoch } from './sgd-kernel.js';
import type { KernelKind } from './kernel-pool.js';
import { ParallelSgd } from './sgd-parallel.js';
import { stepThreads } from './train-threads.js';

export type MfHyperParameters = Pick<
  TrainingConfig,
  'seed' | 'factors' | 'maxEpochs' | 'learningRate' | 'learningRateDecay' | 'regularization' | 'biasRegularization' | 'initStd' | 'patience'
> &
  /** Parallel SGD settings (config `threads`, `parallelMinRatings`); options.threads / parallelMinRatings win. */
  Partial<Pick<TrainingConfig, 'threads' | 'parallelMinRatings'>>;

/** One epoch of a rating model's fit, as the report's selection history holds it. */
export type EpochStats = RatingPassStats & PassRecord;

export interface TrainMfOptions {
  log?: (line: string) => void;
  /** Run exactly this many epochs without early stopping (the refit of the chosen epoch count). */
  epochs?: number;
  /**
   * Worker threads of the parallel kernel (default: `hyper.threads` (config, REELRANK_TRAIN_THREADS), else the number of cores).
   * 1 = the single-thread `sgdEpoch` path (bit-for-bit reproducible for a seed).
   */
  threads?: number;
  /**
   * Below this many train ratings the single-thread path runs whatever `threads` says (starting workers
   * costs more than it saves). Default: `hyper.parallelMinRatings` (config, REELRANK_TRAIN_PARALLEL_MIN_RATINGS), else 200,000.
   */
  parallelMinRatings?: number;
  /** Kernel of the parallel path: 'wasm' (SIMD, default when it compiles) or 'js'. */
  kernel?: KernelKind;
}

export interface TrainMfResult {
  model: MfModel;
  indexing: Indexing;
  history: EpochStats[];
  /** 1-based epoch whose parameters were kept (the last one when there is no validation set). */
  bestEpoch: number;
  epochsRun: number;
  bestValidationRmse: number | null;
  seconds: number;
  /** Which SGD path ran: 'single-thread' (sgdEpoch), 'parallel-wasm' / 'parallel-js' with N threads; SVD++: 'single-thread-wasm' / '-js' or 'parallel-…'. */
  kernel?: string;
  /**
   * The regularised ALS baseline the biases started from (μ + b_u + b_i fitted on the same train set,
   * in the model's indices): exactly what `fitBaseline(train)` computes, kept so it is not fitted again.
   */
  baseline?: BiasModel;
  threads?: number;
  /** The train rows as the fit indexed them (by `indexing`), for an evaluation on the same ratings to reuse. */
  indexed?: IndexedRatings;
}

function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    return seconds;
  };
}

/** Sweeps and regularisation of the baseline bias warm start (Surprise BaselineOnly's defaults). */
export const BASELINE_SWEEPS = 10;
export const BASELINE_REG_ITEM = 10;
export const BASELINE_REG_USER = 15;

export function meanOf(values: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < values.length; j++) sum += values[j];
  return values.length ? sum / values.length : 0;
}

function copyModel(model: MfModel): MfModel {
  return {
    ...model,
    userBias: model.userBias.slice(),
    movieBias: model.movieBias.slice(),
    userFactors: model.userFactors.slice(),
    movieFactors: model.movieFactors.slice(),
  };
}

/**
 * The common start of trainMf and trainSvdpp: the indexing, the indexed train rows (and validation rows, unless
 * `options.epochs` asks for a refit), the seeded initial model with its ALS baseline biases fitted, and a copy of
 * those biases. `lap` (seconds since its previous call) times the indexing and the initialisation.
 */
export function startTraining(
  train: RatingsColumns,
  validation: RatingsColumns | null,
  hyper: Pick<MfHyperParameters, 'seed' | 'factors' | 'initStd'>,
  options: Pick<TrainMfOptions, 'epochs'>,
  lap: () => number = () => 0,
) {
  if (train.ratings.length === 0) throw new Error('Cannot train on an empty ratings set');
  const indexing = buildIndexing(train);
  const data = indexRatings(train, indexing);
  const indexSeconds = lap();
  const model = initModel(
    indexing.users.ids,
    indexing.movies.ids,
    hyper.factors,
    meanOf(train.ratings),
    hyper.initStd,
    seededRandom(deriveSeed(hyper.seed, 'init')),
  );
  fitBaselineBiases(model, data, BASELINE_SWEEPS, BASELINE_REG_ITEM, BASELINE_REG_USER);
  const baseline: BiasModel = { globalMean: model.globalMean, userBias: model.userBias.slice(), movieBias: model.movieBias.slice() };
  const initSeconds = lap();
  const valData = validation && validation.ratings.length && options.epochs === undefined ? indexRatings(validation, indexing) : null;
  return { indexing, data, model, baseline, valData, indexSeconds, initSeconds };
}

/** What a rating model's pass records besides the loop's figures. */
export interface RatingPassStats {
  learningRate: number;
  trainRmse: number;
}

/**
 * Trains biased MF by SGD on `train`. With a validation set, stops after `patience` epochs without
 * a better validation RMSE and returns the best epoch's parameters; `options.epochs` instead runs
 * a fixed count (refit). Biases start from the regularised ALS baseline, factors from N(0, initStd²).
 */
export function trainMf(
  train: RatingsColumns,
  validation: RatingsColumns | null,
  hyper: MfHyperParameters,
  options: TrainMfOptions = {},
): TrainMfResult {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const lap = stopwatch();
  const { indexing, data, model, baseline, valData, indexSeconds, initSeconds } = startTraining(train, validation, hyper, options, lap);
  const threads = stepThreads(data.ratings.length, {
    threads: options.threads ?? hyper.threads,
    parallelMinRatings: options.parallelMinRatings ?? hyper.parallelMinRatings,
  });
  const parallel =
    threads > 1
      ? new ParallelSgd(model, data, { threads, seed: deriveSeed(hyper.seed, 'blocks'), kernel: options.kernel, validation: valData })
      : null;
  log(
    `[train] prepared ${data.ratings.length} ratings: indexing ${indexSeconds.toFixed(2)} s, init + baseline biases ${initSeconds.toFixed(2)} s${parallel ? `, parallel kernel setup ${lap().toFixed(2)} s` : ''}`,
  );
  if (parallel)
    log(`[train] parallel SGD: ${parallel.threads} worker threads, ${parallel.kernel} kernel, ${parallel.blocks}x${parallel.blocks} grid`);
  const fit = new MfFit(model, data, valData, hyper, options.epochs ?? hyper.maxEpochs, parallel);
  const outcome = runFit(fit, { patience: hyper.patience, log, started });
  return {
    ...outcome,
    indexing,
    kernel: parallel ? `parallel-${parallel.kernel}` : 'single-thread',
    threads: parallel ? parallel.threads : 1,
    baseline,
    indexed: data,
  };
}

/** Biased MF as a ModelFit: an SGD epoch per pass, on the parallel kernel or the single-thread `sgdEpoch`. */
class MfFit implements ModelFit<MfModel, MfModel, RatingPassStats> {
  readonly validated: boolean;
  private readonly nextOrder: (() => Int32Array) | null;
  private learningRate: number;

  constructor(
    private readonly model: MfModel,
    private readonly data: IndexedRatings,
    private readonly valData: IndexedRatings | null,
    private readonly hyper: MfHyperParameters,
    readonly passes: number,
    private readonly parallel: ParallelSgd | null,
  ) {
    this.validated = valData !== null;
    this.nextOrder = parallel ? null : createEpochOrder(data.ratings.length, deriveSeed(hyper.seed, 'order'));
    this.learningRate = hyper.learningRate;
  }

  pass(epoch: number): RatingPassStats {
    const { hyper, learningRate } = this;
    const step = { learningRate, regularization: hyper.regularization, biasRegularization: hyper.biasRegularization };
    const sse = this.parallel ? this.parallel.epoch(step) : sgdEpoch(this.model, this.data, this.nextOrder!(), step);
    const trainRmse = Math.sqrt(sse / this.data.ratings.length);
    if (!Number.isFinite(trainRmse)) throw new Error(`SGD diverged at epoch ${epoch} (learning rate ${learningRate} too high?)`);
    this.learningRate *= hyper.learningRateDecay;
    return { learningRate, trainRmse };
  }

  validationScore(): number | null {
    if (!this.valData) return null;
    // The parallel kernel scores the validation rows in its workers (same clipping and bias fallback).
    return this.parallel ? this.parallel.validationRmse() : ratingMetrics(this.model, this.valData).rmse;
  }

  snapshot(final: boolean): MfModel {
    return final ? this.model : copyModel(this.model);
  }

  exportModel(best: MfModel | null): MfModel {
    return best ?? this.model;
  }

  progress(record: RatingPassStats & PassRecord): string {
    return epochLine('', record.epoch, this.passes, record.learningRate, record.trainRmse, record.validationRmse, record.seconds);
  }

  close(): Promise<void> | undefined {
    return this.parallel?.close();
  }
}
