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
  type UserRating,
} from './lib/queries.js';
