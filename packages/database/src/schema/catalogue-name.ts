/**
 * The PostgreSQL schema holding the catalogue, and the query telling what it holds; in a file of their
 * own (no drizzle import) because tools/fingerprint-catalogue.mjs, an Nx runtime input run on every
 * hash, loads them.
 */
export const CATALOGUE_SCHEMA = 'reelrank_catalogue';

/** dataset and dataHash of the loaded catalogue (no rows when it was never loaded; run after checking dataset_meta exists). */
export const CATALOGUE_VERSION_SQL = `SELECT key, value FROM "${CATALOGUE_SCHEMA}".dataset_meta WHERE key IN ('dataset', 'dataHash')`;
