import { z } from 'zod';
import { movieDetails, movieIdParams, moviesQuery, searchQuery, searchResponse, similarQuery, similarResponse } from './movie-schemas.js';
import { modelsOpenApi } from './model-openapi.js';
import { ratingsOpenApi } from './rating-openapi.js';
import { adminReloadFailure, adminReloadResponse, errorBody, healthResponse, notReadyResponse, readyResponse, type ApiSchemas } from './schemas.js';

/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate the requests (zod 4's
 * built-in z.toJSONSchema, JSON Schema draft 2020-12 = the OpenAPI 3.1 dialect). Request bodies
 * are converted as zod *input* (defaulted fields optional), responses as *output*.
 */

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** One OpenAPI parameter per field of a zod object schema (query strings and path segments). */
function parameters(schema: z.ZodObject, where: 'query' | 'path'): JsonObject[] {
  const json = jsonSchema(schema, 'input') as { properties: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties).map(([name, property]) => {
    const { description, example, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), description, example, schema: rest };
  });
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, example?: unknown) => ({
  'application/json': { schema: ref(name), ...(example === undefined ? {} : { example }) },
});
const errorResponse = (description: string, status: number, code: string, message: string, field?: string) => ({
  description,
  content: json('Error', { error: { status, code, message, details: field ? [{ field, message: 'Too small: expected number to be >0' }] : [] } }),
});

const badRequest = errorResponse(
  'Malformed JSON or an invalid field (each one named in details)',
  400,
  'validation_error',
  'Invalid body: user_id',
  'user_id',
);
const tooLarge = errorResponse('Body larger than the configured limit', 413, 'payload_too_large', 'Request body is too large');
/** Every route parses a JSON body when one is sent; the routes that take none can still answer this. */
const unexpectedBody = errorResponse(
  'A request body was sent (these routes take none) and it is not valid JSON',
  400,
  'invalid_json',
  'Request body is not valid JSON',
);
const movieNotFound = errorResponse('A movie_id is not in the catalogue', 404, 'movie_not_found', 'Movie 999999 is not in the catalogue');

const notReady = errorResponse(
  'No model is loaded yet (the server is starting)',
  503,
  'model_not_ready',
  'No model is loaded yet; retry shortly (see GET /ready)',
);

const sampleRecommendation = {
  movie_id: 318,
  title: 'Shawshank Redemption, The (1994)',
  genres: ['Crime', 'Drama'],
  year: 1994,
  predicted_rating: 4.512,
  because: { text: 'Because you rated Godfather, The (1972) (5.0)', movie_ids: [858] },
};

/** The public routes need no credentials (`security: []`); only /admin/* takes the bearer token. */
const PUBLIC: unknown[] = [];

function post(
  operationId: string,
  summary: string,
  description: string,
  request: string,
  response: string,
  example: unknown,
  extra: JsonObject = {},
) {
  return {
    post: {
      operationId,
      summary,
      description,
      security: PUBLIC,
      requestBody: { required: true, content: json(request) },
      responses: { '200': { description: 'OK', content: json(response, example) }, '400': badRequest, ...extra, '413': tooLarge, '503': notReady },
    },
  };
}

export function buildOpenApiDocument(schemas: ApiSchemas, info: { version: string; description?: string }): JsonObject {
  const components: Record<string, JsonObject> = {
    RecommendationsRequest: jsonSchema(schemas.recommendationsRequest, 'input'),
    RecommendationsResponse: jsonSchema(schemas.recommendationsResponse, 'output'),
    PredictRequest: jsonSchema(schemas.predictRequest, 'input'),
    PredictResponse: jsonSchema(schemas.predictResponse, 'output'),
    BatchPredictRequest: jsonSchema(schemas.batchPredictRequest, 'input'),
    BatchPredictResponse: jsonSchema(schemas.batchPredictResponse, 'output'),
    NewUserRecommendationsRequest: jsonSchema(schemas.newUserRecommendationsRequest, 'input'),
    NewUserRecommendationsResponse: jsonSchema(schemas.newUserRecommendationsResponse, 'output'),
    SimilarMoviesResponse: jsonSchema(similarResponse, 'output'),
    MovieSearchResponse: jsonSchema(searchResponse, 'output'),
    Movie: jsonSchema(movieDetails, 'output'),
    NotReady: jsonSchema(notReadyResponse, 'output'),
    AdminReloadResponse: jsonSchema(adminReloadResponse, 'output'),
    AdminReloadFailure: jsonSchema(adminReloadFailure, 'output'),
    Health: jsonSchema(healthResponse, 'output'),
    Ready: jsonSchema(readyResponse, 'output'),
    Error: jsonSchema(errorBody, 'output'),
  };
  const ratings = ratingsOpenApi({ jsonSchema, json, errorResponse, parameters, post, badRequest, notReady, movieNotFound, PUBLIC });
  const extra = modelsOpenApi({ jsonSchema, json, errorResponse, unexpectedBody, PUBLIC });
  Object.assign(components, ratings.components, extra.components);
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'reelrank API',
      version: info.version,
      description:
        info.description ??
        'Movie recommendations and rating predictions from a biased matrix-factorisation model trained on MovieLens. ' +
          'Request bodies are strict: unknown fields are rejected with a 400.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the server that serves this document (behind a proxy, wherever it is mounted).
    servers: [{ url: '/', description: 'The server that serves this document' }],
    paths: {
      '/recommendations': post(
        'recommend',
        'Top-N unseen movies for a user',
        'A user the model knows gets personalised scores (strategy "personalized"); an unknown user_id is not an error and gets the ' +
          'cold-start list of popular, well-rated movies (strategy "popular"). Movies the user rated and exclude_movie_ids never come back.',
        'RecommendationsRequest',
        'RecommendationsResponse',
        { user_id: 1, strategy: 'personalized', recommendations: [sampleRecommendation] },
      ),
      '/recommendations/new-user': post(
        'recommendForNewUser',
        'Recommendations for a brand-new user from posted ratings',
        'The ratings are folded into the model at request time (the user vector is solved with the movie factors fixed). ' +
          'Five or more ratings of movies the model knows give "fold-in" results; fewer blend with the popular list ("popular-blend").',
        'NewUserRecommendationsRequest',
        'NewUserRecommendationsResponse',
        { strategy: 'fold-in', ratings_used: 5, recommendations: [sampleRecommendation] },
        { '404': movieNotFound },
      ),
      '/predict': post(
        'predict',
        'Predicted rating of one movie by one user',
        'Clipped to 0.5..5.0. An unknown user (or a movie without ratings in training) falls back to the biases.',
        'PredictRequest',
        'PredictResponse',
        { user_id: 1, movie_id: 1, predicted_rating: 3.871 },
        { '404': movieNotFound },
      ),
      '/predict/batch': post(
        'predictBatch',
        'Predicted ratings for up to 1000 (user, movie) pairs',
        'Same rules as /predict, answered in the order of the pairs; any unknown movie fails the whole request with 404 naming it.',
        'BatchPredictRequest',
        'BatchPredictResponse',
        { predictions: [{ user_id: 1, movie_id: 1, predicted_rating: 3.871 }] },
        { '404': movieNotFound },
      ),
      ...ratings.paths,
      '/movies': {
        get: {
          operationId: 'listMovies',
          security: PUBLIC,
          summary: 'List movies: search by title and/or filter by genre, paged',
          description:
            'Title matches: prefix matches first, then substring matches, each ordered by title. Without search, every movie (of the genre) by title.',
          parameters: parameters(moviesQuery, 'query'),
          responses: {
            '200': { description: 'One page of matches and the total count', content: json('MovieSearchResponse') },
            '400': badRequest,
            '503': notReady,
          },
        },
      },
      '/movies/{movie_id}': {
        get: {
          operationId: 'getMovie',
          security: PUBLIC,
          summary: 'One movie: title, year, genres, rating count and mean',
          parameters: parameters(movieIdParams, 'path'),
          responses: { '200': { description: 'The movie', content: json('Movie') }, '400': badRequest, '404': movieNotFound, '503': notReady },
        },
      },
      '/movies/search': {
        get: {
          operationId: 'searchMovies',
          security: PUBLIC,
          summary: 'Search movies by title and/or genre (alias of GET /movies with q instead of search)',
          parameters: parameters(searchQuery, 'query'),
          responses: {
            '200': { description: 'Matches ordered by title, prefix matches first', content: json('MovieSearchResponse') },
            '400': badRequest,
          },
        },
      },
      '/movies/{movie_id}/similar': {
        get: {
          operationId: 'similarMovies',
          security: PUBLIC,
          summary: 'Movies similar to a movie (cosine over the item factors)',
          description: 'A catalogued movie the model has no factors for gets an empty list.',
          parameters: [...parameters(movieIdParams, 'path'), ...parameters(similarQuery, 'query')],
          responses: {
            '200': { description: 'Most similar first', content: json('SimilarMoviesResponse') },
            '400': badRequest,
            '404': movieNotFound,
            '503': notReady,
          },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          security: PUBLIC,
          summary: 'Liveness',
          responses: { '200': { description: 'The process is up', content: json('Health', { status: 'ok' }) }, '400': unexpectedBody },
        },
      },
      '/ready': {
        get: {
          operationId: 'ready',
          security: PUBLIC,
          summary: 'Readiness: the loaded model and catalogue',
          responses: {
            '200': { description: 'A model is loaded and serving', content: json('Ready') },
            '400': unexpectedBody,
            '503': { description: 'No model loaded yet', content: json('NotReady') },
          },
        },
      },
      '/admin/reload': {
        post: {
          operationId: 'reloadModel',
          summary: 'Reload the newest complete model from disk and swap it in atomically',
          description:
            'Requires `Authorization: Bearer <REELRANK_ADMIN_TOKEN>`. Failed authentications are limited per client address (an address out of ' +
            'failures gets 429 until it earns one back, whatever token it sends; other addresses are unaffected), and valid reloads have a ' +
            'token bucket of their own. The new model is built completely before it ' +
            'replaces the live one; in-flight requests finish on the old one. A corrupt or partial model is refused (409) and the live model keeps serving.',
          security: [{ adminToken: [] }],
          responses: {
            '200': { description: 'The model now live', content: json('AdminReloadResponse') },
            '401': errorResponse('No bearer token', 401, 'unauthorized', 'Missing bearer token'),
            '403': errorResponse('Wrong token, or admin disabled (no token configured)', 403, 'forbidden', 'Invalid admin token'),
            '409': { description: 'The model on disk was refused; live_version keeps serving', content: json('AdminReloadFailure') },
            '429': errorResponse(
              'Too many failed authentications from this client address, or too many valid reloads (see Retry-After)',
              429,
              'rate_limited',
              'Too many failed admin authentications from this address; retry in 2 s',
            ),
          },
        },
      },
      ...extra.paths,
      '/openapi.json': {
        get: {
          operationId: 'openApiDocument',
          security: PUBLIC,
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } }, '400': unexpectedBody },
        },
      },
    },
    components: {
      schemas: components,
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'REELRANK_ADMIN_TOKEN (POST /admin/reload only)' } },
    },
  };
}
