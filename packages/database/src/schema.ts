import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The SQLite schema of data/<dataset>.db. drizzle-kit generates the migrations in ../drizzle from
 * this file (`npx drizzle-kit generate --config packages/database/drizzle.config.ts`); after any
 * change here, regenerate and commit the new migration.
 *
 * No foreign keys: the ingest stage already guarantees referential integrity of ratings, and
 * per-row FK checks would only slow the bulk load down.
 */

export const movies = sqliteTable(
  'movies',
  {
    movieId: integer('movie_id').primaryKey(),
    /** As in the source, with the "(1995)" suffix. */
    title: text('title').notNull(),
    year: integer('year'),
    /** `|`-joined, empty when the source lists none. */
    genres: text('genres').notNull(),
    /** normalizeTitle(title): lower-cased, accents and articles dropped; what title search matches. */
    titleSearch: text('title_search').notNull(),
  },
  // Title-prefix search is a range scan on this index (title_search >= ? AND title_search < ?).
  (t) => [index('movies_title_search_idx').on(t.titleSearch)],
);

export const movieGenres = sqliteTable(
  'movie_genres',
  {
    movieId: integer('movie_id').notNull(),
    genre: text('genre').notNull(),
  },
  // Genre first, so "movies of genre X" is a covering-index lookup.
  (t) => [primaryKey({ columns: [t.genre, t.movieId] })],
);

export const ratings = sqliteTable(
  'ratings',
  {
    userId: integer('user_id').notNull(),
    movieId: integer('movie_id').notNull(),
    rating: real('rating').notNull(),
    /** Seconds since the Unix epoch. */
    timestamp: integer('timestamp').notNull(),
  },
  (t) => [
    // The PK index serves "what has this user rated" and the trainer's ordered full read.
    primaryKey({ columns: [t.userId, t.movieId] }),
    // Per-movie statistics (popularity, rating counts).
    index('ratings_movie_id_idx').on(t.movieId),
  ],
);

export const links = sqliteTable('links', {
  movieId: integer('movie_id').primaryKey(),
  /** Text: IMDb ids keep their leading zeros ("0114709"). */
  imdbId: text('imdb_id'),
  tmdbId: integer('tmdb_id'),
});

export const tags = sqliteTable(
  'tags',
  {
    userId: integer('user_id').notNull(),
    movieId: integer('movie_id').notNull(),
    tag: text('tag').notNull(),
    timestamp: integer('timestamp').notNull(),
  },
  (t) => [index('tags_movie_id_idx').on(t.movieId)],
);

/** Provenance of the load: dataset name, dataHash of the processed files, row counts, loadedAt. */
export const datasetMeta = sqliteTable('dataset_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
