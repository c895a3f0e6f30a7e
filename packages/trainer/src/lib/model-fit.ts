import { EarlyStopping } from './early-stopping.js';

/** What the loop records of every pass, next to the model's own figures (learning rate, training RMSE, ...). */
export interface PassRecord {
  /** 1-based pass (SGD epoch, ALS sweep). */
  epoch: number;
  validationRmse: number | null;
  seconds: number;
}

/**
 * A model being fitted on a training set: the one interface every model of the trainer implements (biased MF,
 * SVD++, implicit ALS, and EASE: a closed-form model is a fit of one pass). `runFit` drives it: passes over the
 * training set with a progress line each, the validation score after each pass, a snapshot at every improvement
 * (early stopping restores the best) and the export of the kept parameters to the served format.
 */
export interface ModelFit<Snapshot, Served, Stats extends object> {
  /** Passes to run at most (SGD epochs, ALS sweeps; 1 for a closed-form fit). */
  readonly passes: number;
  /** Whether `validationScore` scores a validation set (early stopping) or always returns null. */
  readonly validated: boolean;
  /** One pass over the training set (throws when it diverged); its figures for the history. */
  pass(epoch: number): Stats;
  /** RMSE (lower is better) of the current parameters on the validation set; null without one. */
  validationScore(): number | null;
  /** The current parameters, kept by early stopping; `final`: no pass follows (a copy is not needed). */
  snapshot(final: boolean): Snapshot;
  /** The served model of `best` (what early stopping kept), or of the current parameters when null. */
  exportModel(best: Snapshot | null): Served;
  /** The progress line of a finished pass (`meanSeconds`: the mean pass time so far). */
  progress(record: Stats & PassRecord, meanSeconds: number): string;
  /** Stops the fit's workers (the returned promise, if any, settles when they have exited). */
  close(): unknown;
}

export interface FitOutcome<Served, Stats extends object> {
  model: Served;
  history: Array<Stats & PassRecord>;
  /** 1-based pass whose parameters were kept (the last one without validation). */
  bestEpoch: number;
  epochsRun: number;
  bestValidationRmse: number | null;
  /** Since `started` (default: the call). */
  seconds: number;
}

export interface RunFitOptions {
  /** Passes without a better validation score before stopping (default: never stop early). */
  patience?: number;
  log?: (line: string) => void;
  /** performance.now() at the start of the fit's preparation, so `seconds` includes it. */
  started?: number;
}

/** The one fit loop: runs `fit` pass by pass with early stopping on its validation score, then exports and closes it. */
export function runFit<Snapshot, Served, Stats extends object>(
  fit: ModelFit<Snapshot, Served, Stats>,
  options: RunFitOptions = {},
): FitOutcome<Served, Stats> {
  const started = options.started ?? performance.now();
  const log = options.log ?? (() => undefined);
  try {
    const history: Array<Stats & PassRecord> = [];
    const stopping = new EarlyStopping<Snapshot>(options.patience ?? Infinity, log);
    let passSeconds = 0;
    for (let epoch = 1; epoch <= fit.passes; epoch++) {
      const t0 = performance.now();
      const stats = fit.pass(epoch);
      const validationRmse = fit.validationScore();
      const seconds = (performance.now() - t0) / 1000;
      passSeconds += seconds;
      const record = { epoch, ...stats, validationRmse, seconds };
      history.push(record);
      log(fit.progress(record, passSeconds / epoch));
      if (stopping.record(epoch, validationRmse, () => fit.snapshot(epoch === fit.passes))) break;
    }
    return {
      model: fit.exportModel(fit.validated ? stopping.best : null),
      history,
      bestEpoch: stopping.bestEpoch,
      epochsRun: history.length,
      bestValidationRmse: fit.validated ? stopping.bestRmse : null,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    void fit.close();
  }
}
