/**
 * @reelrank/serving: turns model artifacts and the catalogue into answers, without any HTTP. The API
 * and the CLI both answer through it, so they answer identically.
 */
export { Recommender, type FoldedStrategy, type NewUserRating, type RecommendOptions, type RecommenderOptions } from './lib/recommender.js';
export {
  inMemoryCatalog,
  openSqliteCatalog,
  ratingTableFromColumns,
  type CatalogMovie,
  type CatalogRating,
  type MovieCatalog,
  type MovieSearch,
  type RatingTable,
  type SqliteMovieCatalog,
} from './lib/catalog.js';
export type { FoldedUser } from './lib/folded-user.js';
export type { MovieChange } from './lib/catalogue-changes.js';
export { TitleSearchIndex, type TitleSearch } from './lib/title-search-index.js';
export type { RankingAgreement } from './lib/ranking-agreement.js';
export { TASTE_PROFILE, withoutRatedMovies } from './lib/explain.js';
export { movieNotFound, ServingError, type FieldProblem, type ServingErrorKind } from './lib/errors.js';
export type { Because, MovieDetails, MovieFields, MovieRecommendation, SearchResponse, SimilarResponse } from './lib/answers.js';
export { openPostgresCatalog, type PostgresMovieCatalog } from './lib/postgres-catalog.js';
export {
  CatalogSourceError,
  describeCatalogSource,
  openCatalog,
  openCatalogSource,
  type CatalogSelection,
  type CatalogSource,
} from './lib/catalog-source.js';
export { servedBundle } from './lib/served-bundle.js';
