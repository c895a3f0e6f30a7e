import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import type { GateVerdict } from './gate-verdict.js';

/**
 * Every training run, one JSON line each in `<registryDir>/runs.jsonl`: promoted, rejected by the
 * promotion gate, or failed. The train stage appends its line when it ends (one write of one line,
 * O_APPEND, so lines of concurrent writers never interleave); the API (GET /models/{version}) and the
 * CLI (`reelrank models show|history`) read it. Past HISTORY_MAX_BYTES the oldest lines are dropped.
 */

export const RUN_HISTORY_FILE = 'runs.jsonl';
const HISTORY_MAX_BYTES = 4 * 1024 * 1024;
const HISTORY_KEEP_RUNS = 2000;

export type TrainingRunOutcome = 'promoted' | 'rejected' | 'failed';

export interface TrainingRunRecord {
  runId: string;
  dataset: string;
  startedAt: string;
  finishedAt: string;
  outcome: TrainingRunOutcome;
  /** The version trained (null: failed before one was saved). */
  version: string | null;
  /** The live version before and after the run. */
  liveBefore: string | null;
  liveAfter: string | null;
  /** sha256 of the ratings read (data set + posted), null when the run failed before reading them. */
  dataHash: string | null;
  seed: number;
  /** The training settings of the run (config `training`). */
  settings: Record<string, unknown>;
  /** Seconds per step (read, split, evaluation fits, refit, ranker, gate, save, total). */
  steps: Record<string, number>;
  /** Headline test figures (as model.json's `metrics`), null when failed. */
  metrics: Record<string, unknown> | null;
  gate: GateVerdict | null;
  /** Posted ratings merged into the training data (0: none). */
  postedRatings: number;
  /** The failure's message, else null. */
  error: string | null;
}

/** Appends one run (and drops the oldest lines once the file is large). */
export function appendTrainingRun(registryDir: string, record: TrainingRunRecord): void {
  mkdirSync(registryDir, { recursive: true });
  const path = join(registryDir, RUN_HISTORY_FILE);
  appendFileSync(path, `${JSON.stringify(record)}\n`);
  if (statSync(path).size > HISTORY_MAX_BYTES) {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    writeFileAtomic(path, `${lines.slice(-HISTORY_KEEP_RUNS).join('\n')}\n`);
  }
}

/** Every recorded run, oldest first (lines that do not parse are skipped). */
export function readTrainingRuns(registryDir: string): TrainingRunRecord[] {
  let text: string;
  try {
    text = readFileSync(join(registryDir, RUN_HISTORY_FILE), 'utf8');
  } catch {
    return [];
  }
  const runs: TrainingRunRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const parsed = JSON.parse(line) as TrainingRunRecord;
      if (parsed && typeof parsed.runId === 'string' && typeof parsed.outcome === 'string') runs.push(parsed);
    } catch {
      // a line cut short by a crash: skipped
    }
  }
  return runs;
}

/** The latest run that trained `version` (a version is content-derived: a rerun on the same data trains it again). */
export function trainingRunOf(registryDir: string, version: string): TrainingRunRecord | null {
  const runs = readTrainingRuns(registryDir);
  for (let i = runs.length - 1; i >= 0; i--) if (runs[i].version === version) return runs[i];
  return null;
}
