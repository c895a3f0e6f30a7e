import { applyTags } from './openapi-tags.js';
import { movieDetails, movieIdParams, moviesQuery, searchQuery, searchResponse, similarQuery, similarResponse } from './movie-schemas.js';
import { modelsOpenApi } from './model-openapi.js';
import { experimentsOpenApi } from './experiment-openapi.js';
import {
  badRequest,
  errorResponse,
  forbidden,
  jsonResponse,
  jsonSchema,
  movieNotFound,
  rateLimited,
  notReady,
  parameters,
  post,
  publicGet,
  publicOperation,
  unauthorized,
  unexpectedBody,
  type JsonObject,
} from './openapi-kit.js';
import { ratingsOpenApi } from './rating-openapi.js';
import { signalsOpenApi } from './signal-openapi.js';
import { catalogueOpenApi } from './catalogue-openapi.js';
import { ACCESS, ROLES_OF, SECURITY_SCHEMES, securityOf } from './access-table.js';
import { visitorOpenApi } from './visitor-openapi.js';
import { adminReloadFailure, adminReloadResponse, errorBody, healthResponse, notReadyResponse, readyResponse, type ApiSchemas } from './schemas.js';

/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate the requests (zod 4's
 * built-in z.toJSONSchema, JSON Schema draft 2020-12 = the OpenAPI 3.1 dialect); the helpers are openapi-kit.ts's.
 */

const sampleRecommendation = {
  movie_id: 318,
  title: 'Shawshank Redemption, The (1994)',
  genres: ['Crime', 'Drama'],
  year: 1994,
  predicted_rating: 4.512,
  because: { text: 'Because you rated Godfather, The (1972) (5.0)', movie_ids: [858] },
};

export function buildOpenApiDocument(schemas: ApiSchemas, info: { version: string; description?: string; anonymousReads?: boolean }): JsonObject {
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
  const ratings = ratingsOpenApi();
  const catalogue = catalogueOpenApi();
  Object.assign(components, catalogue.components);
  const extra = modelsOpenApi();
  const visitor = visitorOpenApi();
  const signals = signalsOpenApi();
  const experiments = experimentsOpenApi();
  Object.assign(components, ratings.components, extra.components, visitor.components, signals.components, experiments.components);
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'reelrank API',
      version: info.version,
      description:
        info.description ??
        'Movie recommendations and rating predictions from collaborative-filtering models trained on MovieLens: ' +
          'a rating model (SVD++ on small sets, biased MF on large ones) and a ranking blend (implicit ALS, the rating model, EASE and popularity). ' +
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
        { user_id: 1, strategy: 'personalized', recommendations: [sampleRecommendation], model_version: 'mf-0123456789ab' },
        { '429': rateLimited },
      ),
      '/recommendations/new-user': post(
        'recommendForNewUser',
        'Recommendations for a brand-new user from posted ratings',
        'The ratings are folded into the model at request time (the user vector is solved with the movie factors fixed). ' +
          'Five or more ratings of movies the model knows give "fold-in" results; fewer blend with the popular list ("popular-blend").',
        'NewUserRecommendationsRequest',
        'NewUserRecommendationsResponse',
        { strategy: 'fold-in', ratings_used: 5, recommendations: [sampleRecommendation], model_version: 'mf-0123456789ab' },
        { '404': movieNotFound, '429': rateLimited },
      ),
      '/predict': post(
        'predict',
        'Predicted rating of one movie by one user',
        'Clipped to 0.5..5.0. An unknown user (or a movie without ratings in training) falls back to the biases.',
        'PredictRequest',
        'PredictResponse',
        { user_id: 1, movie_id: 1, predicted_rating: 3.871, model_version: 'mf-0123456789ab' },
        { '404': movieNotFound, '429': rateLimited },
      ),
      '/predict/batch': post(
        'predictBatch',
        'Predicted ratings for up to 1000 (user, movie) pairs',
        'Same rules as /predict, answered in the order of the pairs; any unknown movie fails the whole request with 404 naming it.',
        'BatchPredictRequest',
        'BatchPredictResponse',
        { predictions: [{ user_id: 1, movie_id: 1, predicted_rating: 3.871, model_version: 'mf-0123456789ab' }] },
        { '404': movieNotFound, '429': rateLimited },
      ),
      ...ratings.paths,
      ...signals.paths,
      '/movies': {
        ...publicGet(
          'listMovies',
          'List movies: search by title and/or filter by genre, paged',
          { '200': jsonResponse('One page of matches and the total count', 'MovieSearchResponse'), '400': badRequest, '503': notReady },
          {
            description:
              'Title matches by relevance: the exact title (or an alternative title) first, then titles starting with the whole words, whole words anywhere, ' +
              'prefixes, substrings; ties by how many people rated the movie, the year named at the end of the text first. Accents and articles ' +
              '("Matrix, The") are folded. Without search, every movie (of the genre) by title. Hidden movies only with include_hidden=true (service or admin).',
            parameters: parameters(moviesQuery, 'query'),
          },
        ),
        post: catalogue.post,
      },
      '/movies/{movie_id}': {
        ...publicGet(
          'getMovie',
          'One movie: title, year, genres, rating count and mean',
          { '200': jsonResponse('The movie', 'Movie'), '400': badRequest, '404': movieNotFound, '503': notReady },
          { description: 'A hidden movie is a 404 except for a service or admin key.', parameters: parameters(movieIdParams, 'path') },
        ),
        patch: catalogue.patch,
      },
      '/movies/search': publicGet(
        'searchMovies',
        'Search movies by title and/or genre (alias of GET /movies with q instead of search)',
        { '200': jsonResponse('Matches by relevance (as GET /movies), hidden movies left out', 'MovieSearchResponse'), '400': badRequest },
        { parameters: parameters(searchQuery, 'query') },
      ),
      '/movies/{movie_id}/similar': publicGet(
        'similarMovies',
        'Movies similar to a movie (cosine over the item factors)',
        { '200': jsonResponse('Most similar first', 'SimilarMoviesResponse'), '400': badRequest, '404': movieNotFound, '503': notReady },
        {
          description: 'A catalogued movie the model has no factors for gets an empty list.',
          parameters: [...parameters(movieIdParams, 'path'), ...parameters(similarQuery, 'query')],
        },
      ),
      '/health': publicGet('health', 'Liveness', { '200': jsonResponse('The process is up', 'Health', { status: 'ok' }), '400': unexpectedBody }),
      '/ready': {
        get: {
          ...publicOperation(
            'ready',
            'Readiness; with the admin credential also the loaded model, the catalogue and the ratings store',
            {
              '200': jsonResponse('A model is loaded and serving', 'Ready'),
              '400': unexpectedBody,
              '503': jsonResponse('No model loaded yet', 'NotReady'),
            },
            {
              description:
                'Anyone gets `{"status": "ready"}` (200) or `{"status": "loading"}` (503). An admin (`Authorization: Bearer <REELRANK_ADMIN_TOKEN>`) ' +
                "also gets the model, the catalogue and the ratings store (where, and whether it answers). A wrong token is not refused here but counts as a failed admin authentication of the client's address.",
            },
          ),
          security: [{}, { apiKey: [] }],
        },
      },
      '/admin/reload': {
        post: {
          operationId: 'reloadModel',
          summary: 'Reload the newest complete model from disk and swap it in atomically',
          description:
            'Requires an admin key or REELRANK_ADMIN_TOKEN (`Authorization: Bearer <key>`). Failed authentications are limited per client address (an address out of ' +
            'failures gets 429 until it earns one back, whatever token it sends; other addresses are unaffected), and valid reloads have a ' +
            'token bucket of their own. The new model is built completely before it ' +
            'replaces the live one; in-flight requests finish on the old one. A corrupt or partial model is refused (409) and the live model keeps serving.',
          responses: {
            '200': jsonResponse('The model now live', 'AdminReloadResponse'),
            '401': unauthorized,
            '403': forbidden,
            '409': jsonResponse('The model on disk was refused; live_version keeps serving', 'AdminReloadFailure'),
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
      ...visitor.paths,
      ...experiments.paths,
      '/openapi.json': publicGet('openApiDocument', 'This document', {
        '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } },
        '400': unexpectedBody,
      }),
    },
    components: { schemas: components, securitySchemes: SECURITY_SCHEMES },
  };
  applyAccessTable(document.paths, info.anonymousReads ?? true);
  return { ...document, tags: applyTags(document.paths) };
}

/** Every operation of the access table gets its `security` and the roles that may call it (x-roles) from there. */
function applyAccessTable(paths: Record<string, unknown>, anonymousReads: boolean): void {
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, JsonObject>)) {
      const access = ACCESS[`${method.toUpperCase()} ${path}`];
      if (!access) continue;
      operation.security = securityOf(access, anonymousReads);
      operation['x-roles'] = ROLES_OF[access];
      const responses = operation.responses as JsonObject;
      if (access === 'ratings' || access === 'admin' || (access === 'read' && !anonymousReads)) responses['401'] ??= unauthorized;
      if (access === 'ratings' || access === 'admin' || access === 'catalogue') responses['403'] ??= forbidden;
      if (access === 'catalogue') responses['401'] ??= unauthorized;
    }
  }
}
