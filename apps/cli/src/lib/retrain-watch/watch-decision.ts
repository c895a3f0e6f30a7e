import { describeDrift, type DriftFinding, type RetrainDecision } from '@reelrank/model';

/**
 * When the watcher retrains: at least `minNewRatings` posted ratings newer than the served model,
 * or `intervalSeconds` since the last training with at least one waiting, whichever comes first;
 * never while backing off after failed runs (backoffSeconds, doubling per further failure, at most
 * backoffMaxSeconds). With no rating waiting a run would rebuild the same model (the stages' Nx
 * hash would not move), so none starts. With `onDrift`, drift of the posted ratings from the live
 * model's training data (a judged feature's PSI at or above the threshold) starts one early too, once
 * `driftCooldownSeconds` have passed since the last training and at least one rating waits.
 * Pure: the clock is an input.
 */

export interface WatchSettings {
  minNewRatings: number;
  intervalSeconds: number;
  pollSeconds: number;
  backoffSeconds: number;
  backoffMaxSeconds: number;
  /** Retrain on drift (config operations.watch.onDrift; absent: off). */
  onDrift?: boolean;
  /** Least seconds after a training before drift starts another (absent: 0). */
  driftCooldownSeconds?: number;
}

export interface WatchFacts {
  /** ms since the epoch. */
  now: number;
  /** Posted ratings newer than the served model (null: there is no trained model yet). */
  ratingsWaiting: number | null;
  /** ms: when the served model was trained (or a watcher's run last succeeded, the later of the two); null: never. */
  lastTrainedAt: number | null;
  /** Failed runs in a row (0 after a success). */
  consecutiveFailures: number;
  /** ms: when the last failed run ended (with consecutiveFailures > 0). */
  lastFailureAt: number | null;
  /** The worst judged drift when it reaches the threshold (null or absent: none, or not measured). */
  drift?: DriftFinding | null;
}

export interface WatchVerdict {
  decision: RetrainDecision;
  reason: string;
  /** ms: when to look again (a training, when it starts one, looks again when it ends). */
  nextCheckAt: number;
}

/** The wait after `failures` failed runs in a row, in seconds. */
export function backoffSeconds(failures: number, settings: Pick<WatchSettings, 'backoffSeconds' | 'backoffMaxSeconds'>): number {
  if (failures <= 0) return 0;
  return Math.min(settings.backoffMaxSeconds, settings.backoffSeconds * 2 ** Math.min(failures - 1, 52));
}

/** "42 s", "3.5 min", "2.0 h", "1.5 d". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${(s / 60).toFixed(1)} min`;
  if (s < 129_600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

export function decideRetrain(facts: WatchFacts, settings: WatchSettings): WatchVerdict {
  const { now, ratingsWaiting: waiting } = facts;
  const poll = now + settings.pollSeconds * 1000;
  if (facts.consecutiveFailures > 0 && facts.lastFailureAt !== null) {
    const retryAt = facts.lastFailureAt + backoffSeconds(facts.consecutiveFailures, settings) * 1000;
    if (now < retryAt) {
      return {
        decision: 'wait',
        reason: `backing off after ${facts.consecutiveFailures} failed run(s): next try in ${formatSeconds((retryAt - now) / 1000)}`,
        nextCheckAt: Math.min(poll, retryAt),
      };
    }
  }
  const retry = facts.consecutiveFailures > 0 ? ` (retry after ${facts.consecutiveFailures} failed run(s))` : '';
  if (waiting === null) return { decision: 'train', reason: `no trained model yet${retry}`, nextCheckAt: poll };
  if (waiting >= settings.minNewRatings)
    return { decision: 'train', reason: `${waiting} new rating(s) waiting, at least ${settings.minNewRatings}${retry}`, nextCheckAt: poll };
  const since = facts.lastTrainedAt === null ? null : (now - facts.lastTrainedAt) / 1000;
  const sinceText = since === null ? 'no training recorded' : `${formatSeconds(since)} since the last training`;
  if (waiting === 0) return { decision: 'wait', reason: `no new ratings; ${sinceText}`, nextCheckAt: poll };
  const drift = settings.onDrift ? facts.drift : null;
  const cooldown = settings.driftCooldownSeconds ?? 0;
  if (drift && (since === null || since >= cooldown))
    return { decision: 'train', reason: `${describeDrift(drift)}; ${waiting} new rating(s) waiting${retry}`, nextCheckAt: poll };
  if (since === null || since >= settings.intervalSeconds)
    return {
      decision: 'train',
      reason: `${waiting} new rating(s) waiting and ${sinceText}, at least ${formatSeconds(settings.intervalSeconds)}${retry}`,
      nextCheckAt: poll,
    };
  const dueAt = facts.lastTrainedAt! + settings.intervalSeconds * 1000;
  // Drift seen within the cooldown: it retrains when the cooldown ends, if the drift is still there.
  const driftAt = drift ? facts.lastTrainedAt! + cooldown * 1000 : Number.POSITIVE_INFINITY;
  const driftText = drift ? `; ${describeDrift(drift)}, retraining for it in ${formatSeconds((driftAt - now) / 1000)} (cooldown)` : '';
  return {
    decision: 'wait',
    reason: `${waiting} of ${settings.minNewRatings} new rating(s) waiting; ${sinceText}, retraining anyway in ${formatSeconds((dueAt - now) / 1000)}${driftText}`,
    nextCheckAt: Math.min(poll, dueAt, driftAt),
  };
}
