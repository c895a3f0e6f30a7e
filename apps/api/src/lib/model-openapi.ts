import {
  errorResponse,
  forbidden,
  jsonResponse,
  jsonSchema,
  parameters,
  publicOperation,
  unauthorized,
  unexpectedBody,
  type JsonObject,
} from './openapi-kit.js';
import { activateQuery, activateResponse, metricsSummaryResponse, modelsResponse, modelVersionDetails, modelVersionParams } from './model-schemas.js';
import { adminReloadFailure } from './schemas.js';
import { driftReportResponse } from './drift-schemas.js';

/** OpenAPI paths of the model-version and monitoring routes (model-routes.ts, monitoring-routes.ts), built with openapi-kit.ts's helpers. */

/** Cluster mode: GET /metrics and GET /metrics/summary when the primary does not answer in time. */
const metricsUnavailable = errorResponse(
  'Cluster mode: the primary did not collect the metrics in time',
  503,
  'metrics_unavailable',
  'The cluster metrics could not be collected',
);

const authFailures = {
  '401': unauthorized,
  '403': forbidden,
  '429': errorResponse(
    'Too many failed admin authentications from this client address (see Retry-After)',
    429,
    'rate_limited',
    'Too many failed admin authentications from this address; retry in 2 s',
  ),
};

/**
 * A GET of the operational endpoints: on the API's port a reader or admin key (admin-auth.ts's
 * requireOperator); the metrics listener serves /metrics, /metrics/summary and /dashboard without one.
 */
function operatorGet(operationId: string, summary: string, responses: JsonObject, more: { description?: string; onMetricsListener?: boolean } = {}) {
  const access = more.onMetricsListener
    ? 'Needs the admin credential on this port; the metrics listener (config serving.metrics, 127.0.0.1:9464 by default) serves it without one.'
    : 'Needs the admin credential.';
  return {
    get: {
      ...publicOperation(
        operationId,
        summary,
        { ...responses, ...authFailures },
        { description: [more.description, access].filter(Boolean).join(' ') },
      ),
      security: [{ apiKey: [] }],
    },
  };
}

export function modelsOpenApi(): { components: Record<string, JsonObject>; paths: Record<string, JsonObject> } {
  const versionParam = {
    name: 'version',
    in: 'path',
    required: true,
    description: 'A version listed by GET /models',
    schema: (jsonSchema(modelVersionParams, 'input') as { properties: Record<string, JsonObject> }).properties.version,
  };
  return {
    components: {
      ModelsResponse: jsonSchema(modelsResponse, 'output'),
      ModelVersionDetails: jsonSchema(modelVersionDetails, 'output'),
      ActivateResponse: jsonSchema(activateResponse, 'output'),
      MetricsSummary: jsonSchema(metricsSummaryResponse, 'output'),
      DriftReport: jsonSchema(driftReportResponse, 'output'),
      ActivateFailure: jsonSchema(adminReloadFailure, 'output'),
    },
    paths: {
      '/models': operatorGet(
        'listModels',
        'The kept model versions, newest first, with headline metrics and which one is live',
        { '200': jsonResponse('The versions', 'ModelsResponse'), '400': unexpectedBody },
        {
          description:
            'The registry (models/_versions/<dataset>/) keeps the last REELRANK_KEEP_MODEL_VERSIONS trainings (default 5; the live one is never pruned). ' +
            'Without a registry the serving model alone is listed.',
        },
      ),
      '/models/{version}': {
        get: {
          ...operatorGet(
            'getModelVersion',
            'One kept version: headline metrics, the promotion gate figures (it and the then-live model on the gate holdout) and its training run',
            {
              '200': jsonResponse('The version', 'ModelVersionDetails'),
              '400': errorResponse('The version is not a valid version name', 400, 'validation_error', 'Invalid path: version', 'version'),
              '404': errorResponse(
                'The version is not in the registry',
                404,
                'model_version_not_found',
                'Model version mf-000000000000 is not in the registry (see GET /models)',
              ),
            },
            {
              description:
                'The training run comes from the run history (models/_versions/<dataset>/runs.jsonl; `reelrank models history` lists every run, failed ones too).',
            },
          ).get,
          parameters: [versionParam],
        },
      },
      '/admin/models/{version}/activate': {
        post: {
          operationId: 'activateModel',
          summary: 'Serve a kept model version (roll back or forward) atomically',
          description:
            'Same token and rate limits as POST /admin/reload. The version is loaded and verified completely (weights size and sha256, the version it holds) ' +
            "before the registry's live pointer moves and it replaces the live model; a version that fails is refused (409) and the live one keeps serving. " +
            'In cluster mode every worker switches (one at a time). The choice survives restarts. A version the promotion gate rejected needs ?force=true.',
          parameters: [versionParam, ...parameters(activateQuery, 'query')],
          responses: {
            '200': jsonResponse('The version now live', 'ActivateResponse'),
            '400': errorResponse('The version is not a valid version name', 400, 'validation_error', 'Invalid path: version', 'version'),
            '401': unauthorized,
            '403': forbidden,
            '404': errorResponse(
              'The version is not in the registry',
              404,
              'model_version_not_found',
              'Model version mf-000000000000 is not in the registry (see GET /models)',
            ),
            '409': jsonResponse(
              'The version failed its integrity check, a training pruned it meanwhile, or the promotion gate rejected it and force=true was not given (error model_rejected_by_gate); live_version keeps serving',
              'ActivateFailure',
            ),
            '429': errorResponse(
              'Too many failed authentications from this address, or too many valid admin calls (see Retry-After)',
              429,
              'rate_limited',
              'Too many admin reloads; retry in 2 s',
            ),
          },
        },
      },
      '/metrics': operatorGet(
        'metrics',
        'Prometheus metrics (text exposition format)',
        {
          '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
          '400': unexpectedBody,
          '503': metricsUnavailable,
        },
        {
          description:
            'reelrank_http_requests_total{route,method,status}, reelrank_http_request_duration_seconds{route} (histogram), reelrank_model_live{version}, ' +
            'reelrank_ratings_received_total, reelrank_fold_ins_served_total, reelrank_cold_start_answers_total, reelrank_recommendation_answers_total{strategy}, ' +
            'reelrank_online_ratings_total{source}, reelrank_online_liked_ratings_total{source}, reelrank_online_hit_rate{source}; ' +
            'the retrain watcher (reelrank retrain --watch): reelrank_retrain_last_run_timestamp_seconds, reelrank_retrain_last_run_duration_seconds, ' +
            'reelrank_retrain_last_run_outcome{outcome}, reelrank_retrain_running, reelrank_retrain_consecutive_failures, reelrank_retrain_ratings_waiting, ' +
            'reelrank_retrain_last_check_timestamp_seconds, reelrank_retrain_next_check_timestamp_seconds; the drift of the posted ratings (GET /metrics/drift): reelrank_drift_psi{feature,window} and the other reelrank_drift_* gauges. In cluster mode any worker answers for the whole cluster (summed; the watcher gauges by max).',
          onMetricsListener: true,
        },
      ),
      '/metrics/summary': operatorGet(
        'metricsSummary',
        'The figures the dashboard polls (cumulative counts, JSON)',
        { '200': jsonResponse('Cumulative counts since start', 'MetricsSummary'), '400': unexpectedBody, '503': metricsUnavailable },
        { onMetricsListener: true },
      ),
      '/metrics/drift': operatorGet(
        'metricsDrift',
        "Drift of the last day's and week's posted ratings from the live model's training data (PSI per feature)",
        {
          '200': jsonResponse('The last measurement (taken on a timer, never per request)', 'DriftReport'),
          '400': unexpectedBody,
          '503': errorResponse(
            'No measurement yet (the first one runs at start), or a process that does not measure (the cluster primary)',
            503,
            'drift_unavailable',
            'The drift has not been measured yet',
          ),
        },
        {
          description:
            'Gauges of the same in /metrics: reelrank_drift_psi{feature,window}, reelrank_drift_threshold, reelrank_drift_judged{feature}, ' +
            'reelrank_drift_window_ratings{window}, reelrank_drift_measured_timestamp_seconds, reelrank_drift_measure_seconds. ' +
            "Each API process measures every operations.drift.refreshSeconds (one read of the last week's posted ratings, at most operations.drift.maxRatings); " +
            'in cluster mode the metrics listener of the primary has the gauges (max over the workers) but answers this route 503.',
          onMetricsListener: true,
        },
      ),
      '/dashboard': operatorGet(
        'dashboard',
        'A page charting requests/s, p50/p99 latency, online hit rates and the live model (polls /metrics/summary)',
        { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, '400': unexpectedBody },
        { onMetricsListener: true },
      ),
    },
  };
}
