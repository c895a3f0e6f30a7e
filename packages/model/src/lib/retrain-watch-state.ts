import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@reelrank/artifacts';

/**
 * What `reelrank retrain --watch` last did, in one small JSON file beside the model registry
 * (config paths.retrainStatePath), replaced atomically: the watcher writes it, the API's /metrics and
 * dashboard read it. `check` is the latest look at the posted ratings (any watcher); `run` the latest
 * training run (only the watcher holding the training lock writes it).
 */

export type RetrainDecision = 'train' | 'wait';
/** rejected: the run trained a version the promotion gate turned down; the live model stayed. */
export type RetrainOutcome = 'trained' | 'rejected' | 'unchanged' | 'failed';

export interface RetrainCheck {
  /** ISO time of the look. */
  at: string;
  pid: number;
  host: string;
  decision: RetrainDecision;
  /** Why, as the log line says it. */
  reason: string;
  /** Posted ratings newer than the served model. */
  ratingsWaiting: number;
  nextCheckAt: string;
}

export interface RetrainRun {
  running: boolean;
  pid: number;
  host: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: RetrainOutcome | null;
  durationSeconds: number | null;
  /** The failure's message (the failed run's), else null. */
  error: string | null;
  /** Failed runs in a row, this one included; 0 after a success. */
  consecutiveFailures: number;
  /** When a run last succeeded (this one or an earlier). */
  lastSuccessAt: string | null;
  /** The live version before the run and after it. */
  previousVersion: string | null;
  version: string | null;
}

export interface RetrainWatchState {
  check: RetrainCheck | null;
  run: RetrainRun | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The state in `path`, or an empty one (no file yet, or one this version cannot read). */
export function readRetrainWatchState(path: string): RetrainWatchState {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!isObject(parsed)) return { check: null, run: null };
    return {
      check: isObject(parsed.check) ? (parsed.check as unknown as RetrainCheck) : null,
      run: isObject(parsed.run) ? (parsed.run as unknown as RetrainRun) : null,
    };
  } catch {
    return { check: null, run: null };
  }
}

export function writeRetrainWatchState(path: string, state: RetrainWatchState): void {
  writeFileAtomic(path, `${JSON.stringify(state)}\n`);
}
