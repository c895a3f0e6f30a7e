import { type GateModelFigures, type GateVerdict } from './gate-verdict.js';
import { headlineMetrics, listModelVersions, type ModelVersionInfo } from './model-registry.js';
import { readTrainingRuns, trainingRunOf, type TrainingRunRecord } from './run-history.js';

/**
 * One version of the registry with everything known about it, in the API's snake_case: what
 * GET /models/{version} answers and `reelrank models show|compare` print (the same object on the files
 * and through a server). `run` is its latest training run from the history (null: trained before the
 * history existed, or its line was dropped).
 */

const figures = (g: GateModelFigures) => ({ rmse: g.rmse, ndcg_at_k: g.ndcgAtK, rows: g.rows, users: g.users });

/** The gate's verdict as the API shows it; `decidedAt` from the run that made it (model.json holds no time, so a rerun writes it byte for byte). */
export function gateJson(gate: GateVerdict | null, decidedAt: string | null = null) {
  if (!gate) return null;
  return {
    decision: gate.decision,
    reason: gate.reason,
    k: gate.k,
    holdout: gate.holdout,
    epsilon: gate.epsilon,
    candidate: figures(gate.candidate),
    live: gate.live ? { version: gate.live.version, ...figures(gate.live) } : null,
    decided_at: decidedAt,
  };
}

export function runJson(run: TrainingRunRecord) {
  return {
    run_id: run.runId,
    outcome: run.outcome,
    version: run.version,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    live_before: run.liveBefore,
    live_after: run.liveAfter,
    data_hash: run.dataHash,
    seed: run.seed,
    posted_ratings: run.postedRatings,
    steps_seconds: run.steps,
    settings: run.settings,
    gate: gateJson(run.gate, run.finishedAt),
    error: run.error,
  };
}

export type ModelVersionDetails = ReturnType<typeof detailsOf>;

function detailsOf(info: ModelVersionInfo, run: TrainingRunRecord | null) {
  const h = headlineMetrics(info.metrics);
  return {
    version: info.version,
    dataset: info.dataset,
    created_at: info.createdAt,
    data_hash: info.dataHash,
    live: info.live,
    status: info.status,
    metrics: { test_rmse: h.testRmse, test_mae: h.testMae, k: h.k, precision_at_k: h.precisionAtK, ndcg_at_k: h.ndcgAtK },
    gate: gateJson(info.gate ?? run?.gate ?? null, run?.finishedAt ?? null),
    run: run ? runJson(run) : null,
  };
}

/** The details of a registered version, or null when the registry does not hold it. */
export function describeModelVersion(registryDir: string, version: string): ModelVersionDetails | null {
  const info = listModelVersions(registryDir).find((v) => v.version === version);
  return info ? detailsOf(info, trainingRunOf(registryDir, version)) : null;
}

/** The gate figures of every recorded run, oldest first (the dashboard's chart across versions). */
export function gateHistory(registryDir: string, limit = 50) {
  return readTrainingRuns(registryDir)
    .filter((run) => run.gate)
    .slice(-limit)
    .map((run) => ({
      version: run.version,
      outcome: run.outcome,
      finished_at: run.finishedAt,
      k: run.gate!.k,
      candidate_rmse: run.gate!.candidate.rmse,
      candidate_ndcg_at_k: run.gate!.candidate.ndcgAtK,
      live_version: run.gate!.live?.version ?? null,
      live_rmse: run.gate!.live?.rmse ?? null,
      live_ndcg_at_k: run.gate!.live?.ndcgAtK ?? null,
    }));
}
