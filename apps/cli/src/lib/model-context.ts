import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { readCatalogueOverlay } from '@reelrank/feedback';
import { loadModelArtifacts, ModelLoadError, resolveLiveModel } from '@reelrank/model';
import { openCatalog, Recommender, type MovieCatalog } from '@reelrank/serving';
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
 * The same Recommender the HTTP API serves, built from the model artifacts and the catalogue (the
 * SQLite file, or with DATABASE_URL the PostgreSQL catalogue: openCatalog, the API's switch), no
 * server involved, so the terminal and the API give identical answers (the catalogue's overlay applied too).
 */
export async function openRecommender(config: AppConfig): Promise<Recommender> {
  const { dataset } = config.dataset;
  // The registry's live version, brought up to date as a server starting now would (so both answer alike).
  const modelDir = resolveLiveModel(config.paths, config.storage.keepModelVersions).dir;
  if (!existsSync(join(modelDir, 'model.json'))) {
    throw new CliFailure(`no trained model for ${dataset}: ${PIPELINE_HINT}`);
  }
  let catalog: MovieCatalog;
  try {
    catalog = await openCatalog(config);
  } catch (error) {
    throw new CliFailure(`cannot open the catalogue of ${dataset} (${(error as Error).message}): ${PIPELINE_HINT}`);
  }
  try {
    const bundle = loadModelArtifacts(modelDir);
    // The catalogue's overlay (movies added, changed, hidden through the API), as a server starting now applies it.
    const overlay = await readCatalogueOverlay(config);
    const catalogueChanges = overlay.map((row) => ({
      movieId: row.movieId,
      fields: { title: row.fields.title, year: row.fields.year, genres: row.fields.genres },
      hidden: row.hidden,
    }));
    // No per-user top lists: a one-shot command asks one question, precomputing them all would cost more.
    return new Recommender(bundle, catalog, {
      maxRecommendations: config.serving.maxRecommendations,
      precomputeBudget: 0,
      catalogueChanges,
    });
  } catch (error) {
    catalog.close();
    if (error instanceof ModelLoadError) throw new CliFailure(`the model for ${dataset} cannot be loaded (${error.message}): ${PIPELINE_HINT}`);
    throw error;
  }
}
