import * as kit from './openapi-kit.js';
import {
  forgetOneResponse,
  forgetResponse,
  ratingsPostResponse,
  ratingsRequest,
  userIdParams,
  userMovieParams,
  userRatingsResponse,
} from './rating-schemas.js';

/** OpenAPI paths of the ratings routes (ratings-routes.ts), built with openapi-kit.ts's helpers. */

export function ratingsOpenApi(): { components: Record<string, kit.JsonObject>; paths: Record<string, kit.JsonObject> } {
  return {
    components: {
      RatingsRequest: kit.jsonSchema(ratingsRequest, 'input'),
      RatingsPostResponse: kit.jsonSchema(ratingsPostResponse, 'output'),
      UserRatingsResponse: kit.jsonSchema(userRatingsResponse, 'output'),
      ForgetRatingsResponse: kit.jsonSchema(forgetResponse, 'output'),
      ForgetRatingResponse: kit.jsonSchema(forgetOneResponse, 'output'),
    },
    paths: {
      '/ratings': ratingsPaths(),
      '/users/{user_id}/ratings': userRatingsPaths(),
      '/users/{user_id}/ratings/{movie_id}': userMovieRatingPaths(),
    },
  };
}

/** POST /ratings: 201 instead of 200, and a 503 of its own when the store fails. */
function ratingsPaths() {
  const stored = { ratings: [{ id: 100837, user_id: 1, movie_id: 2571, rating: 4.5, timestamp: 1767225600 }] };
  const { post: base } = kit.post(
    'postRatings',
    'Store one rating or a batch of up to 1000 (all or nothing)',
    'A rating is 0.5..5.0 in half steps; a new rating of the same (user_id, movie_id) replaces the old one. The 201 is sent only once the ' +
      'ratings are durably stored. The next POST /recommendations and POST /predict of the user fold them in (no retraining); a user id the ' +
      'model never saw becomes known with its first rating. Every movie_id must be in the catalogue (404 naming the unknown ones, nothing stored).',
    'RatingsRequest',
    'RatingsPostResponse',
    stored,
    {
      '404': kit.movieNotFound,
      '409': kit.errorResponse(
        'A user would hold more posted ratings than allowed (config identity.limits.maxRatingsPerUser); nothing was stored',
        409,
        'ratings_quota_exceeded',
        'User 7 may hold at most 5000 posted ratings (has 5000, this adds 1); delete some first or re-rate movies already rated',
      ),
      '429': kit.rateLimited,
    },
  );
  const { '200': created, ...others } = base.responses;
  const unavailable = kit.errorResponse(
    'The store failed; nothing was stored, retry',
    503,
    'ratings_store_unavailable',
    'The ratings store did not take the write',
  );
  return { post: { ...base, responses: { '201': { ...created, description: 'Stored (durably)' }, ...others, '503': unavailable } } };
}

/** GET /users/{user_id}/ratings: 503 when no model is loaded yet (model_not_ready) or the store cannot be read. */
const storeUnreadable = kit.errorResponse(
  'The ratings store cannot be read (ratings_store_unavailable), or no model is loaded yet (model_not_ready); retry',
  503,
  'ratings_store_unavailable',
  'The ratings store cannot be read right now; retry',
);

/** GET and DELETE /users/{user_id}/ratings. */
function userRatingsPaths() {
  const params = kit.parameters(userIdParams, 'path');
  return {
    get: kit.publicOperation(
      'getUserRatings',
      "A user's ratings: the data set's (original) and the posted ones (new)",
      { '200': kit.jsonResponse('The ratings', 'UserRatingsResponse'), '400': kit.badRequest, '503': storeUnreadable },
      {
        description: 'One entry per movie, by movie_id; a new rating of a movie replaces the original one in this list (and in the fold-in).',
        parameters: params,
      },
    ),
    delete: kit.publicOperation(
      'forgetUserRatings',
      "Forget the user's posted ratings (the original ones stay)",
      { '200': kit.jsonResponse('How many were deleted', 'ForgetRatingsResponse', { user_id: 1, forgotten: 3 }), '400': kit.badRequest },
      { description: 'The next recommendations and predictions for the user come from the trained model again.', parameters: params },
    ),
  };
}

/** DELETE /users/{user_id}/ratings/{movie_id}. */
function userMovieRatingPaths() {
  return {
    delete: kit.publicOperation(
      'forgetUserRating',
      "Forget the user's posted rating of one movie",
      {
        '200': kit.jsonResponse('Whether one was deleted', 'ForgetRatingResponse', { user_id: 1, movie_id: 2571, forgotten: 1 }),
        '400': kit.badRequest,
      },
      {
        description:
          'The next recommendations and predictions for the user are folded in from their other ratings; an original rating of the movie that ' +
          'the posted one replaced counts again. Nothing posted for the movie: 200 with forgotten 0.',
        parameters: kit.parameters(userMovieParams, 'path'),
      },
    ),
  };
}
