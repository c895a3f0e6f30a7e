export { createApp, defaultLogger, type CreateAppOptions } from './lib/app.js';
export { Recommender, type NewUserRating, type RecommendOptions, type RecommenderOptions } from './lib/recommender.js';
export { inMemoryCatalog, openSqliteCatalog, type CatalogMovie, type MovieCatalog } from './lib/catalog.js';
export { buildSchemas, type ApiSchemas } from './lib/schemas.js';
export { buildOpenApiDocument } from './lib/openapi.js';
export { ApiError } from './lib/errors.js';
