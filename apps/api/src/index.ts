export { createApp, defaultLogger, type CreateAppOptions } from './lib/app.js';
export { ModelHolder, ModelReloadError, type MovieChanged, type ReloadResult } from './lib/model-holder.js';
export { CatalogueSync } from './lib/catalogue-sync.js';
export { readApiEnv, type ApiEnvConfig } from './lib/api-config.js';
export { buildSchemas, type ApiSchemas } from './lib/schemas.js';
export { buildOpenApiDocument } from './lib/openapi.js';
export { ServiceMetrics } from './lib/metrics.js';
export { metricsApp } from './lib/metrics-listener.js';
