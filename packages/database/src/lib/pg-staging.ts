import type pg from 'pg';
import { CATALOGUE_SCHEMA } from '../schema/postgres.js';
import type { TableCounts } from './load-database.js';
import { metaCounts } from './queries.js';

/**
 * The staging schema of a PostgreSQL catalogue load ("temp path + rename" on PostgreSQL): its tables
 * are copies of the live catalogue's (`CREATE TABLE ... (LIKE ...)`, so the migrated schema stays the
 * one definition), created without keys or indexes; those are added after the COPY from the live
 * tables' own definitions (pg_get_constraintdef / pg_get_indexdef), then two renames swap the
 * schemas. Everything runs inside the caller's transaction.
 */

export const STAGING_SCHEMA = `${CATALOGUE_SCHEMA}_staging`;
/** The replaced catalogue between the swap and its drop (dropped after the commit, or by the next load). */
export const REPLACED_SCHEMA = `${CATALOGUE_SCHEMA}_replaced`;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The live catalogue's tables (what the migrations created). */
async function liveTables(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`,
    [CATALOGUE_SCHEMA],
  );
  return rows.map((r) => r.name);
}

/** Creates the staging schema with empty, key-less copies of the live tables; returns its name. */
export async function createStagingTables(client: pg.ClientBase): Promise<string> {
  // Leftovers: a staging schema cannot survive a rollback, but a replaced one survives a crash between commit and drop.
  await client.query(`DROP SCHEMA IF EXISTS ${q(STAGING_SCHEMA)} CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS ${q(REPLACED_SCHEMA)} CASCADE`);
  await client.query(`CREATE SCHEMA ${q(STAGING_SCHEMA)}`);
  for (const table of await liveTables(client)) {
    await client.query(
      `CREATE TABLE ${q(STAGING_SCHEMA)}.${q(table)} (LIKE ${q(CATALOGUE_SCHEMA)}.${q(table)} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)`,
    );
  }
  return STAGING_SCHEMA;
}

/**
 * Adds the live tables' primary keys, unique constraints and other indexes to the staging copies,
 * once the rows are in: one sorted build per index instead of 20M b-tree insertions during the COPY
 * (measured by `npm run bench:pg-load`). Logs each build's time.
 */
export async function addKeysAndIndexes(client: pg.ClientBase, log: (line: string) => void): Promise<void> {
  // Sorts of 20M keys fit in memory instead of spilling to disk (the default is 64 MB).
  await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
  const constraints = await client.query<{ table: string; name: string; def: string }>(
    `SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS def
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND k.contype IN ('p', 'u') ORDER BY c.relname, k.conname`,
    [CATALOGUE_SCHEMA],
  );
  const indexes = await client.query<{ table: string; name: string; def: string }>(
    `SELECT c.relname AS table, i.relname AS name, pg_get_indexdef(x.indexrelid) AS def
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
     ORDER BY c.relname, i.relname`,
    [CATALOGUE_SCHEMA],
  );
  const timed = async (what: string, sql: string) => {
    const started = performance.now();
    await client.query(sql);
    log(`[database] ${what} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  };
  for (const k of constraints.rows) {
    await timed(`${k.table}: ${k.def}`, `ALTER TABLE ${q(STAGING_SCHEMA)}.${q(k.table)} ADD CONSTRAINT ${q(k.name)} ${k.def}`);
  }
  for (const x of indexes.rows) {
    // "CREATE [UNIQUE] INDEX name ON schema.table USING btree (cols)": keep the method and columns, retarget the table.
    const using = x.def.indexOf(' USING ');
    if (using < 0) throw new Error(`cannot copy index ${x.name}: unexpected definition ${x.def}`);
    const unique = /^CREATE UNIQUE INDEX/.test(x.def) ? 'UNIQUE ' : '';
    await timed(`${x.table}: index ${x.name}`, `CREATE ${unique}INDEX ${q(x.name)} ON ${q(STAGING_SCHEMA)}.${q(x.table)}${x.def.slice(using)}`);
  }
}

/** ANALYZE of each staging table (planner statistics before anyone reads them). */
export async function analyzeStaging(client: pg.ClientBase): Promise<void> {
  for (const table of await liveTables(client)) await client.query(`ANALYZE ${q(STAGING_SCHEMA)}.${q(table)}`);
}

/** The swap, inside the caller's transaction: live -> replaced, staging -> live. */
export async function swapInStaging(client: pg.ClientBase): Promise<void> {
  await client.query(`ALTER SCHEMA ${q(CATALOGUE_SCHEMA)} RENAME TO ${q(REPLACED_SCHEMA)}`);
  await client.query(`ALTER SCHEMA ${q(STAGING_SCHEMA)} RENAME TO ${q(CATALOGUE_SCHEMA)}`);
}

/** After the commit: drops the replaced catalogue (waits for readers still inside it). */
export async function dropReplaced(client: pg.ClientBase): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${q(REPLACED_SCHEMA)} CASCADE`);
}

export interface LiveMeta {
  dataset: string | null;
  dataHash: string | null;
  counts: TableCounts;
}

/** What the live catalogue holds, from its dataset_meta (nulls and zeros when it was never loaded). */
export async function readLiveMeta(client: pg.ClientBase): Promise<LiveMeta> {
  const { rows } = await client.query<{ key: string; value: string }>(`SELECT key, value FROM ${q(CATALOGUE_SCHEMA)}.dataset_meta`);
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  return { dataset: meta.get('dataset') ?? null, dataHash: meta.get('dataHash') ?? null, counts: metaCounts((key) => meta.get(key)) };
}
