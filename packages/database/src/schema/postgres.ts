import { bigint, customType, index, integer, pgSchema, primaryKey, real, text } from 'drizzle-orm/pg-core';
import { CATALOGUE_SCHEMA } from './catalogue-name.js';

/**
 * The PostgreSQL schema of the catalogue: the same tables, columns, nullability, primary keys and
 * indexes as ./sqlite.ts (schema-drift.spec.ts fails when the two drift), in the PostgreSQL schema
 * `reelrank_catalogue`. drizzle-kit generates ../../drizzle/postgres from this file
 * (`npx drizzle-kit generate --config packages/database/drizzle.postgres.config.ts`); after any change
 * here, regenerate and commit the new migration.
 *
 * Types where the dialects differ: timestamps are bigint (SQLite's integer is 64-bit), blobs bytea.
 * The database stage loads a copy of these tables into a staging schema and swaps it in by renames
 * (load-postgres.ts), so readers only ever see a complete catalogue.
 */

export { CATALOGUE_SCHEMA };

export const catalogue = pgSchema(CATALOGUE_SCHEMA);

/** bytea as a Buffer (drizzle's pg-core has no bytea builder; node-postgres returns bytea as Buffer). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});

export const movies = catalogue.table(
  'movies',
  {
    movieId: integer('movie_id').primaryKey(),
    title: text('title').notNull(),
    year: integer('year'),
    genres: text('genres').notNull(),
    titleSearch: text('title_search').notNull(),
  },
  (t) => [index('movies_title_search_idx').on(t.titleSearch)],
);

export const movieGenres = catalogue.table(
  'movie_genres',
  {
    movieId: integer('movie_id').notNull(),
    genre: text('genre').notNull(),
  },
  (t) => [primaryKey({ columns: [t.genre, t.movieId] })],
);

export const ratings = catalogue.table(
  'ratings',
  {
    userId: integer('user_id').notNull(),
    movieId: integer('movie_id').notNull(),
    rating: real('rating').notNull(),
    timestamp: bigint('timestamp', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.movieId] })],
);

/** Same byte layout as SQLite's (lib/rating-blobs.ts). */
export const userRatingBlobs = catalogue.table('user_rating_blobs', {
  userId: integer('user_id').primaryKey(),
  count: integer('count').notNull(),
  movieIds: bytea('movie_ids').notNull(),
  ratings: bytea('ratings').notNull(),
  timestamps: bytea('timestamps').notNull(),
});

export const links = catalogue.table('links', {
  movieId: integer('movie_id').primaryKey(),
  imdbId: text('imdb_id'),
  tmdbId: integer('tmdb_id'),
});

export const tags = catalogue.table(
  'tags',
  {
    userId: integer('user_id').notNull(),
    movieId: integer('movie_id').notNull(),
    tag: text('tag').notNull(),
    timestamp: bigint('timestamp', { mode: 'number' }).notNull(),
  },
  (t) => [index('tags_movie_id_idx').on(t.movieId)],
);

export const datasetMeta = catalogue.table('dataset_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const genomeTags = catalogue.table('genome_tags', {
  tagId: integer('tag_id').primaryKey(),
  tag: text('tag').notNull(),
});

export const genomeScores = catalogue.table(
  'genome_scores',
  {
    movieId: integer('movie_id').notNull(),
    tagId: integer('tag_id').notNull(),
    relevance: real('relevance').notNull(),
  },
  (t) => [primaryKey({ columns: [t.movieId, t.tagId] })],
);
