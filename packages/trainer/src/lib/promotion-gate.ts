import type { GateConfig } from '@reelrank/config';
import type { GateDecision, GateVerdict } from '@reelrank/model';
import type { GateFigures } from './gate-scoring.js';

/**
 * The promotion rule: a candidate goes live only if, on the gate holdout, its RMSE is at most the
 * live model's + rmseEpsilon and its NDCG@k at least the live model's - ndcgEpsilon. Both figures
 * come from scoring both models now, on the same holdout rows (gate-scoring.ts).
 */
export function decidePromotion(
  candidate: GateFigures,
  live: (GateFigures & { version: string }) | null,
  settings: Pick<GateConfig, 'rmseEpsilon' | 'ndcgEpsilon' | 'holdoutShare'>,
): { decision: GateDecision; reason: string } {
  const promoted = (reason: string) => ({ decision: 'promoted' as const, reason });
  const rejected = (reason: string) => ({ decision: 'rejected' as const, reason });
  if (settings.holdoutShare <= 0) return promoted('no gate: training.gate.holdoutShare is 0');
  if (!live) return promoted('no live model to compare with');
  const f = (v: number) => v.toFixed(4);
  const failures: string[] = [];
  if (live.rmse !== null) {
    if (candidate.rmse === null) failures.push('holdout RMSE could not be computed (not finite)');
    else if (candidate.rmse > live.rmse + settings.rmseEpsilon)
      failures.push(`holdout RMSE ${f(candidate.rmse)} > live ${f(live.rmse)} + ${settings.rmseEpsilon}`);
  }
  if (live.ndcgAtK !== null) {
    if (candidate.ndcgAtK === null) failures.push(`holdout NDCG@${candidate.k} could not be computed (not finite)`);
    else if (candidate.ndcgAtK < live.ndcgAtK - settings.ndcgEpsilon)
      failures.push(`holdout NDCG@${candidate.k} ${f(candidate.ndcgAtK)} < live ${f(live.ndcgAtK)} - ${settings.ndcgEpsilon}`);
  }
  if (failures.length) return rejected(`${failures.join('; ')} (live ${live.version})`);
  if (live.rmse === null && live.ndcgAtK === null) return promoted('the holdout is empty: nothing to compare on');
  return promoted(`holdout RMSE and NDCG@${candidate.k} within the epsilons of live ${live.version}`);
}

/** The verdict as recorded in the manifest, metrics.json and the run history. */
export function gateVerdict(
  decided: { decision: GateDecision; reason: string },
  candidate: GateFigures,
  live: (GateFigures & { version: string }) | null,
  settings: GateConfig,
  holdoutRatings: number,
): GateVerdict {
  const figures = (g: GateFigures) => ({ rmse: g.rmse, ndcgAtK: g.ndcgAtK, rows: g.rows, users: g.users });
  return {
    decision: decided.decision,
    reason: decided.reason,
    k: candidate.k,
    holdout: { share: settings.holdoutShare, seed: settings.seed, ratings: holdoutRatings },
    epsilon: { rmse: settings.rmseEpsilon, ndcg: settings.ndcgEpsilon },
    candidate: figures(candidate),
    live: live ? { version: live.version, ...figures(live) } : null,
  };
}
