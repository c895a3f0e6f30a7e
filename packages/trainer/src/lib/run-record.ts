import type { AppConfig } from '@reelrank/config';
import { appendTrainingRun, readLiveVersion, type GateVerdict, type ModelManifest, type TrainingRunRecord } from '@reelrank/model';

/** The run history line of a training (packages/model run-history.ts): promoted, rejected, or failed. */

/** The settings a line names (run-training.ts passes its whole config). */
type RecordedConfig = Pick<AppConfig, 'training' | 'paths'> & { dataset: Pick<AppConfig['dataset'], 'dataset'> };

/** What a finished training hands over (run-training.ts passes its whole result). */
interface RecordedResult {
  manifest: ModelManifest;
  gate: GateVerdict;
  steps: Record<string, number>;
}

const runId = (startedAt: Date) => `${startedAt.toISOString()}-${process.pid}`;

function base(config: RecordedConfig, startedAt: Date, liveBefore: string | null) {
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

export function recordRun(config: RecordedConfig, run: { startedAt: Date; liveBefore: string | null; result: RecordedResult }): void {
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
export function recordFailedRun(config: RecordedConfig, run: { startedAt: Date; liveBefore: string | null; error: unknown }): void {
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
