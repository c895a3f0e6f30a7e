import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatabase } from '@reelrank/database';
import { saveModelArtifacts } from '@reelrank/model';
import { plantedBundle } from '@reelrank/serving/testing';
import { cliOutput } from '../../tools/lib/cli-output';
import { startApi, WORKSPACE_ROOT } from '../../tools/lib/processes';
import type { ServedWorkspace } from './who-may-do-what';

/** The planted catalogue as processed CSVs (data-set users 1, 2 and 3), the API's own test fixture. */
const PROCESSED_DIR = join(WORKSPACE_ROOT, 'apps', 'api', 'src', '__fixtures__', 'processed');
const DATASET = 'ml-latest-small';

/** A data folder with the fixture catalogue and the planted model, and a strong REELRANK_ADMIN_TOKEN. */
export async function sqliteWorkspace(adminToken: string): Promise<ServedWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-security-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  await loadDatabase({ processedDir: PROCESSED_DIR, dbPath: join(dataDir, `${DATASET}.db`), dataset: DATASET, log: () => undefined });
  const { model, popularity, manifest } = plantedBundle();
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  saveModelArtifacts(join(dir, 'models', DATASET), { model, popularity, manifest: input, metricsReport: {} });
  const env = { REELRANK_DATASET: DATASET, REELRANK_DATA_DIR: dataDir, REELRANK_MODELS_DIR: join(dir, 'models'), REELRANK_ADMIN_TOKEN: adminToken };
  return {
    start: (name, extra = {}) => startApi({ name, env: { ...env, ...extra } }),
    cli: (...argv) => cliOutput({ ...process.env, ...env }, ...argv),
    visitorSecret: () => readFileSync(join(dataDir, 'visitor-cookie.secret'), 'utf8').trim(),
  };
}
