import * as kit from './openapi-kit.js';
import { catalogueMovieResponse, moviePatchRequest, newMovieRequest } from './catalogue-schemas.js';
import { movieIdParams } from './movie-schemas.js';

/** OpenAPI operations of the catalogue's writes (catalogue-routes.ts), merged into the /movies path items by openapi.ts. */

const sample = {
  movie_id: 193610,
  title: 'Brand New Film, The (2026)',
  year: 2026,
  genres: ['Drama', 'Sci-Fi'],
  tags: ['space'],
  imdb_id: null,
  tmdb_id: null,
  hidden: false,
  added: true,
  revision: 1,
};

const unavailable = kit.errorResponse(
  'The catalogue store failed; nothing was stored, retry',
  503,
  'catalogue_store_unavailable',
  'The catalogue store did not take the change',
);
const serviceOnly = kit.errorResponse(
  'Not a service or admin identity (a visitor, a reader key)',
  403,
  'forbidden',
  'Changing the catalogue needs a service or admin key',
);

export function catalogueOpenApi(): { components: Record<string, kit.JsonObject>; post: kit.JsonObject; patch: kit.JsonObject } {
  return {
    components: {
      NewMovieRequest: kit.jsonSchema(newMovieRequest, 'input'),
      MoviePatchRequest: kit.jsonSchema(moviePatchRequest, 'input'),
      CatalogueMovie: kit.jsonSchema(catalogueMovieResponse, 'output'),
    },
    post: {
      operationId: 'addMovie',
      summary: 'Add a movie to the catalogue (service or admin key)',
      description:
        "Stored durably next to the posted ratings (an overlay of the data set that a new ingest and load keep) under the next id above the data set's, " +
        'then served by this process at once and by every worker and replica within serving.catalogueRefreshMs: searchable, rateable, shown by ' +
        'GET /movies/{movie_id}. It is ranked once a model has factors for it; the next training includes it and its ratings.',
      security: kit.PUBLIC,
      requestBody: { required: true, content: kit.json('NewMovieRequest') },
      responses: {
        '201': kit.jsonResponse('The movie as stored and served', 'CatalogueMovie', sample),
        '400': kit.badRequest,
        '401': kit.unauthorized,
        '403': serviceOnly,
        '413': kit.tooLarge,
        '503': unavailable,
      },
    },
    patch: {
      operationId: 'changeMovie',
      summary: 'Change a movie, hide it or show it again (service or admin key)',
      description:
        'Sets the fields given (the others keep their value) of a data-set movie or an added one. `hidden: true` takes it out of every recommendation ' +
        '(personalised, fold-in, popular, any ranker), of similar lists and of GET /movies (unless a service or admin key asks with include_hidden=true); ' +
        'its details then answer 404 to everyone else. Served everywhere within serving.catalogueRefreshMs; the next training includes the change.',
      security: kit.PUBLIC,
      parameters: kit.parameters(movieIdParams, 'path'),
      requestBody: { required: true, content: kit.json('MoviePatchRequest') },
      responses: {
        '200': kit.jsonResponse('The movie as now stored and served', 'CatalogueMovie', { ...sample, hidden: true, revision: 2 }),
        '400': kit.badRequest,
        '401': kit.unauthorized,
        '403': serviceOnly,
        '404': kit.movieNotFound,
        '413': kit.tooLarge,
        '503': unavailable,
      },
    },
  };
}
