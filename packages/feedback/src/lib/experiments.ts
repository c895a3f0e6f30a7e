/**
 * A/B experiments between model versions, kept next to the posted ratings so that every API worker
 * and replica sharing that store sees the same one (the API polls `running()`). At most one runs at a
 * time; concluding it records whether the challenger was promoted or dropped. Times are Unix ms.
 */
export const EXPERIMENT_OUTCOMES = ['promoted', 'dropped'] as const;
export type ExperimentOutcome = (typeof EXPERIMENT_OUTCOMES)[number];
export type ExperimentStatus = 'running' | ExperimentOutcome;

export interface NewExperiment {
  name: string;
  /** The version live when it starts. */
  controlVersion: string;
  challengerVersion: string;
  /** The challenger's share of users, in (0, 1). */
  share: number;
  /** Seeds the hash of the user id that picks each user's arm. */
  seed: number;
}

export interface Experiment extends NewExperiment {
  id: number;
  status: ExperimentStatus;
  startedAt: number;
  endedAt: number | null;
}

/** start() while another experiment runs. */
export class ExperimentConflictError extends Error {
  constructor(readonly running: Experiment) {
    super(`experiment ${running.id} (${running.name}) is running; conclude it first`);
    this.name = 'ExperimentConflictError';
  }
}

export interface ExperimentStore {
  /** Records a running experiment; throws ExperimentConflictError when one runs already. */
  start(experiment: NewExperiment): Promise<Experiment>;
  /** The running experiment, if any (one indexed read: what the API polls). */
  running(): Promise<Experiment | undefined>;
  get(id: number): Promise<Experiment | undefined>;
  /** Every experiment, newest first. */
  list(): Promise<Experiment[]>;
  /** Ends experiment `id` if it is running; undefined when it is not (unknown or concluded). */
  conclude(id: number, outcome: ExperimentOutcome): Promise<Experiment | undefined>;
  close(): Promise<void>;
}

/** Refuses what the table's checks would refuse, with a message naming the field. */
export function checkNewExperiment(e: NewExperiment): void {
  if (!(e.share > 0 && e.share < 1)) throw new RangeError(`share must lie strictly between 0 and 1, not ${e.share}`);
  if (!Number.isSafeInteger(e.seed) || e.seed < 0 || e.seed > 0xffffffff)
    throw new RangeError(`seed must be an integer in 0..4294967295, not ${e.seed}`);
  if (!/^[\w .:@-]{1,64}$/.test(e.name)) throw new RangeError(`name must be 1 to 64 letters, digits, spaces or . _ - : @, not "${e.name}"`);
}

/** The columns as the stores read them (SQLite and PostgreSQL alike). */
export const EXPERIMENT_COLUMNS =
  'id, name, control_version AS "controlVersion", challenger_version AS "challengerVersion", share, seed, status, started_at AS "startedAt", ended_at AS "endedAt"';
