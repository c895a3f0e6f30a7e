/** @reelrank/database: the SQLite store (drizzle schema + migrations), its bulk loader and the queries the stages and the server use. */
export { type DbConnection, openDatabase } from './lib/create-db.js';
export { streamCsv } from './lib/csv-stream.js';
export { loadDatabase } from './lib/load-database.js';
export {
  getAllMovies,
  getDatasetMeta,
  getUserRatedMovieIds,
  getUserRatings,
  readRatingsColumns,
  readRatingsColumnsSql,
  searchMovies,
  type DatasetMeta,
  type RatingsColumns,
  type UserRating,
} from './lib/queries.js';
export { normalizeTitle } from './lib/title-search.js';
export {
  CATALOGUE_PG_SCHEMA,
  PostgresCatalogueError,
  readPostgresCatalogue,
  readPostgresDatasetMeta,
  type CatalogueMovieRow,
  type PostgresCatalogueReader,
} from './lib/postgres-read.js';
