import type { z } from 'zod';
import { activateResponse, metricsSummaryResponse, modelsResponse, modelVersionParams } from './model-schemas.js';
import { adminReloadFailure } from './schemas.js';

/** OpenAPI paths of the model-version and monitoring routes (model-routes.ts, monitoring-routes.ts), built with openapi.ts's helpers. */

type JsonObject = Record<string, unknown>;

export function modelsOpenApi(h: {
  jsonSchema: (schema: z.ZodType, io: 'input' | 'output') => JsonObject;
  json: (name: string, example?: unknown) => JsonObject;
  errorResponse: (description: string, status: number, code: string, message: string, field?: string) => JsonObject;
  unexpectedBody: JsonObject;
  PUBLIC: unknown[];
}): { components: Record<string, JsonObject>; paths: Record<string, JsonObject> } {
  const versionParam = {
    name: 'version',
    in: 'path',
    required: true,
    description: 'A version listed by GET /models',
    schema: (h.jsonSchema(modelVersionParams, 'input') as { properties: Record<string, JsonObject> }).properties.version,
  };
  return {
    components: {
      ModelsResponse: h.jsonSchema(modelsResponse, 'output'),
      ActivateResponse: h.jsonSchema(activateResponse, 'output'),
      MetricsSummary: h.jsonSchema(metricsSummaryResponse, 'output'),
      ActivateFailure: h.jsonSchema(adminReloadFailure, 'output'),
    },
    paths: {
      '/models': {
        get: {
          operationId: 'listModels',
          security: h.PUBLIC,
          summary: 'The kept model versions, newest first, with headline metrics and which one is live',
          description:
            'The registry (models/_versions/<dataset>/) keeps the last REELRANK_KEEP_MODEL_VERSIONS trainings (default 5; the live one is never pruned). ' +
            'Without a registry the serving model alone is listed.',
          responses: { '200': { description: 'The versions', content: h.json('ModelsResponse') }, '400': h.unexpectedBody },
        },
      },
      '/admin/models/{version}/activate': {
        post: {
          operationId: 'activateModel',
          summary: 'Serve a kept model version (roll back or forward) atomically',
          description:
            'Same token and rate limits as POST /admin/reload. The version is loaded and verified completely (weights size and sha256, the version it holds) ' +
            "before the registry's live pointer moves and it replaces the live model; a version that fails is refused (409) and the live one keeps serving. " +
            'In cluster mode every worker switches (one at a time). The choice survives restarts.',
          security: [{ adminToken: [] }],
          parameters: [versionParam],
          responses: {
            '200': { description: 'The version now live', content: h.json('ActivateResponse') },
            '400': h.errorResponse('The version is not a valid version name', 400, 'validation_error', 'Invalid path: version', 'version'),
            '401': h.errorResponse('No bearer token', 401, 'unauthorized', 'Missing bearer token'),
            '403': h.errorResponse('Wrong token, or admin disabled (no token configured)', 403, 'forbidden', 'Invalid admin token'),
            '404': h.errorResponse(
              'The version is not in the registry',
              404,
              'model_version_not_found',
              'Model version mf-000000000000 is not in the registry (see GET /models)',
            ),
            '409': { description: 'The version failed its integrity check; live_version keeps serving', content: h.json('ActivateFailure') },
            '429': h.errorResponse(
              'Too many failed authentications from this address, or too many valid admin calls (see Retry-After)',
              429,
              'rate_limited',
              'Too many admin reloads; retry in 2 s',
            ),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          security: h.PUBLIC,
          summary: 'Prometheus metrics (text exposition format)',
          description:
            'reelrank_http_requests_total{route,method,status}, reelrank_http_request_duration_seconds{route} (histogram), reelrank_model_live{version}, ' +
            'reelrank_ratings_received_total, reelrank_fold_ins_served_total, reelrank_cold_start_answers_total, reelrank_recommendation_answers_total{strategy}, ' +
            'reelrank_online_ratings_total{source}, reelrank_online_liked_ratings_total{source}, reelrank_online_hit_rate{source}. In cluster mode any worker answers for the whole cluster (summed).',
          responses: {
            '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
            '400': h.unexpectedBody,
            '503': h.errorResponse(
              'Cluster mode: the primary did not collect the metrics in time',
              503,
              'metrics_unavailable',
              'The cluster metrics could not be collected',
            ),
          },
        },
      },
      '/metrics/summary': {
        get: {
          operationId: 'metricsSummary',
          security: h.PUBLIC,
          summary: 'The figures the dashboard polls (cumulative counts, JSON)',
          responses: {
            '200': { description: 'Cumulative counts since start', content: h.json('MetricsSummary') },
            '400': h.unexpectedBody,
            '503': h.errorResponse(
              'Cluster mode: the primary did not collect the metrics in time',
              503,
              'metrics_unavailable',
              'The cluster metrics could not be collected',
            ),
          },
        },
      },
      '/dashboard': {
        get: {
          operationId: 'dashboard',
          security: h.PUBLIC,
          summary: 'A page charting requests/s, p50/p99 latency, online hit rates and the live model (polls /metrics/summary)',
          responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, '400': h.unexpectedBody },
        },
      },
    },
  };
}
