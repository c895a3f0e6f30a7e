/**
 * The serving logic without the HTTP layer (no Express, Swagger UI or logger): what the CLI loads,
 * so a one-shot terminal answer does not pay for the web stack's start-up.
 */
export { Recommender, type NewUserRating, type RecommendOptions, type RecommenderOptions } from './lib/recommender.js';
export { inMemoryCatalog, openSqliteCatalog, type CatalogMovie, type MovieCatalog } from './lib/catalog.js';
export { ApiError } from './lib/errors.js';
