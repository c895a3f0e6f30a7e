export * as schema from './schema.js';
export * from './lib/create-db.js';
export * from './lib/csv-stream.js';
export * from './lib/load-database.js';
export * from './lib/queries.js';
export * from './lib/title-search.js';
