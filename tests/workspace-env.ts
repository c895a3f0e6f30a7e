/**
 * This process's environment without the settings that would point a fresh test workspace's stages at the caller's
 * own data set, ratings database, folders or PostgreSQL server.
 */
export function envWithoutWorkspace(): NodeJS.ProcessEnv {
  const { REELRANK_DATASET: _d, REELRANK_RATINGS_DB: _r, REELRANK_DATA_DIR: _dd, REELRANK_MODELS_DIR: _m, DATABASE_URL: _u, ...outer } = process.env;
  return outer;
}
