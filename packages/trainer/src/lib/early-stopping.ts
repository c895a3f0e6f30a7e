/**
 * Early stopping on validation RMSE, in the one fit loop (runFit, model-fit.ts): remembers the best epoch
 * and a snapshot of its model, and says when `patience` epochs passed without improvement.
 */
export class EarlyStopping<T> {
  bestEpoch = 0;
  bestRmse = Infinity;
  best: T | null = null;

  constructor(
    private readonly patience: number,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Records one epoch; `snapshot` runs only when it is the best so far. Without a validation set
   * (null) the latest epoch counts as the best. Returns true when training should stop.
   */
  record(epoch: number, validationRmse: number | null, snapshot: () => T): boolean {
    if (validationRmse === null) {
      this.bestEpoch = epoch;
      return false;
    }
    if (validationRmse < this.bestRmse) {
      this.bestRmse = validationRmse;
      this.bestEpoch = epoch;
      this.best = snapshot();
      return false;
    }
    if (epoch - this.bestEpoch < this.patience) return false;
    this.log(
      `[train] early stop: no validation improvement for ${this.patience} epochs; keeping epoch ${this.bestEpoch} (RMSE ${this.bestRmse.toFixed(4)})`,
    );
    return true;
  }
}

/** The progress line of one training epoch. */
export function epochLine(
  label: string,
  epoch: number,
  maxEpochs: number,
  learningRate: number,
  trainRmse: number,
  validationRmse: number | null,
  seconds: number,
): string {
  const validation = validationRmse === null ? '' : ` validation RMSE ${validationRmse.toFixed(4)}`;
  return `[train] ${label}epoch ${epoch}/${maxEpochs} lr ${learningRate.toExponential(2)} train RMSE ${trainRmse.toFixed(4)}${validation} ${seconds.toFixed(2)} s`;
}
