import { z } from 'zod';
import { MAX_ID, movieId, userId } from './schemas.js';

/**
 * Schemas of the ratings routes (POST /ratings, GET and DELETE /users/{user_id}/ratings[/{movie_id}]): they
 * validate the requests and generate their part of the OpenAPI document (openapi.ts).
 */

export const MAX_RATINGS_PER_POST = 1000;
/** Latest accepted timestamp: 2100-01-01 (later ones are typos of milliseconds). */
const MAX_TIMESTAMP = 4_102_444_800;

const ratingValue = z.number().min(0.5).max(5).multipleOf(0.5).meta({ description: '0.5..5.0 in half steps', example: 4.5 });
const timestamp = z.number().int().min(0).max(MAX_TIMESTAMP).meta({ description: 'Unix seconds', example: 1_767_225_600 });

export const ratingInput = z
  .object({
    user_id: userId,
    movie_id: movieId,
    rating: ratingValue,
    timestamp: timestamp.optional().meta({ description: "When the user rated (Unix seconds); the server's clock when absent" }),
  })
  .strict()
  .meta({ examples: [{ user_id: 1, movie_id: 2571, rating: 4.5 }] });

export const ratingsBatch = z
  .object({
    ratings: z
      .array(ratingInput)
      .min(1)
      .max(MAX_RATINGS_PER_POST)
      .refine((list) => new Set(list.map((r) => `${r.user_id}:${r.movie_id}`)).size === list.length, {
        message: 'each (user_id, movie_id) pair may appear once per batch',
      }),
  })
  .strict()
  .meta({
    examples: [
      {
        ratings: [
          { user_id: 1, movie_id: 2571, rating: 4.5 },
          { user_id: 1, movie_id: 1, rating: 2, timestamp: 1_767_225_600 },
        ],
      },
    ],
  });

/** The body of POST /ratings as documented: one rating, or a batch under "ratings" (validation picks by that key). */
export const ratingsRequest = z.union([ratingInput, ratingsBatch]);

const storedRating = z.object({
  id: z.number().int().positive().meta({ description: "The store's sequence number: a later write has a larger id", example: 100837 }),
  user_id: userId,
  movie_id: movieId,
  rating: ratingValue,
  timestamp,
});

export const ratingsPostResponse = z.object({
  ratings: z.array(storedRating).meta({ description: 'What was stored, in the order posted; durable when this answer is sent' }),
});

export const userIdParams = z
  .object({ user_id: z.coerce.number().int().positive().max(MAX_ID).meta({ description: 'MovieLens user id', example: 1 }) })
  .strict();

export const userRatingsResponse = z.object({
  user_id: userId,
  ratings: z.array(
    z.object({
      movie_id: movieId,
      rating: ratingValue,
      timestamp,
      source: z.enum(['original', 'new']).meta({
        description: 'original: from the data set the model was trained on; new: posted to POST /ratings (replaces an original of the same movie)',
      }),
    }),
  ),
  counts: z.object({
    original: z.number().int().meta({ description: 'Ratings of the user in the data set (including ones a new rating replaces)' }),
    new: z.number().int().meta({ description: 'Ratings the user posted' }),
  }),
});

export const forgetResponse = z.object({
  user_id: userId,
  forgotten: z.number().int().meta({ description: 'Posted ratings deleted (the original ones stay)', example: 3 }),
});

export const userMovieParams = userIdParams
  .extend({ movie_id: z.coerce.number().int().positive().max(MAX_ID).meta({ description: 'MovieLens movie id', example: 2571 }) })
  .strict();

export const forgetOneResponse = z.object({
  user_id: userId,
  movie_id: movieId,
  forgotten: z
    .number()
    .int()
    .min(0)
    .max(1)
    .meta({ description: '1: the posted rating was deleted; 0: the user had posted none for the movie', example: 1 }),
});

export type RatingInput = z.output<typeof ratingInput>;
