import { checkNewExperiment, EXPERIMENT_COLUMNS, ExperimentConflictError, type Experiment, type ExperimentStore } from './experiments.js';
import { openMigratedRatingsFile } from './sqlite-migrations.js';

/**
 * The experiments in the SQLite ratings file (table experiments, schema-sqlite.ts), on a connection
 * of its own in the caller's thread: the reads are one indexed lookup, the writes rare admin actions.
 */
export function openSqliteExperimentStore(path: string, options: { busyTimeoutMs?: number } = {}): ExperimentStore {
  const db = openMigratedRatingsFile(path, options.busyTimeoutMs ?? 5_000);
  const running = db.prepare(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE status = 'running'`);
  const byId = db.prepare(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?`);
  const all = db.prepare(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments ORDER BY id DESC`);
  const insert = db.prepare(
    `INSERT INTO experiments (name, control_version, challenger_version, share, seed, status, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?) RETURNING ${EXPERIMENT_COLUMNS}`,
  );
  const end = db.prepare(`UPDATE experiments SET status = ?, ended_at = ? WHERE id = ? AND status = 'running' RETURNING ${EXPERIMENT_COLUMNS}`);
  const start = db.transaction((e: Parameters<ExperimentStore['start']>[0]): Experiment => {
    const current = running.get() as Experiment | undefined;
    if (current) throw new ExperimentConflictError(current);
    return insert.get(e.name, e.controlVersion, e.challengerVersion, e.share, e.seed, Date.now()) as Experiment;
  });

  return {
    async start(experiment) {
      checkNewExperiment(experiment);
      return start.immediate(experiment);
    },
    async running() {
      return running.get() as Experiment | undefined;
    },
    async get(id) {
      return byId.get(id) as Experiment | undefined;
    },
    async list() {
      return all.all() as Experiment[];
    },
    async conclude(id, outcome) {
      return end.get(outcome, Date.now(), id) as Experiment | undefined;
    },
    async close() {
      db.close();
    },
  };
}
