import { join, resolve } from 'node:path';
import type { StorageConfig } from './schema.js';

/** Where each stage reads and writes, for one dataset. */
export interface StagePaths {
  dataDir: string;
  modelsDir: string;
  /** data/raw/<dataset>/: verified originals (downloaded zip or copied local files). */
  rawDir: string;
  /** data/processed/<dataset>/: clean, normalised CSVs, the sample and report.json. */
  processedDir: string;
  /** data/<dataset>.db: the SQLite database. */
  dbPath: string;
  /**
   * data/<dataset>.ratings.db (or REELRANK_RATINGS_DB): ratings posted to the running API. Not a stage
   * artifact: no stage rebuilds or deletes it, so rebuilding data/<dataset>.db loses no rating.
   */
  ratingsDbPath: string;
  /** models/<dataset>/: model.json, metrics.json and the weights file. */
  modelDir: string;
  /**
   * models/_versions/<dataset>/: the model registry (one folder per kept version, and the `live`
   * pointer). Outside the trainer's Nx output (models/<dataset>/), so restoring a cache entry never
   * wipes the history; `_` cannot start a data set name, so it cannot collide with a model folder.
   */
  registryDir: string;
  /** models/_versions/<dataset>/retrain.lock: held by the one `retrain --watch` that trains (SQLite; PostgreSQL uses an advisory lock). */
  retrainLockPath: string;
  /** models/_versions/<dataset>/retrain-watch.json: the watcher's state, read by the API's /metrics and dashboard. */
  retrainStatePath: string;
}

/** The stage paths of `dataset`; `dirs` are the storage settings (REELRANK_DATA_DIR, REELRANK_MODELS_DIR). */
export function resolvePaths(
  root: string,
  dataset: string,
  dirs: Partial<Pick<StorageConfig, 'dataDir' | 'modelsDir' | 'ratingsDb'>> = {},
): StagePaths {
  const dataDir = resolve(root, dirs.dataDir ?? 'data');
  const modelsDir = resolve(root, dirs.modelsDir ?? 'models');
  const registryDir = join(modelsDir, '_versions', dataset);
  return {
    dataDir,
    modelsDir,
    rawDir: join(dataDir, 'raw', dataset),
    processedDir: join(dataDir, 'processed', dataset),
    dbPath: join(dataDir, `${dataset}.db`),
    ratingsDbPath: dirs.ratingsDb ? resolve(root, dirs.ratingsDb) : join(dataDir, `${dataset}.ratings.db`),
    modelDir: join(modelsDir, dataset),
    registryDir,
    retrainLockPath: join(registryDir, 'retrain.lock'),
    retrainStatePath: join(registryDir, 'retrain-watch.json'),
  };
}
