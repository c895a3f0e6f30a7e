import { z } from 'zod';
import type * as Answers from '@reelrank/serving';

/**
 * Every request and response body of the API, as zod schemas. The same objects validate requests
 * (validate.ts) and generate the OpenAPI document (openapi.ts), so docs and behaviour cannot drift.
 *
 * Choices: request objects are `.strict()` (an unknown or misspelt field is a 400 naming it, rather
 * than silently ignored); numbers are never coerced from strings ("5" is a type error); ids are
 * positive 32-bit integers (MovieLens ids; the model stores them as int32).
 */

export const MAX_ID = 2_147_483_647;

/** The version that answered: the live one, or during an A/B experiment the challenger for a user in its arm. */
const modelVersion = z.string().meta({
  description: "The model version that answered (during an A/B experiment, the challenger's for users in its arm)",
  example: 'mf-0123456789ab',
});
export const MAX_BATCH_PAIRS = 1000;
export const MAX_LIST_ITEMS = 1000;

export interface SchemaLimits {
  /** Largest n_recommendations (config serving.maxRecommendations). */
  maxRecommendations: number;
  /** Most ratings a new-user request may fold in (config identity.limits.foldMaxRatings; default MAX_LIST_ITEMS). */
  foldMaxRatings?: number;
  /** Most distinct users one /predict/batch may name (config identity.limits.foldMaxUsers; default MAX_BATCH_PAIRS). */
  foldMaxUsers?: number;
}

const id = (what: string, example: number) =>
  z
    .number()
    .int()
    .positive()
    .max(MAX_ID)
    .meta({ description: `MovieLens ${what} id`, example });

export const userId = id('user', 1);
export const movieId = id('movie', 1);
const predictedRating = z.number().min(0.5).max(5).meta({ description: 'Predicted rating on the 0.5..5.0 scale, 3 decimals', example: 4.312 });

export const because = z.object({
  text: z.string().meta({
    description:
      "Short explanation: the user's highest-rated movies most similar to this one (cosine over item factors), or why a popular pick was chosen",
    example: 'Because you rated Star Wars: Episode IV - A New Hope (1977) (5.0) and Alien (1979) (4.5)',
  }),
  movie_ids: z.array(movieId).meta({ description: 'The rated movies the explanation names (empty for popular picks)', example: [260, 1214] }),
});

export const movieRecommendation = z.object({
  movie_id: movieId,
  title: z.string().meta({ example: 'Toy Story (1995)' }),
  genres: z.array(z.string()).meta({ example: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] }),
  year: z.number().int().nullable().meta({ description: 'Release year parsed from the title, null when absent', example: 1995 }),
  predicted_rating: predictedRating,
  because,
});

export const errorBody = z.object({
  error: z.object({
    status: z.number().int().meta({ example: 400 }),
    code: z.string().meta({ description: 'Stable machine-readable code', example: 'validation_error' }),
    message: z.string().meta({ example: 'Request body is invalid' }),
    details: z
      .array(
        z.object({ field: z.string().meta({ example: 'user_id' }), message: z.string().meta({ example: 'Too small: expected number to be >0' }) }),
      )
      .meta({ description: 'One entry per invalid field (dot path into the body)' }),
  }),
});

export const notReadyResponse = z.object({
  status: z.literal('loading'),
  error: z.object({ status: z.literal(503), code: z.literal('model_not_ready'), message: z.string() }),
});

export const adminReloadResponse = z.object({
  status: z
    .enum(['reloaded', 'unchanged'])
    .meta({ description: 'unchanged: the newest model on disk is the one already serving (it is still rebuilt)' }),
  version: z.string().meta({ description: 'The model version now live', example: 'mf-0123456789ab' }),
  previous_version: z.string().nullable(),
  dataset: z.string(),
  seconds: z.number(),
});

export const adminReloadFailure = errorBody.extend({
  live_version: z.string().nullable().meta({ description: 'The model version still serving', example: 'mf-0123456789ab' }),
});

export const healthResponse = z.object({ status: z.literal('ok') });

/** The details after `status` are given to an admin only; anyone else gets `{ "status": "ready" }`. */
export const readyResponse = z.object({
  status: z.literal('ready'),
  model: z
    .object({
      dataset: z.string().meta({ example: 'ml-latest-small' }),
      version: z.string().meta({ example: 'mf-0123456789ab' }),
      created_at: z.string().meta({ example: '2026-01-01T00:00:00.000Z' }),
      trained_at: z.string().meta({ description: 'When the model was trained (same as created_at)', example: '2026-01-01T00:00:00.000Z' }),
      factors: z.number().int(),
      users: z.number().int(),
      movies: z.number().int(),
      ranker: z.string().meta({
        description: 'What orders recommendation lists: the artifact\'s top-N ranker kind, or "rating-model"',
        example: 'implicit-als+rating+popularity',
      }),
      metrics: z.record(z.string(), z.unknown()).meta({ description: 'Headline test metrics of the model (full report: metrics.json)' }),
    })
    .optional()
    .meta({ description: 'The live model (admin only)' }),
  catalogue: z
    .object({
      movies: z.number().int(),
      kind: z
        .enum(['sqlite', 'postgres'])
        .optional()
        .meta({ description: 'Where the catalogue is read from: the SQLite file, or PostgreSQL (DATABASE_URL; read into memory at each load)' }),
      location: z.string().optional().meta({
        description: 'The SQLite file, or the PostgreSQL URL with its password masked',
        example: 'postgres://reelrank:***@db:5432/reelrank',
      }),
    })
    .optional()
    .meta({ description: 'The catalogue (admin only)' }),
  ratings_store: z
    .object({
      kind: z.enum(['sqlite', 'postgres']),
      location: z.string().meta({
        description: 'The SQLite file, or the PostgreSQL URL with its password masked',
        example: 'postgres://reelrank:***@db:5432/reelrank',
      }),
      reachable: z
        .boolean()
        .meta({ description: 'Whether the store answered (checked at most once a second); false: reads come from memory, writes get 503' }),
      error: z.string().optional().meta({ description: 'Why it is not reachable', example: 'connect ECONNREFUSED 10.0.0.5:5432' }),
    })
    .optional()
    .meta({ description: 'Where posted ratings go (POST /ratings) (admin only)' }),
});

/** The 400 of a /predict/batch naming more distinct users than one request may fold (the schema's, and recommendation-routes.ts's early check). */
export const tooManyBatchUsers = (maxUsers: number) => `at most ${maxUsers} distinct user_id per request (each may be folded in)`;

export function buildSchemas(limits: SchemaLimits) {
  const nRecommendations = z
    .number()
    .int()
    .min(1)
    .max(limits.maxRecommendations)
    .default(10)
    .meta({ description: `How many movies to return (1..${limits.maxRecommendations})`, example: 5 });

  const recommendationsRequest = z
    .object({
      user_id: userId,
      n_recommendations: nRecommendations,
      genres: z
        .array(z.string().min(1))
        .max(20)
        .optional()
        .meta({ description: 'Only movies with at least one of these genres (case-insensitive, e.g. "Sci-Fi")', example: ['Comedy'] }),
      exclude_movie_ids: z
        .array(movieId)
        .max(MAX_LIST_ITEMS)
        .optional()
        .meta({ description: 'Movies never to return (besides the ones the user rated)', example: [1, 2] }),
      diversity: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .meta({
          description:
            'How much to trade predicted score for variety (0..1; 0 or absent: the plain top n): the top 200 candidates re-ranked by maximal ' +
            'marginal relevance on the item factors, each pick penalised by its cosine to the picks before it. For users the model knows or ' +
            'folded in from their ratings; the cold-start list is not re-ranked',
          example: 0.5,
        }),
    })
    .strict()
    .meta({ examples: [{ user_id: 1, n_recommendations: 5 }] });

  const recommendationsResponse = z.object({
    user_id: userId,
    strategy: z.enum(['personalized', 'popular', 'fold-in', 'popular-blend']).meta({
      description:
        'personalized: the trained model scored the user; popular: unknown user, cold-start list; fold-in / popular-blend: the user posted ratings ' +
        '(POST /ratings) and was folded in from all of them (popular-blend: fewer than 5 usable, blended with the cold-start list)',
    }),
    recommendations: z.array(movieRecommendation),
    model_version: modelVersion,
  });

  const predictRequest = z
    .object({ user_id: userId, movie_id: movieId })
    .strict()
    .meta({ examples: [{ user_id: 1, movie_id: 1 }] });

  const predictResponse = z.object({ user_id: userId, movie_id: movieId, predicted_rating: predictedRating, model_version: modelVersion });

  const maxUsers = limits.foldMaxUsers ?? MAX_BATCH_PAIRS;
  const maxRatings = limits.foldMaxRatings ?? MAX_LIST_ITEMS;
  const batchPredictRequest = z
    .object({
      pairs: z
        .array(predictRequest)
        .min(1)
        .max(MAX_BATCH_PAIRS)
        .refine((pairs) => new Set(pairs.map((p) => p.user_id)).size <= maxUsers, {
          message: tooManyBatchUsers(maxUsers),
        })
        .meta({ description: `Up to ${MAX_BATCH_PAIRS} pairs of at most ${maxUsers} distinct users` }),
    })
    .strict()
    // Declarative: this schema's OpenAPI example (alike the other examples by shape only).
    .meta({
      examples: [
        {
          pairs: [
            { user_id: 1, movie_id: 1 },
            { user_id: 2, movie_id: 50 },
          ],
        },
      ],
    });

  const batchPredictResponse = z.object({ predictions: z.array(predictResponse) });

  const newUserRating = z
    .object({
      movie_id: movieId,
      rating: z.number().min(0.5).max(5).multipleOf(0.5).meta({ description: '0.5..5.0 in half steps', example: 4.5 }),
    })
    .strict();

  const newUserRecommendationsRequest = z
    .object({
      ratings: z
        .array(newUserRating)
        .max(maxRatings, { message: `at most ${maxRatings} ratings (the fold-in limit)` })
        .refine((list) => new Set(list.map((r) => r.movie_id)).size === list.length, { message: 'each movie_id may be rated once' })
        .meta({ description: `The new user's ratings (up to ${maxRatings}); 5 or more give fully personal results` }),
      n_recommendations: nRecommendations,
      genres: recommendationsRequest.shape.genres,
    })
    .strict()
    // Declarative: this schema's OpenAPI example (alike the other examples by shape only).
    .meta({
      examples: [
        {
          ratings: [
            { movie_id: 1, rating: 5 },
            { movie_id: 260, rating: 4.5 },
            { movie_id: 296, rating: 2 },
            { movie_id: 318, rating: 4 },
            { movie_id: 2571, rating: 5 },
          ],
          n_recommendations: 5,
        },
      ],
    });

  const newUserRecommendationsResponse = z.object({
    strategy: z.enum(['fold-in', 'popular-blend', 'popular']).meta({
      description: 'fold-in: 5+ usable ratings; popular-blend: fewer, ranked between the fold-in and the popular list; popular: none usable',
    }),
    ratings_used: z.number().int().meta({ description: 'Ratings of movies the model knows (the others are only excluded)' }),
    recommendations: z.array(movieRecommendation),
    model_version: modelVersion,
  });

  return {
    recommendationsRequest,
    recommendationsResponse,
    predictRequest,
    predictResponse,
    batchPredictRequest,
    batchPredictResponse,
    newUserRecommendationsRequest,
    newUserRecommendationsResponse,
  };
}

export type ApiSchemas = ReturnType<typeof buildSchemas>;
export type RecommendationsRequest = z.output<ApiSchemas['recommendationsRequest']>;
export type RecommendationsResponse = z.output<ApiSchemas['recommendationsResponse']>;
export type PredictRequest = z.output<ApiSchemas['predictRequest']>;
export type PredictResponse = z.output<ApiSchemas['predictResponse']>;
export type BatchPredictRequest = z.output<ApiSchemas['batchPredictRequest']>;
export type NewUserRecommendationsRequest = z.output<ApiSchemas['newUserRecommendationsRequest']>;
export type NewUserRecommendationsResponse = z.output<ApiSchemas['newUserRecommendationsResponse']>;
export type MovieRecommendation = z.output<typeof movieRecommendation>;
export type Because = z.output<typeof because>;
export type ErrorBody = z.output<typeof errorBody>;

/** True when A and B are the same type (both ways assignable). */
export type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compile-time proof that these schemas describe exactly the serving library's answer types. */
const sameAnswerShapes: [SameType<MovieRecommendation, Answers.MovieRecommendation>, SameType<Because, Answers.Because>] = [true, true];
void sameAnswerShapes;
