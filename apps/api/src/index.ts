export { createApp, defaultLogger, type CreateAppOptions } from './lib/app.js';
export { ModelHolder, ModelReloadError, type ReloadResult } from './lib/model-holder.js';
export { readApiEnv, type ApiEnvConfig } from './lib/api-config.js';
export { Recommender, type NewUserRating, type RecommendOptions, type RecommenderOptions } from './lib/recommender.js';
export { inMemoryCatalog, openSqliteCatalog, ratingTableFromColumns, type CatalogMovie, type MovieCatalog, type RatingTable, type SqliteMovieCatalog } from './lib/catalog.js';
export { buildSchemas, type ApiSchemas } from './lib/schemas.js';
export { buildOpenApiDocument } from './lib/openapi.js';
export { ApiError } from './lib/errors.js';
