/** @reelrank/feedback: ratings posted to the running service, behind one interface (RatingsStore); SQLite is the embedded implementation, PostgreSQL the shared one. */
export {
  InvalidRatingError,
  isValidRating,
  UNKNOWN_SOURCE,
  RatingsQuotaError,
  type NewRating,
  type PostedRating,
  type PurgeSelector,
  type PutOptions,
  type RatingSource,
  type RatingsStore,
  type StoredRating,
  type StoreVersion,
} from './lib/ratings-store.js';
export {
  openSqliteRatingsStore,
  readSqliteRatingsSnapshot,
  type SqliteRatingsStore,
  type SqliteRatingsStoreOptions,
} from './lib/sqlite-ratings-store.js';
export { openPostgresRatingsStore, type PostgresRatingsStore, type PostgresRatingsStoreOptions } from './lib/postgres-ratings-store.js';
export { openRatingsStore, type RatingsStoreSelection, type SelectedRatingsStore } from './lib/open-ratings-store.js';
export { type WriterExitListener } from './lib/thread-writer.js';
export { ratings as sqliteRatingsTable } from './lib/schema-sqlite.js';
export { postedRatings as postgresPostedRatingsTable, postedRatingsIdSeq } from './lib/schema-postgres.js';
export { SQLITE_MIGRATIONS_FOLDER } from './lib/sqlite-migrations.js';
export { POSTGRES_MIGRATIONS_FOLDER, POSTGRES_MIGRATIONS_TABLE } from './lib/postgres-schema.js';
export { hashApiKey, isKeyRole, KEY_CACHE_MS, KEY_ROLES, KEY_TOUCH_MS, newApiKey, type ApiKey, type KeyRole, type KeyStore } from './lib/api-keys.js';
export { openSqliteKeyStore } from './lib/sqlite-key-store.js';
export { openPostgresKeyStore, type PostgresKeyStoreOptions } from './lib/postgres-key-store.js';
export { openKeyStore } from './lib/open-key-store.js';
export { apiKeys as sqliteApiKeysTable } from './lib/schema-sqlite.js';
export { apiKeys as postgresApiKeysTable } from './lib/schema-postgres.js';
export { type HeldTrainingLock, trainingLockKey, tryPostgresTrainingLock } from './lib/postgres-training-lock.js';
export {
  EXCLUDING_KINDS,
  InvalidSignalError,
  isSignalKind,
  SIGNAL_KINDS,
  SignalsQuotaError,
  type NewSignal,
  type SignalKind,
  type SignalsStore,
  type StoredSignal,
} from './lib/taste-signals.js';
export { openSqliteSignalsStore, readSqliteSignalsSnapshot } from './lib/sqlite-signals-store.js';
export { openPostgresSignalsStore, SIGNALS_CHANNEL, SIGNALS_VERSION_SQL } from './lib/postgres-signals-store.js';
export { openSignalsStore } from './lib/open-signals-store.js';
export { tasteSignals as sqliteTasteSignalsTable } from './lib/schema-sqlite.js';
export { postedSignals as postgresPostedSignalsTable } from './lib/schema-postgres.js';
export {
  checkFields,
  InvalidMovieError,
  MAX_GENRES,
  MAX_LABEL_LENGTH,
  MAX_TAGS,
  MAX_TITLE_LENGTH,
  OVERLAY_VERSION_SQL,
  type CatalogueOverlayStore,
  type MovieFields,
  type MoviePatch,
  type NewMovie,
  type OverlayMovie,
  type OverlayVersion,
} from './lib/catalogue-overlay.js';
export { openSqliteCatalogueOverlay, readSqliteCatalogueOverlay } from './lib/sqlite-catalogue-overlay.js';
export { openPostgresCatalogueOverlay, type PostgresCatalogueOverlayOptions } from './lib/postgres-catalogue-overlay.js';
export {
  CATALOGUE_CHANNEL,
  listenForCatalogueChanges,
  type CatalogueFeed,
  type CatalogueFeedEvents,
  type CatalogueListenerOptions,
} from './lib/postgres-catalogue-listener.js';
export { openCatalogueOverlay, readCatalogueOverlay } from './lib/open-catalogue-overlay.js';
export {
  checkNewExperiment,
  EXPERIMENT_OUTCOMES,
  ExperimentConflictError,
  type Experiment,
  type ExperimentOutcome,
  type ExperimentStatus,
  type ExperimentStore,
  type NewExperiment,
} from './lib/experiments.js';
export { openSqliteExperimentStore } from './lib/sqlite-experiment-store.js';
export { openPostgresExperimentStore, type PostgresExperimentStoreOptions } from './lib/postgres-experiment-store.js';
export { openExperimentStore } from './lib/open-experiment-store.js';
export { experiments as sqliteExperimentsTable } from './lib/schema-sqlite.js';
export { experiments as postgresExperimentsTable } from './lib/schema-postgres.js';
