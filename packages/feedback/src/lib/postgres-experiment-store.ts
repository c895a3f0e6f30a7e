import { migratedPool } from './postgres-pool.js';
import { checkNewExperiment, EXPERIMENT_COLUMNS, ExperimentConflictError, type Experiment, type ExperimentStore } from './experiments.js';

export interface PostgresExperimentStoreOptions {
  /** How long to wait for a connection, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** How long one query may take, in ms (default 10,000; 0: no limit). */
  queryTimeoutMs?: number;
}

/** A unique index refused the row: here, another experiment is running. */
const UNIQUE_VIOLATION = '23505';

/**
 * The experiments in PostgreSQL (table experiments, schema-postgres.ts, migrated with the posted
 * ratings): every replica on the server sees the same running experiment. A small pool of its own,
 * connected and migrated on first use; the partial unique index keeps one running across replicas.
 */
export function openPostgresExperimentStore(url: string, options: PostgresExperimentStoreOptions = {}): ExperimentStore {
  const { pool, query: rows } = migratedPool(url, { max: 2, connectTimeoutMs: options.connectTimeoutMs, queryTimeoutMs: options.queryTimeoutMs });
  const query = (text: string, values: unknown[] = []) => rows<Experiment>(text, values);
  const running = async () => (await query(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE status = 'running'`))[0];
  let closed: Promise<void> | undefined;

  return {
    async start(e) {
      checkNewExperiment(e);
      try {
        const [row] = await query(
          `INSERT INTO experiments (name, control_version, challenger_version, share, seed, status, started_at) VALUES ($1, $2, $3, $4, $5, 'running', $6) RETURNING ${EXPERIMENT_COLUMNS}`,
          [e.name, e.controlVersion, e.challengerVersion, e.share, e.seed, Date.now()],
        );
        return row;
      } catch (error) {
        const current = (error as { code?: string }).code === UNIQUE_VIOLATION ? await running() : undefined;
        throw current ? new ExperimentConflictError(current) : error;
      }
    },
    running,
    async get(id) {
      return (await query(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE id = $1`, [id]))[0];
    },
    list: () => query(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments ORDER BY id DESC`),
    async conclude(id, outcome) {
      const sql = `UPDATE experiments SET status = $1, ended_at = $2 WHERE id = $3 AND status = 'running' RETURNING ${EXPERIMENT_COLUMNS}`;
      return (await query(sql, [outcome, Date.now(), id]))[0];
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
