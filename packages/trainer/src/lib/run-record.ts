import { appendTrainingRun, readLiveVersion, type TrainingRunRecord } from '@reelrank/model';
import type { RunTrainingConfig, TrainingRunResult } from './run-training.js';

/** The run history line of a training (packages/model run-history.ts): promoted, rejected, or failed. */

const runId = (startedAt: Date) => `${startedAt.toISOString()}-${process.pid}`;

function base(config: RunTrainingConfig, startedAt: Date, liveBefore: string | null) {
  return {
    runId: runId(startedAt),
    dataset: config.dataset.dataset,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    liveBefore,
    liveAfter: readLiveVersion(config.paths.registryDir),
    seed: config.training.seed,
    settings: { ...config.training } as Record<string, unknown>,
  };
}

export function recordRun(config: RunTrainingConfig, run: { startedAt: Date; liveBefore: string | null; result: TrainingRunResult }): void {
  const { manifest, gate, steps } = run.result;
  const posted = manifest.training.posted as { count?: number } | null | undefined;
  const record: TrainingRunRecord = {
    ...base(config, run.startedAt, run.liveBefore),
    outcome: gate.decision,
    version: manifest.version,
    dataHash: manifest.dataHash,
    steps,
    metrics: manifest.metrics,
    gate,
    postedRatings: posted?.count ?? 0,
    error: null,
  };
  appendTrainingRun(config.paths.registryDir, record);
}

/** A failed run is recorded too; a failure to record it never hides the training's own error. */
export function recordFailedRun(config: RunTrainingConfig, run: { startedAt: Date; liveBefore: string | null; error: unknown }): void {
  try {
    appendTrainingRun(config.paths.registryDir, {
      ...base(config, run.startedAt, run.liveBefore),
      outcome: 'failed',
      version: null,
      dataHash: null,
      steps: {},
      metrics: null,
      gate: null,
      postedRatings: 0,
      error: run.error instanceof Error ? run.error.message : String(run.error),
    });
  } catch {
    // the registry folder cannot be written: the training's error is what the caller needs
  }
}
