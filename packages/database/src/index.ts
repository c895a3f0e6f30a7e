/**
 * @reelrank/database: the catalogue store in two dialects (one drizzle schema, migrations for SQLite and
 * PostgreSQL), its bulk loaders and the queries the stages and the server use.
 */
export { type DbConnection, openDatabase } from './lib/create-db.js';
export { streamCsv } from './lib/csv-stream.js';
export { loadDatabase, type LoadDatabaseResult, type TableCounts } from './lib/load-database.js';
export { connectPostgres, loadPostgresDatabase, type LoadPostgresResult, PostgresUnreachableError } from './lib/load-postgres.js';
export {
  getAllMovies,
  getDatasetMeta,
  getGenomeScores,
  getMovieTagCounts,
  getUserRatedMovieIds,
  getUserRatings,
  readRatingsColumns,
  readRatingsColumnsSql,
  type DatasetMeta,
  type GenomeColumns,
  type RatingsColumns,
  type UserRating,
} from './lib/queries.js';
export {
  foldWords,
  MatchTier,
  matchTier,
  NO_MATCH,
  normalizeTitle,
  titleKey,
  titleQuery,
  type TitleKey,
  type TitleQuery,
} from './lib/title-search.js';
export { readCatalogueData, type CatalogueData } from './lib/read-catalogue.js';
export {
  PostgresCatalogueError,
  readPostgresCatalogue,
  readPostgresDatasetMeta,
  type CatalogueMovieRow,
  type MovieTagCount,
  type PostgresCatalogueReader,
} from './lib/postgres-read.js';
// The ratings step of the PostgreSQL load, for tools/bench-pg-load.ts to time on its own.
export { copyRatingColumns, copyRatingsFile, readRatingColumns } from './lib/pg-copy-ratings.js';
export { type CopyContext } from './lib/pg-copy-tables.js';
export { migratePostgresCatalogue, PG_MIGRATIONS, PG_MIGRATIONS_FOLDER } from './lib/postgres-catalogue.js';
export {
  CATALOGUE_SCHEMA,
  catalogue as pgCatalogue,
  datasetMeta as pgDatasetMeta,
  links as pgLinks,
  movieGenres as pgMovieGenres,
  movies as pgMovies,
  genomeScores as pgGenomeScores,
  genomeTags as pgGenomeTags,
  ratings as pgRatings,
  tags as pgTags,
  userRatingBlobs as pgUserRatingBlobs,
} from './schema/postgres.js';
