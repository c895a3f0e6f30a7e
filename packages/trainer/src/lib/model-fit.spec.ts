import { runFit, type ModelFit, type PassRecord } from './model-fit.js';

/**
 * A one-parameter model fitted by gradient steps towards the mean of its training values and scored on
 * validation values with another mean: the validation RMSE falls while the estimate passes the validation
 * mean, then rises, so early stopping has a true best pass to find and restore.
 */
class MeanFit implements ModelFit<number, { mean: number }, { learningRate: number }> {
  estimate = 0;
  closed = 0;
  snapshots = 0;

  constructor(
    readonly passes: number,
    private readonly train: number[],
    private readonly validation: number[] | null,
    private readonly failAt = Infinity,
  ) {}

  get validated(): boolean {
    return this.validation !== null;
  }

  pass(epoch: number): { learningRate: number } {
    if (epoch === this.failAt) throw new Error(`diverged at epoch ${epoch}`);
    const target = this.train.reduce((s, v) => s + v, 0) / this.train.length;
    this.estimate += 0.3 * (target - this.estimate);
    return { learningRate: 0.3 };
  }

  validationScore(): number | null {
    if (!this.validation) return null;
    const sse = this.validation.reduce((s, v) => s + (v - this.estimate) ** 2, 0);
    return Math.sqrt(sse / this.validation.length);
  }

  snapshot(): number {
    this.snapshots++;
    return this.estimate;
  }

  exportModel(best: number | null): { mean: number } {
    return { mean: best ?? this.estimate };
  }

  progress(record: { learningRate: number } & PassRecord): string {
    return `pass ${record.epoch}/${this.passes} validation ${record.validationRmse?.toFixed(3) ?? '-'}`;
  }

  close(): void {
    this.closed++;
  }
}

describe('runFit (the fit loop of every model)', () => {
  it('when the validation score turns up, then it stops after `patience` passes and exports the best pass, not the last', () => {
    const fit = new MeanFit(100, [4, 4, 4], [2, 2]);
    const lines: string[] = [];
    const outcome = runFit(fit, { patience: 3, log: (line) => lines.push(line) });
    const scores = outcome.history.map((h) => h.validationRmse!);
    expect(outcome.bestValidationRmse).toBe(Math.min(...scores));
    expect(scores[outcome.bestEpoch - 1]).toBe(outcome.bestValidationRmse);
    expect(outcome.epochsRun).toBe(outcome.bestEpoch + 3);
    expect(outcome.epochsRun).toBeLessThan(100);
    // The exported estimate is the best pass's (near the validation mean 2), while training moved on towards 4.
    expect(Math.abs(outcome.model.mean - 2)).toBeCloseTo(outcome.bestValidationRmse!, 12);
    expect(fit.estimate).toBeGreaterThan(outcome.model.mean);
    expect(outcome.history.map((h) => h.epoch)).toEqual(Array.from({ length: outcome.epochsRun }, (_, j) => j + 1));
    expect(outcome.history[0]).toMatchObject({ learningRate: 0.3 });
    expect(lines.filter((l) => l.startsWith('pass '))).toHaveLength(outcome.epochsRun);
    expect(lines.some((l) => l.includes('early stop'))).toBe(true);
    expect(fit.closed).toBe(1);
  });

  it('when there is no validation set, then every pass runs and the last parameters are exported without a snapshot', () => {
    const fit = new MeanFit(5, [4], null);
    const outcome = runFit(fit, { patience: 1 });
    expect(outcome).toMatchObject({ epochsRun: 5, bestEpoch: 5, bestValidationRmse: null });
    expect(outcome.model.mean).toBe(fit.estimate);
    expect(fit.snapshots).toBe(0);
  });

  it('when a model is fitted in closed form (one pass), then the loop runs it once', () => {
    const fit = new MeanFit(1, [3], null);
    const outcome = runFit(fit);
    expect(outcome.epochsRun).toBe(1);
    expect(outcome.model.mean).toBeCloseTo(0.9, 12);
  });

  it('when a pass fails, then the error reaches the caller and the fit is still closed', () => {
    const fit = new MeanFit(10, [4], [2], 3);
    expect(() => runFit(fit, { patience: 5 })).toThrow('diverged at epoch 3');
    expect(fit.closed).toBe(1);
  });
});
