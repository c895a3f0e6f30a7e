import { sql } from 'drizzle-orm';
import { bigint, check, doublePrecision, index, integer, pgSequence, pgTable, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * The posted-ratings table on PostgreSQL (DATABASE_URL), the shared store. The SQLite twin is
 * schema-sqlite.ts: same columns, keys and index (schema.spec.ts fails when the two drift apart).
 * drizzle-kit generates ../../drizzle/postgres from this file
 * (`npx drizzle-kit generate --config packages/feedback/drizzle.postgres.config.ts`).
 *
 * The table is `posted_ratings`, not `ratings`: the catalogue shares the database (schema
 * reelrank_catalogue), and its `ratings` are the data set's. The constraint names are the ones
 * PostgreSQL gave the hand-written schema this replaces (`UNIQUE (...)` and a column CHECK), so a
 * database created by that code and one created by these migrations are the same (a test compares them).
 */

/** Ids come from one sequence that only grows (never reused, also after deletes: StoreVersion relies on it). */
export const postedRatingsIdSeq = pgSequence('posted_ratings_id_seq');

export const postedRatings = pgTable(
  'posted_ratings',
  {
    // Drawn by the writer under its advisory lock (postgres-ratings-store.ts), not a column default:
    // ids must follow commit order across every replica.
    id: bigint('id', { mode: 'number' }).primaryKey(),
    userId: bigint('user_id', { mode: 'number' }).notNull(),
    movieId: bigint('movie_id', { mode: 'number' }).notNull(),
    rating: doublePrecision('rating').notNull(),
    /** Unix seconds. */
    timestamp: bigint('timestamp', { mode: 'number' }).notNull(),
    /** Who wrote it: the caller's identity subject ('key:<id>', 'visitor:<id>', 'admin-token', 'addr:<address>'); 'unknown' before it was recorded. */
    source: text('source').notNull().default('unknown'),
    /** The writer's client address (its rate-limit key): training bounds what one address's visitors weigh. */
    sourceAddress: text('source_address').notNull().default('unknown'),
    /** Unix seconds by the store's clock when it was written (`timestamp` may come from the client): what a purge by time reads. */
    postedAt: bigint('posted_at', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    unique('posted_ratings_user_id_movie_id_key').on(t.userId, t.movieId),
    index('posted_ratings_user_newest').on(t.userId, t.id),
    check('posted_ratings_rating_check', sql`${t.rating} >= 0.5 AND ${t.rating} <= 5 AND ${t.rating} * 2 = trunc(${t.rating} * 2)`),
  ],
);

/** API keys (key-store.ts): the SQLite twin is `apiKeys` in schema-sqlite.ts. Only the key's SHA-256 is kept. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    keyHash: text('key_hash').notNull(),
    /** Unix seconds, as the SQLite table. */
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
  },
  (t) => [unique('api_keys_key_hash').on(t.keyHash), check('api_keys_role_check', sql`${t.role} IN ('reader', 'service', 'admin')`)],
);

/** Ids of the taste signals: one growing sequence, drawn under the user's lock (postgres-signals-store.ts). */
export const postedSignalsIdSeq = pgSequence('posted_signals_id_seq');

/** Taste signals on PostgreSQL: the SQLite twin is `tasteSignals` in schema-sqlite.ts. */
export const postedSignals = pgTable(
  'posted_signals',
  {
    id: bigint('id', { mode: 'number' }).primaryKey(),
    userId: bigint('user_id', { mode: 'number' }).notNull(),
    movieId: bigint('movie_id', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    source: text('source').notNull().default('unknown'),
    sourceAddress: text('source_address').notNull().default('unknown'),
  },
  (t) => [
    unique('posted_signals_user_movie_kind').on(t.userId, t.movieId, t.kind),
    index('posted_signals_user_newest').on(t.userId, t.id),
    check('posted_signals_kind_check', sql`${t.kind} IN ('not_interested', 'seen', 'watchlist')`),
  ],
);

/** The catalogue's overlay (catalogue-overlay.ts): the SQLite twin is `catalogueMovies` in schema-sqlite.ts. */
export const catalogueMovies = pgTable(
  'catalogue_movies',
  {
    movieId: bigint('movie_id', { mode: 'number' }).primaryKey(),
    // Drawn as max + 1 under the writers' advisory lock (postgres-catalogue-overlay.ts): revisions follow commit order.
    revision: bigint('revision', { mode: 'number' }).notNull(),
    created: integer('created').notNull(),
    fields: text('fields').notNull(),
    hidden: integer('hidden').notNull(),
    source: text('source').notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [unique('catalogue_movies_revision').on(t.revision)],
);

/** A/B experiments between model versions: the SQLite twin is `experiments` in schema-sqlite.ts (times in Unix milliseconds). */
export const experiments = pgTable(
  'experiments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    controlVersion: text('control_version').notNull(),
    challengerVersion: text('challenger_version').notNull(),
    share: doublePrecision('share').notNull(),
    seed: bigint('seed', { mode: 'number' }).notNull(),
    status: text('status').notNull(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    endedAt: bigint('ended_at', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('experiments_one_running')
      .on(t.status)
      .where(sql`${t.status} = 'running'`),
    check('experiments_status_check', sql`${t.status} IN ('running', 'promoted', 'dropped')`),
    check('experiments_share_check', sql`${t.share} > 0 AND ${t.share} < 1`),
  ],
);
