import { errorResponse, json, jsonResponse, jsonSchema, type JsonObject } from './openapi-kit.js';
import {
  concludeExperimentRequest,
  experimentIdParams,
  experimentResponse,
  experimentsResponse,
  startExperimentRequest,
} from './experiment-schemas.js';

/** OpenAPI paths of the experiment routes (experiment-routes.ts), built with openapi-kit.ts's helpers; security comes from access-table.ts. */

const adminLimited = errorResponse(
  'Too many failed authentications from this address, or too many valid admin calls (see Retry-After)',
  429,
  'rate_limited',
  'Too many admin reloads; retry in 2 s',
);
const disabled = errorResponse(
  'This server has no model registry or experiment store',
  403,
  'experiments_disabled',
  'Experiments need a model registry and a store',
);

export function experimentsOpenApi(): { components: Record<string, JsonObject>; paths: Record<string, JsonObject> } {
  const idParam = {
    name: 'id',
    in: 'path',
    required: true,
    description: 'An experiment id (GET /admin/experiments)',
    schema: (jsonSchema(experimentIdParams, 'input') as { properties: Record<string, JsonObject> }).properties.id,
  };
  return {
    components: {
      StartExperimentRequest: jsonSchema(startExperimentRequest, 'input'),
      ConcludeExperimentRequest: jsonSchema(concludeExperimentRequest, 'input'),
      ExperimentResponse: jsonSchema(experimentResponse, 'output'),
      ExperimentsResponse: jsonSchema(experimentsResponse, 'output'),
    },
    paths: {
      '/admin/experiments': {
        post: {
          operationId: 'startExperiment',
          summary: 'Start an A/B split: a challenger version of the registry answers a share of the users',
          description:
            "A user's arm is a seeded hash of the user id, the same on every worker and replica; callers without a user id (POST /recommendations/new-user) get the live model. " +
            'Answers name their model_version. The challenger is loaded beside the live model (about one more model in memory per process) and verified before the experiment is stored; ' +
            'the other workers and replicas load it within serving.experimentPollMs. At most one experiment runs. Per-arm figures: GET /metrics (reelrank_ab_*) and /metrics/summary.',
          requestBody: { required: true, content: json('StartExperimentRequest', { challenger_version: 'mf-0123456789ab', share: 0.2 }) },
          responses: {
            '201': jsonResponse('The experiment, running', 'ExperimentResponse'),
            '400': errorResponse(
              'An invalid field (named in details), or the challenger is the live version',
              400,
              'validation_error',
              'Invalid body: share',
              'share',
            ),
            '403': disabled,
            '404': errorResponse(
              'challenger_version is not in the registry',
              404,
              'model_version_not_found',
              'Model version mf-000000000000 is not in the registry (see GET /models)',
              'challenger_version',
            ),
            '409': errorResponse(
              'An experiment is running already, or the challenger failed to load',
              409,
              'experiment_running',
              'Experiment 1 is running; conclude it first',
            ),
            '429': adminLimited,
            '503': errorResponse('No model is loaded yet', 503, 'model_not_ready', 'No model is loaded yet; retry shortly (see GET /ready)'),
          },
        },
        get: {
          operationId: 'listExperiments',
          summary: 'The running experiment, whether this process serves its challenger, and every experiment',
          responses: { '200': jsonResponse('The experiments', 'ExperimentsResponse'), '403': disabled, '429': adminLimited },
        },
      },
      '/admin/experiments/{id}/conclude': {
        post: {
          operationId: 'concludeExperiment',
          summary: 'End an experiment: promote its challenger (made live as by POST /admin/models/{version}/activate) or drop it',
          description:
            'A promotion that fails (the version no longer loads, or was pruned) is refused with 409 and the experiment keeps running. ' +
            'Every worker and replica stops serving the challenger arm within serving.experimentPollMs; after a promotion they load the new live version.',
          parameters: [idParam],
          requestBody: { required: true, content: json('ConcludeExperimentRequest', { outcome: 'promote' }) },
          responses: {
            '200': jsonResponse('The concluded experiment and the live version', 'ExperimentResponse'),
            '400': errorResponse('An invalid id or outcome', 400, 'validation_error', 'Invalid body: outcome', 'outcome'),
            '403': disabled,
            '404': errorResponse(
              'No experiment has this id',
              404,
              'experiment_not_found',
              'Experiment 9 does not exist (see GET /admin/experiments)',
              'id',
            ),
            '409': errorResponse(
              'The experiment was concluded already, or its challenger could not be made live',
              409,
              'experiment_not_running',
              'Experiment 1 was already concluded (dropped)',
            ),
            '429': adminLimited,
          },
        },
      },
    },
  };
}
