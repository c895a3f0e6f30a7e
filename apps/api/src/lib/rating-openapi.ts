import type { z } from 'zod';
import {
  forgetOneResponse,
  forgetResponse,
  ratingsPostResponse,
  ratingsRequest,
  userIdParams,
  userMovieParams,
  userRatingsResponse,
} from './rating-schemas.js';

/** OpenAPI paths of the ratings routes (ratings-routes.ts), built with openapi.ts's helpers. */

type JsonObject = Record<string, unknown>;

interface Helpers {
  jsonSchema: (schema: z.ZodType, io: 'input' | 'output') => JsonObject;
  json: (name: string, example?: unknown) => JsonObject;
  errorResponse: (description: string, status: number, code: string, message: string, field?: string) => JsonObject;
  parameters: (schema: z.ZodObject, where: 'query' | 'path') => JsonObject[];
  post: (
    operationId: string,
    summary: string,
    description: string,
    request: string,
    response: string,
    example: unknown,
    extra?: JsonObject,
  ) => { post: JsonObject & { responses: Record<string, JsonObject> } };
  badRequest: JsonObject;
  notReady: JsonObject;
  movieNotFound: JsonObject;
  PUBLIC: unknown[];
}

export function ratingsOpenApi(h: Helpers): { components: Record<string, JsonObject>; paths: Record<string, JsonObject> } {
  return {
    components: {
      RatingsRequest: h.jsonSchema(ratingsRequest, 'input'),
      RatingsPostResponse: h.jsonSchema(ratingsPostResponse, 'output'),
      UserRatingsResponse: h.jsonSchema(userRatingsResponse, 'output'),
      ForgetRatingsResponse: h.jsonSchema(forgetResponse, 'output'),
      ForgetRatingResponse: h.jsonSchema(forgetOneResponse, 'output'),
    },
    paths: {
      '/ratings': ratingsPaths(h),
      '/users/{user_id}/ratings': userRatingsPaths(h),
      '/users/{user_id}/ratings/{movie_id}': userMovieRatingPaths(h),
    },
  };
}

/** POST /ratings: 201 instead of 200, and a 503 of its own when the store fails. */
function ratingsPaths(h: Helpers) {
  const stored = { ratings: [{ id: 100837, user_id: 1, movie_id: 2571, rating: 4.5, timestamp: 1767225600 }] };
  const { post: base } = h.post(
    'postRatings',
    'Store one rating or a batch of up to 1000 (all or nothing)',
    'A rating is 0.5..5.0 in half steps; a new rating of the same (user_id, movie_id) replaces the old one. The 201 is sent only once the ' +
      'ratings are durably stored. The next POST /recommendations and POST /predict of the user fold them in (no retraining); a user id the ' +
      'model never saw becomes known with its first rating. Every movie_id must be in the catalogue (404 naming the unknown ones, nothing stored).',
    'RatingsRequest',
    'RatingsPostResponse',
    stored,
    { '404': h.movieNotFound },
  );
  const { '200': created, ...others } = base.responses;
  const unavailable = h.errorResponse(
    'The store failed; nothing was stored, retry',
    503,
    'ratings_store_unavailable',
    'The ratings store did not take the write',
  );
  return { post: { ...base, responses: { '201': { ...created, description: 'Stored (durably)' }, ...others, '503': unavailable } } };
}

/** GET and DELETE /users/{user_id}/ratings. */
function userRatingsPaths(h: Helpers) {
  const params = h.parameters(userIdParams, 'path');
  return {
    get: {
      operationId: 'getUserRatings',
      security: h.PUBLIC,
      summary: "A user's ratings: the data set's (original) and the posted ones (new)",
      description: 'One entry per movie, by movie_id; a new rating of a movie replaces the original one in this list (and in the fold-in).',
      parameters: params,
      responses: { '200': { description: 'The ratings', content: h.json('UserRatingsResponse') }, '400': h.badRequest, '503': h.notReady },
    },
    delete: {
      operationId: 'forgetUserRatings',
      security: h.PUBLIC,
      summary: "Forget the user's posted ratings (the original ones stay)",
      description: 'The next recommendations and predictions for the user come from the trained model again.',
      parameters: params,
      responses: {
        '200': { description: 'How many were deleted', content: h.json('ForgetRatingsResponse', { user_id: 1, forgotten: 3 }) },
        '400': h.badRequest,
      },
    },
  };
}

/** DELETE /users/{user_id}/ratings/{movie_id}. */
function userMovieRatingPaths(h: Helpers) {
  return {
    delete: {
      operationId: 'forgetUserRating',
      security: h.PUBLIC,
      summary: "Forget the user's posted rating of one movie",
      description:
        'The next recommendations and predictions for the user are folded in from their other ratings; an original rating of the movie that ' +
        'the posted one replaced counts again. Nothing posted for the movie: 200 with forgotten 0.',
      parameters: h.parameters(userMovieParams, 'path'),
      responses: {
        '200': { description: 'Whether one was deleted', content: h.json('ForgetRatingResponse', { user_id: 1, movie_id: 2571, forgotten: 1 }) },
        '400': h.badRequest,
      },
    },
  };
}
