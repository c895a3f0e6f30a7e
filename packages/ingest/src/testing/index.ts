/** Test helpers of the ingest package for every project's tests (not part of the stage's production API). */
export {
  GENERATED_DATASET,
  generatedMovieLensSource,
  readCatalogue,
  readRatings,
  tempWorkspace,
  type CatalogueMovie,
  type GeneratedSourceOptions,
} from './movielens-source.js';
