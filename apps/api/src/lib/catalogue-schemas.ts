import { z } from 'zod';
import { MAX_GENRES, MAX_LABEL_LENGTH, MAX_TAGS, MAX_TITLE_LENGTH } from '@reelrank/feedback';
import { movieId } from './schemas.js';

/**
 * Bodies and answers of the catalogue's write routes (catalogue-routes.ts): POST /movies adds a
 * movie, PATCH /movies/{movie_id} changes or hides one. Unknown fields are refused like everywhere.
 */

const title = z
  .string()
  .trim()
  .min(1)
  .max(MAX_TITLE_LENGTH)
  .meta({ description: 'As MovieLens writes titles, with the year: "Matrix, The (1999)"', example: 'Brand New Film, The (2026)' });
const year = z.number().int().min(1800).max(2200).nullable().meta({ description: 'Release year, null when unknown', example: 2026 });
const label = z.string().trim().min(1).max(MAX_LABEL_LENGTH);
const genres = z
  .array(label.refine((g) => !g.includes('|'), 'a genre cannot contain "|"'))
  .max(MAX_GENRES)
  .meta({ description: "Genre names (the data set's, e.g. Sci-Fi, or new ones)", example: ['Drama', 'Sci-Fi'] });
const tags = z
  .array(label)
  .max(MAX_TAGS)
  .meta({ description: 'Free-text tags describing the movie', example: ['space', 'slow burn'] });
const imdbId = z
  .string()
  .regex(/^\d{1,10}$/, 'digits only, without "tt"')
  .nullable()
  .meta({ description: 'IMDb id without "tt" (links.csv style)', example: '0133093' });
const tmdbId = z.number().int().positive().max(2_147_483_647).nullable().meta({ description: 'TMDb id', example: 603 });

export const newMovieRequest = z
  .object({ title, year, genres, tags: tags.optional(), imdb_id: imdbId.optional(), tmdb_id: tmdbId.optional() })
  .strict();

export const moviePatchRequest = z
  .object({
    title: title.optional(),
    year: year.optional(),
    genres: genres.optional(),
    tags: tags.optional(),
    imdb_id: imdbId.optional(),
    tmdb_id: tmdbId.optional(),
    hidden: z
      .boolean()
      .optional()
      .meta({ description: 'true hides the movie (never recommended, similar or listed by default); false shows it again' }),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'name at least one field to change', path: ['body'] });

export const catalogueMovieResponse = z.object({
  movie_id: movieId,
  title: z.string(),
  year: z.number().int().nullable(),
  genres: z.array(z.string()),
  tags: z.array(z.string()).nullable().meta({ description: 'Tags set through the API (null: none set)' }),
  imdb_id: z.string().nullable(),
  tmdb_id: z.number().int().nullable(),
  hidden: z.boolean(),
  added: z.boolean().meta({ description: 'true: added through the API; false: a data-set movie changed through it' }),
  revision: z
    .number()
    .int()
    .meta({ description: "The overlay's revision of this write (every API process serves it within serving.catalogueRefreshMs)" }),
});

export type NewMovieRequest = z.output<typeof newMovieRequest>;
export type MoviePatchRequest = z.output<typeof moviePatchRequest>;
export type CatalogueMovieResponse = z.output<typeof catalogueMovieResponse>;
