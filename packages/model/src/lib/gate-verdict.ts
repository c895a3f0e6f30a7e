/**
 * What the promotion gate decided about a trained version (the trainer's promotion-gate.ts writes
 * it into model.json as `gate`): both models' figures on the gate holdout, scored at gate time, and why.
 * The registry makes a `rejected` version live only when an operator forces it.
 */

export type GateDecision = 'promoted' | 'rejected';

export interface GateModelFigures {
  rmse: number | null;
  ndcgAtK: number | null;
  /** Holdout rows scored (RMSE) and users with a relevant holdout movie (NDCG). */
  rows: number;
  users: number;
}

export interface GateVerdict {
  decision: GateDecision;
  reason: string;
  k: number;
  holdout: { share: number; seed: number; ratings: number };
  epsilon: { rmse: number; ndcg: number };
  candidate: GateModelFigures;
  /** The live model when the gate ran (null: none). */
  live: (GateModelFigures & { version: string }) | null;
}

/** The verdict in a manifest (null: trained before the gate, or no verdict recorded). */
export function gateOf(manifest: { gate?: GateVerdict }): GateVerdict | null {
  const gate = manifest.gate;
  return gate && typeof gate === 'object' && (gate.decision === 'promoted' || gate.decision === 'rejected') ? gate : null;
}

export const isRejected = (manifest: { gate?: GateVerdict }): boolean => gateOf(manifest)?.decision === 'rejected';
