import * as kit from './openapi-kit.js';
import { userIdParams } from './rating-schemas.js';
import { forgetSignalResponse, signalInput, signalPostResponse, userSignalParams, userSignalsQuery, userSignalsResponse } from './signal-schemas.js';

/** OpenAPI paths of the taste-signal routes (signals-routes.ts), built with openapi-kit.ts's helpers. */

export function signalsOpenApi(): { components: Record<string, kit.JsonObject>; paths: Record<string, kit.JsonObject> } {
  return {
    components: {
      SignalRequest: kit.jsonSchema(signalInput, 'input'),
      SignalPostResponse: kit.jsonSchema(signalPostResponse, 'output'),
      UserSignalsResponse: kit.jsonSchema(userSignalsResponse, 'output'),
      ForgetSignalResponse: kit.jsonSchema(forgetSignalResponse, 'output'),
    },
    paths: {
      '/signals': { post: postSignal() },
      '/users/{user_id}/signals': {
        get: kit.publicOperation(
          'getUserSignals',
          "A user's taste signals (not interested, seen, watchlist)",
          {
            '200': kit.jsonResponse('The signals, oldest first, and how many of each kind', 'UserSignalsResponse'),
            '400': kit.badRequest,
            '503': unavailable,
          },
          { parameters: [...kit.parameters(userIdParams, 'path'), ...kit.parameters(userSignalsQuery, 'query')] },
        ),
      },
      '/users/{user_id}/signals/{kind}/{movie_id}': {
        delete: kit.publicOperation(
          'forgetUserSignal',
          'Forget one taste signal of a user',
          {
            '200': kit.jsonResponse('Whether one was deleted', 'ForgetSignalResponse', { user_id: 1, movie_id: 2571, kind: 'seen', forgotten: 1 }),
            '400': kit.badRequest,
            '503': unavailable,
          },
          {
            description: 'The movie may be recommended to the user again from the next request on (unless another signal or a rating keeps it out).',
            parameters: kit.parameters(userSignalParams, 'path'),
          },
        ),
      },
    },
  };
}

const unavailable = kit.errorResponse(
  'The signals store failed; retry',
  503,
  'signals_store_unavailable',
  'The signals store did not take the write',
);

/** POST /signals: 201 once durable. */
function postSignal() {
  const { post: base } = kit.post(
    'postSignal',
    'Store a taste signal: not interested, seen (without a rating), or on the watchlist',
    'One signal per (user_id, movie_id, kind); posting it again replaces it. The 201 is sent once it is durably stored. From the next ' +
      'POST /recommendations of the user on, the movie is left out of their recommendations, and the next training uses it (seen and ' +
      'watchlist as positive implicit observations of the ranker, not interested drops the pair from its positives). The movie_id must be in the catalogue.',
    'SignalRequest',
    'SignalPostResponse',
    { signal: { id: 42, user_id: 1, movie_id: 2571, kind: 'not_interested', created_at: 1767225600 } },
    {
      '404': kit.movieNotFound,
      '409': kit.errorResponse(
        'The user would hold more signals than allowed (config identity.limits.maxSignalsPerUser); nothing was stored',
        409,
        'signals_quota_exceeded',
        'User 7 may hold at most 5000 signals; delete some first',
      ),
      '429': kit.rateLimited,
    },
  );
  const { '200': created, ...others } = base.responses;
  return { ...base, responses: { '201': { ...created, description: 'Stored (durably)' }, ...others, '503': unavailable } };
}
