import { tempWorkspace } from '@reelrank/ingest/testing';

/**
 * This process's environment without the settings that would point a fresh test workspace's stages at the caller's
 * own data set, ratings database, folders or PostgreSQL server.
 */
export function envWithoutWorkspace(): NodeJS.ProcessEnv {
  const { REELRANK_DATASET: _d, REELRANK_RATINGS_DB: _r, REELRANK_DATA_DIR: _dd, REELRANK_MODELS_DIR: _m, DATABASE_URL: _u, ...outer } = process.env;
  return outer;
}

/** A fresh workspace (its own root) on the generated data set at `source`, trained quickly: a small matrix factorisation, 3 epochs. */
export function quickTrainingEnv(source: string): NodeJS.ProcessEnv {
  return {
    ...envWithoutWorkspace(),
    REELRANK_ROOT: tempWorkspace(),
    MOVIELENS_SOURCE: source,
    REELRANK_TRAIN_MAX_EPOCHS: '3',
    REELRANK_TRAIN_FACTORS: '4',
    REELRANK_TRAIN_RATING_MODEL: 'mf',
  };
}
