import { z } from 'zod';
import { MAX_ID, movieId, type SameType } from './schemas.js';
import type * as Answers from '@reelrank/serving';

/**
 * Query-string and path schemas of the movie routes (strings coerced to numbers, since a URL
 * has no types) and their responses. Unknown query parameters are rejected like body fields.
 */

const movieFields = {
  movie_id: movieId,
  title: z.string().meta({ example: 'Matrix, The (1999)' }),
  genres: z.array(z.string()).meta({ example: ['Action', 'Sci-Fi', 'Thriller'] }),
  year: z.number().int().nullable().meta({ example: 1999 }),
};

export const movieIdParams = z
  .object({ movie_id: z.coerce.number().int().positive().max(MAX_ID).meta({ description: 'MovieLens movie id', example: 2571 }) })
  .strict();

export const similarQuery = z
  .object({ n: z.coerce.number().int().min(1).max(100).default(10).meta({ description: 'How many similar movies (1..100)', example: 5 }) })
  .strict();

export const similarResponse = z.object({
  movie_id: movieId,
  similar: z.array(
    z.object({ ...movieFields, similarity: z.number().min(-1).max(1).meta({ description: 'Cosine of the item factors', example: 0.912 }) }),
  ),
});

export const searchQuery = z
  .object({
    q: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .meta({
        description:
          'Title text, by relevance: the exact title first, then titles starting with these whole words, whole words anywhere, prefixes, substrings; ' +
          'ties by how many people rated the movie (and its year first when the text ends with one, "king kong 2005"); accents and articles folded',
        example: 'star wars',
      }),
    genre: z.string().min(1).max(100).optional().meta({ description: 'Exact genre name, e.g. Sci-Fi', example: 'Sci-Fi' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ example: 20 }),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0).meta({ example: 0 }),
  })
  .strict();

/** `GET /movies?search=&genre=&limit=&offset=` (the list form; /movies/search?q= is an alias). */
export const moviesQuery = z
  .object({
    search: searchQuery.shape.q,
    genre: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'Genre name, case-insensitive, e.g. Sci-Fi (unknown genres are a 400)', example: 'Sci-Fi' }),
    limit: searchQuery.shape.limit,
    offset: searchQuery.shape.offset,
    include_hidden: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true')
      .meta({ description: 'true: list hidden movies too (service or admin identities only; others get 403)', example: 'false' }),
  })
  .strict();

export const movieDetails = z.object({
  ...movieFields,
  ratings_count: z.number().int().meta({ description: 'Ratings of this movie in the database', example: 329 }),
  mean_rating: z.number().nullable().meta({ description: 'Their mean, null without ratings', example: 4.164 }),
  in_model: z.boolean().meta({ description: 'Whether the loaded model has factors for it (otherwise it is never recommended)' }),
  hidden: z.boolean().meta({ description: 'Hidden by a service or admin: never recommended, similar or listed by default (only they see it here)' }),
});

export const searchResponse = z.object({
  total: z.number().int().meta({ description: 'All matches, for paging' }),
  movies: z.array(z.object(movieFields)),
});

export type SimilarResponse = z.output<typeof similarResponse>;
export type SearchResponse = z.output<typeof searchResponse>;
export type MovieDetails = z.output<typeof movieDetails>;

/** Routes without query parameters reject any (like unknown body fields). */
export const noQuery = z.object({}).strict();

/** Compile-time proof that these schemas describe exactly the serving library's answer types. */
const sameAnswerShapes: [
  SameType<SimilarResponse, Answers.SimilarResponse>,
  SameType<SearchResponse, Answers.SearchResponse>,
  SameType<MovieDetails, Answers.MovieDetails>,
] = [true, true, true];
void sameAnswerShapes;
