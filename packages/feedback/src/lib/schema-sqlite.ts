import { index, integer, real, sqliteTable, unique } from 'drizzle-orm/sqlite-core';

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
  },
  // One rating per pair; userVersion (a user's newest id) is an index-only lookup.
  (t) => [unique('ratings_user_movie').on(t.userId, t.movieId), index('ratings_user_newest').on(t.userId, t.id)],
);
