/** @reelrank/csv: the one CSV reader, shared by the ingest stage and the database loaders. */
export {
  formatOfFile,
  parseId,
  parseRatingFields,
  parseRatingsFile,
  pushRatingFields,
  ratingColumnsFromHeader,
  STANDARD_RATING_COLUMNS,
  type ParsedRatings,
  type ParseProgress,
  type RatingColumns,
  type RatingsFileFormat,
} from './lib/parse-ratings.js';
export { RatingsBuffer } from './lib/ratings-buffer.js';
export {
  detectEncoding,
  headerColumns,
  ParsedRows,
  streamRows,
  type ParsedFile,
  type StreamRowsOptions,
  type TextEncoding,
} from './lib/stream-rows.js';
