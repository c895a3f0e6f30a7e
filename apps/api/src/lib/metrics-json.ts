import type { Registry } from 'prom-client';

/** A registry's metrics as prom-client reads them out (what /metrics renders and the summaries read). */
export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
