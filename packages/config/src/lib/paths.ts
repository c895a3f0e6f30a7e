import { join, resolve } from 'node:path';

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
  /** models/<dataset>/: model.json, metrics.json and the weights file. */
  modelDir: string;
}

export function resolvePaths(root: string, dataset: string, env: NodeJS.ProcessEnv = process.env): StagePaths {
  const dataDir = resolve(root, env.REELRANK_DATA_DIR ?? 'data');
  const modelsDir = resolve(root, env.REELRANK_MODELS_DIR ?? 'models');
  return {
    dataDir,
    modelsDir,
    rawDir: join(dataDir, 'raw', dataset),
    processedDir: join(dataDir, 'processed', dataset),
    dbPath: join(dataDir, `${dataset}.db`),
    modelDir: join(modelsDir, dataset),
  };
}
