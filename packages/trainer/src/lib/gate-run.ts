import type { GateConfig } from '@reelrank/config';
import { initTensorFlow, loadModelArtifacts, resolveLiveModel, type GateVerdict, type ModelBundle, type RegistryPaths } from '@reelrank/model';
import type { GateHoldoutSplit } from './gate-holdout.js';
import { prepareGateData, scoreOnGate, type GateFigures } from './gate-scoring.js';
import { decidePromotion, gateVerdict } from './promotion-gate.js';

/**
 * The promotion gate of a training: the candidate (as it is about to be saved) and the live model
 * (loaded from the registry now, not its recorded figures) are scored on the same gate holdout rows,
 * the current ones with every posted rating, and decidePromotion rules. The verdict goes into the
 * candidate's model.json, which the registry reads when it publishes it (a rejected one stays out of live).
 */
export async function gateTheCandidate(
  config: {
    training: { gate: GateConfig; rankingK: number };
    paths: RegistryPaths;
    storage?: { keepModelVersions?: number };
  },
  candidate: Pick<ModelBundle, 'model' | 'ranking' | 'popularity' | 'neighbourhood'>,
  split: GateHoldoutSplit,
  log: (line: string) => void,
): Promise<GateVerdict> {
  const settings = config.training.gate;
  const k = config.training.rankingK;
  const holdoutRatings = split.holdout.ratings.length;
  const none: GateFigures = { k, rmse: null, ndcgAtK: null, rows: 0, users: 0 };
  if (settings.holdoutShare <= 0) return gateVerdict(decidePromotion(none, null, settings), none, null, settings, 0);

  const { tf } = await initTensorFlow();
  // NDCG on a seeded sample of the holdout's users (gate.maxUsers): scoring every user of a large set costs minutes.
  const data = prepareGateData(split.rest, split.holdout, k, { maxUsers: settings.maxUsers, seed: settings.seed });
  const candidateFigures = scoreOnGate(tf, candidate, data);
  // The registry brought up to date first (a model built before the registry existed is registered and live).
  const liveDir = resolveLiveModel(config.paths, config.storage?.keepModelVersions ?? 5, (error) =>
    log(`[train] gate: the registry could not be brought up to date (${(error as Error).message})`),
  );
  let live: (GateFigures & { version: string }) | null = null;
  let liveProblem: string | null = null;
  let unfair: string | null = null;
  try {
    const bundle = loadModelArtifacts(liveDir.dir);
    unfair = sawOtherHoldout(bundle.manifest.hyperParameters.gate, settings);
    if (!unfair) live = { version: bundle.manifest.version, ...scoreOnGate(tf, bundle, data) };
  } catch (error) {
    liveProblem = (error as Error).message;
  }
  const decided = liveProblem
    ? { decision: 'promoted' as const, reason: 'no live model to compare with' }
    : unfair
      ? { decision: 'promoted' as const, reason: `the live model is not comparable on this holdout: ${unfair}` }
      : decidePromotion(candidateFigures, live, settings);
  const verdict = gateVerdict(decided, candidateFigures, live, settings, holdoutRatings);
  // The reason in model.json names no path (the file is the same wherever it was trained); the log says why.
  if (liveProblem) log(`[train] gate: the live model could not be scored: ${liveProblem}`);
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));
  log(
    `[train] gate: ${verdict.decision} (${verdict.reason}); holdout ${holdoutRatings} ratings, NDCG on ${candidateFigures.users} users: candidate RMSE ${f(candidateFigures.rmse)} NDCG@${k} ${f(candidateFigures.ndcgAtK)}` +
      (live ? `, live ${live.version} RMSE ${f(live.rmse)} NDCG@${k} ${f(live.ndcgAtK)}` : ''),
  );
  return verdict;
}

/**
 * Why the live model cannot be judged on the current holdout (null: it can): a model trained without
 * the gate, or with another holdout share or seed, trained on some of these rows, so its figures on
 * them would flatter it and every fair candidate would be rejected.
 */
export function sawOtherHoldout(liveGate: unknown, settings: Pick<GateConfig, 'holdoutShare' | 'seed'>): string | null {
  const gate = liveGate as Partial<GateConfig> | undefined;
  if (!gate || typeof gate !== 'object' || typeof gate.holdoutShare !== 'number')
    return 'it was trained before the promotion gate, on these rows too';
  if (gate.holdoutShare !== settings.holdoutShare || gate.seed !== settings.seed)
    return `it was trained with another gate holdout (share ${gate.holdoutShare}, seed ${gate.seed})`;
  return null;
}
