import { sql } from 'drizzle-orm';
import { check, index, integer, real, sqliteTable, text, unique, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The posted-ratings table of the SQLite ratings file (data/<dataset>.ratings.db), the embedded store.
 * Its PostgreSQL twin is schema-postgres.ts: same columns, keys and index, so the two stores keep one
 * semantics (schema.spec.ts fails when the two drift apart). drizzle-kit generates ../../drizzle/sqlite
 * from this file (`npx drizzle-kit generate --config packages/feedback/drizzle.sqlite.config.ts`).
 *
 * The writer (group-writer.js) queries it with plain SQL: it runs on a worker thread without a TS loader.
 */
export const ratings = sqliteTable(
  'ratings',
  {
    // AUTOINCREMENT: ids are never reused, also after deletes (StoreVersion relies on it). INSERT OR
    // REPLACE deletes the old row of a (user, movie) pair and inserts a new one with a new, larger id.
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull(),
    movieId: integer('movie_id').notNull(),
    rating: real('rating').notNull(),
    /** Unix seconds. */
    timestamp: integer('timestamp').notNull(),
    /** Who wrote it: the caller's identity subject ('key:<id>', 'visitor:<id>', 'admin-token', 'addr:<address>'); 'unknown' before it was recorded. */
    source: text('source').notNull().default('unknown'),
    /** The writer's client address (its rate-limit key): training bounds what one address's visitors weigh. */
    sourceAddress: text('source_address').notNull().default('unknown'),
    /** Unix seconds by the store's clock when it was written (`timestamp` may come from the client): what a purge by time reads. */
    postedAt: integer('posted_at').notNull().default(0),
  },
  // One rating per pair; userVersion (a user's newest id) is an index-only lookup.
  (t) => [unique('ratings_user_movie').on(t.userId, t.movieId), index('ratings_user_newest').on(t.userId, t.id)],
);

/**
 * API keys (key-store.ts): only the SHA-256 of a key is kept, never the key. Times are Unix seconds;
 * revoked_at set means refused. The PostgreSQL twin is `apiKeys` in schema-postgres.ts.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** reader | service | admin (KEY_ROLES). */
    role: text('role').notNull(),
    /** Hex SHA-256 of the key. */
    keyHash: text('key_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [unique('api_keys_key_hash').on(t.keyHash), check('api_keys_role_check', sql`${t.role} IN ('reader', 'service', 'admin')`)],
);

/**
 * Taste signals besides ratings (taste-signals.ts): "not interested", "seen" without a rating, and
 * the watchlist, one row per (user, movie, kind). Written like the ratings (the writer thread,
 * group-writer.js), ids from a sequence of their own that only grows. The PostgreSQL twin is
 * `postedSignals` in schema-postgres.ts.
 */
export const tasteSignals = sqliteTable(
  'taste_signals',
  {
    // AUTOINCREMENT: never reused, so a user's newest id (with the restamp after a delete) versions their signals.
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').notNull(),
    movieId: integer('movie_id').notNull(),
    /** not_interested | seen | watchlist (SIGNAL_KINDS). */
    kind: text('kind').notNull(),
    /** Unix seconds by the store's clock. */
    createdAt: integer('created_at').notNull(),
    source: text('source').notNull().default('unknown'),
    sourceAddress: text('source_address').notNull().default('unknown'),
  },
  (t) => [
    unique('taste_signals_user_movie_kind').on(t.userId, t.movieId, t.kind),
    index('taste_signals_user_newest').on(t.userId, t.id),
    check('taste_signals_kind_check', sql`${t.kind} IN ('not_interested', 'seen', 'watchlist')`),
  ],
);

/**
 * The catalogue's overlay (catalogue-overlay.ts): movies added through the API and changes to the data
 * set's movies, kept here because no stage rebuilds this file, so they survive a new ingest and load
 * of the data set. One row per movie: `fields` is the JSON of the fields set (all of them for an added
 * movie), `revision` grows with every write (never reused), so "rows above revision r" are the changes
 * since r. The PostgreSQL twin is `catalogueMovies` in schema-postgres.ts.
 */
export const catalogueMovies = sqliteTable(
  'catalogue_movies',
  {
    movieId: integer('movie_id').primaryKey(),
    revision: integer('revision').notNull(),
    /** 1: added through the API (not in the data set). */
    created: integer('created').notNull(),
    /** JSON: title, year, genres, tags, imdbId, tmdbId as set. */
    fields: text('fields').notNull(),
    /** 1: never recommended, similar or listed by default. */
    hidden: integer('hidden').notNull(),
    /** The identity subject of the last write. */
    source: text('source').notNull(),
    /** Unix seconds by the store's clock of the last write. */
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [unique('catalogue_movies_revision').on(t.revision)],
);

/**
 * A/B experiments between model versions (experiment-store.ts): a challenger version gets `share` of
 * the users; at most one row is 'running' (the partial unique index). Times are Unix milliseconds.
 * The PostgreSQL twin is `experiments` in schema-postgres.ts.
 */
export const experiments = sqliteTable(
  'experiments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** The version live when the experiment started (the control arm's at that time). */
    controlVersion: text('control_version').notNull(),
    challengerVersion: text('challenger_version').notNull(),
    share: real('share').notNull(),
    seed: integer('seed').notNull(),
    /** running | promoted | dropped */
    status: text('status').notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at'),
  },
  (t) => [
    uniqueIndex('experiments_one_running')
      .on(t.status)
      .where(sql`${t.status} = 'running'`),
    check('experiments_status_check', sql`${t.status} IN ('running', 'promoted', 'dropped')`),
    check('experiments_share_check', sql`${t.share} > 0 AND ${t.share} < 1`),
  ],
);
