import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadModelArtifacts } from '@reelrank/model';
import { GENERATED_DATASET as DATASET } from '@reelrank/ingest/testing';

/**
 * Comparable fingerprints of what the stages leave on disk, for the crash spec: file hashes, a logical
 * SQLite dump (its bytes are not stable), the served model (it must load) and metrics without timings,
 * and temp files left behind.
 */

/** The stages the crash spec kills. */
export type CrashStage = 'ingest' | 'database' | 'trainer';

export const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function filesSha(dir: string): Record<string, string> | null {
  if (!existsSync(dir)) return null;
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = sha(readFileSync(join(dir, name)));
  return out;
}

/** Table -> row count and sha256 of its rows in a total order; volatile metadata left out. */
function dbDump(path: string): Record<string, string> | null {
  if (!existsSync(path)) return null;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const out: Record<string, string> = {};
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name").all() as Array<{
      name: string;
      sql: string | null;
    }>;
    out['(schema)'] = sha(tables.map((t) => `${t.name}:${t.sql ?? ''}`).join('\n'));
    for (const { name } of tables) {
      if (name.startsWith('sqlite_') || !db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name)) continue;
      const columns = (db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>)
        .map((c) => c.name)
        .filter((c) => c !== 'created_at');
      const where = name === 'dataset_meta' ? ` WHERE key <> 'loadedAt'` : '';
      const rows = db
        .prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${name}"${where} ORDER BY ${columns.map((c) => `"${c}"`).join(', ')}`)
        .raw()
        .all();
      const hash = createHash('sha256');
      for (const row of rows) hash.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)));
      out[name] = `${rows.length}:${hash.digest('hex')}`;
    }
    return out;
  } finally {
    db.close();
  }
}

const VOLATILE = /^(createdAt|loadedAt|seconds|\w*Seconds|timings|steps|stepTimes|fit s|ms)$/;
/**
 * The promotion gate's verdict compares the run with whatever model is live in the registry: a re-run
 * over a previous artifact has one, the reference run has none. So its decision, reason and live figures
 * are left out; the candidate's own holdout figures, the holdout and the epsilons are compared.
 */
const AGAINST_LIVE = new Set(['decision', 'reason', 'live']);
const isVerdict = (key: string, value: unknown) => key === 'gate' && value !== null && typeof value === 'object' && 'decision' in value;
function stripVolatile(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => stripVolatile(v));
  if (value && typeof value === 'object') {
    const verdict = isVerdict(key, value);
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !VOLATILE.test(k) && !(verdict && AGAINST_LIVE.has(k)))
        .map(([k, v]) => [k, stripVolatile(v, k)]),
    );
  }
  return value;
}

/** The served model: it must load (sizes and sha256 verified); weights by hash, manifest minus timings. */
function modelPrint(modelDir: string): { version: string; weights: string; manifest: string } | null {
  if (!existsSync(join(modelDir, 'model.json'))) return null;
  const bundle = loadModelArtifacts(modelDir); // throws on a half-written or mismatched model
  return {
    version: bundle.manifest.version,
    weights: sha(readFileSync(join(modelDir, bundle.manifest.weights.file))),
    manifest: JSON.stringify(stripVolatile(JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')))),
  };
}
export const metricsPrint = (modelDir: string) =>
  existsSync(join(modelDir, 'metrics.json')) ? JSON.stringify(stripVolatile(JSON.parse(readFileSync(join(modelDir, 'metrics.json'), 'utf8')))) : null;

export const paths = (root: string) => ({
  raw: join(root, 'data', 'raw', DATASET),
  processed: join(root, 'data', 'processed', DATASET),
  db: join(root, 'data', `${DATASET}.db`),
  model: join(root, 'models', DATASET),
  /** The model registry (models/_versions/<dataset>/): the server loads its live version. */
  registry: join(root, 'models', '_versions', DATASET),
});

/** What a stage produces, as comparable values. */
export function outputsOf(stage: CrashStage, root: string): Record<string, unknown> {
  const p = paths(root);
  if (stage === 'ingest') return { raw: filesSha(p.raw), processed: filesSha(p.processed) };
  if (stage === 'database') return { db: dbDump(p.db) };
  return { model: modelPrint(p.model) };
}

/** Temp files and folders left anywhere in the workspace's data and models trees. */
export function leftovers(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (/\.tmp(-journal)?$|\.part$/.test(name)) found.push(full.slice(root.length + 1));
      if (statSync(full).isDirectory()) walk(full);
    }
  };
  walk(join(root, 'data'));
  walk(join(root, 'models'));
  return found;
}
