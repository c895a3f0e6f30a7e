import { z } from 'zod';
import { MAX_ID, movieId } from './schemas.js';

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
    q: z.string().trim().min(1).max(200).optional().meta({ description: 'Title text: prefix matches first, then substring matches', example: 'matrix' }),
    genre: z.string().min(1).max(100).optional().meta({ description: 'Exact genre name, e.g. Sci-Fi', example: 'Sci-Fi' }),
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ example: 20 }),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0).meta({ example: 0 }),
  })
  .strict();

export const searchResponse = z.object({
  total: z.number().int().meta({ description: 'All matches, for paging' }),
  movies: z.array(z.object(movieFields)),
});

export type SimilarResponse = z.output<typeof similarResponse>;
export type SearchResponse = z.output<typeof searchResponse>;
