import { blob, index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The SQLite schema of data/<dataset>.db. drizzle-kit generates the migrations in ../../drizzle from
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

/**
 * WITHOUT ROWID (added by the hand-written migration 0001_ratings_without_rowid.sql, as drizzle
 * cannot express it): the rows live in the (user_id, movie_id) primary-key b-tree itself, so the
 * sorted bulk load appends to one b-tree instead of a table plus an index, and the per-user read
 * is a primary-key range scan. If a future change to this table makes drizzle-kit rebuild it,
 * carry WITHOUT ROWID into that migration (a test checks it). Declarative drizzle table (alike the other tables by shape only).
 */
export const ratings = sqliteTable(
  'ratings',
  {
    userId: integer('user_id').notNull(),
    movieId: integer('movie_id').notNull(),
    rating: real('rating').notNull(),
    /** Seconds since the Unix epoch. */
    timestamp: integer('timestamp').notNull(),
  },
  // The primary key (the table itself, WITHOUT ROWID) serves "what has this user rated". No
  // secondary index: no query looks ratings up by movie (the API's per-movie data comes from the
  // model artifacts), and a (movie_id) index over 20M rows would add ~5 s and ~200 MB to the load.
  (t) => [primaryKey({ columns: [t.userId, t.movieId] })],
);

/**
 * Every user's ratings packed into one row (see lib/rating-blobs.ts for the layout), written at
 * load time: readRatingsColumns reads ~138k rows instead of 20M. Derived from `ratings`.
 */
export const userRatingBlobs = sqliteTable('user_rating_blobs', {
  userId: integer('user_id').primaryKey(),
  /** Ratings in this row. */
  count: integer('count').notNull(),
  /** Int32 LE movie ids, ascending. */
  movieIds: blob('movie_ids', { mode: 'buffer' }).notNull(),
  /** Uint8 half-stars (count bytes) or Float32 LE (4 * count bytes). */
  ratings: blob('ratings', { mode: 'buffer' }).notNull(),
  /** Uint32 LE (4 * count bytes) or Float64 LE (8 * count bytes) Unix seconds. */
  timestamps: blob('timestamps', { mode: 'buffer' }).notNull(),
});

export const links = sqliteTable('links', {
  movieId: integer('movie_id').primaryKey(),
  /** Text: IMDb ids keep their leading zeros ("0114709"). */
  imdbId: text('imdb_id'),
  tmdbId: integer('tmdb_id'),
});

// Declarative drizzle table (alike the other tables by shape only).
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

/** The tag genome's tags (ml-20m/25m/32m genome-tags.csv); empty when the data set has no genome. */
export const genomeTags = sqliteTable('genome_tags', {
  tagId: integer('tag_id').primaryKey(),
  tag: text('tag').notNull(),
});

/** Each genome tag's relevance (0..1) to a movie (genome-scores.csv); movie first, so a movie's vector is one range scan. */
export const genomeScores = sqliteTable(
  'genome_scores',
  {
    movieId: integer('movie_id').notNull(),
    tagId: integer('tag_id').notNull(),
    relevance: real('relevance').notNull(),
  },
  (t) => [primaryKey({ columns: [t.movieId, t.tagId] })],
);
