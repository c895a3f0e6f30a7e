import type { ServingConfig } from '../lib/schema.js';

/** The serving settings of an in-process test app: any free port, the metrics port off, `webRoot` as given. */
export function testServing(webRoot: string | null): ServingConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    bodyLimit: '100kb',
    maxRecommendations: 100,
    answerCacheEntries: 1000,
    heapGrowthPercent: 0,
    corsOrigins: '',
    webRoot,
    catalogueRefreshMs: 250,
    catalogueListeningPollMs: 5_000,
    experimentPollMs: 100,
    metrics: { host: '127.0.0.1', port: null },
  };
}
