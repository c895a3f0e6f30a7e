import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadModelArtifacts, ModelLoadError, resolveLiveModel } from '@reelrank/model';
import { openSqliteCatalog, Recommender } from '@reelrank/serving';
import { CliFailure } from './errors.js';

export const PIPELINE_HINT = 'run `npx reelrank pipeline` first';

export function loadCliConfig(env: NodeJS.ProcessEnv): AppConfig {
  try {
    return loadConfig({ env });
  } catch (error) {
    throw new CliFailure((error as Error).message.replace(/\n\s*/g, ' '));
  }
}

/**
 * The same Recommender the HTTP API serves, built from the model artifacts and the database on
 * disk (no server involved), so the terminal and the API give identical answers.
 */
export function openRecommender(config: AppConfig): Recommender {
  const { dataset } = config.dataset;
  // The registry's live version, brought up to date as a server starting now would (so both answer alike).
  const modelDir = resolveLiveModel(config.paths, config.runtime.keepModelVersions).dir;
  if (!existsSync(join(modelDir, 'model.json'))) {
    throw new CliFailure(`no trained model for ${dataset}: ${PIPELINE_HINT}`);
  }
  if (!existsSync(config.paths.dbPath)) throw new CliFailure(`no database for ${dataset}: ${PIPELINE_HINT}`);
  try {
    const bundle = loadModelArtifacts(modelDir);
    // No per-user top lists: a one-shot command asks one question, precomputing them all would cost more.
    return new Recommender(bundle, openSqliteCatalog(config.paths.dbPath), {
      maxRecommendations: config.serving.maxRecommendations,
      precomputeBudget: 0,
    });
  } catch (error) {
    if (error instanceof ModelLoadError) throw new CliFailure(`the model for ${dataset} cannot be loaded (${error.message}): ${PIPELINE_HINT}`);
    throw error;
  }
}
