import type { RequestHandler, Response } from 'express';
import { AggregatorRegistry, Counter, Gauge, type Histogram, Registry } from 'prom-client';
import type { MetricsJson } from './metrics-json.js';
import type { OnlineEvaluator } from './online-eval.js';
import { summarizeRetrain, type RetrainSummary } from './retrain-metrics.js';
import { summarizeGate, type GateSummaryEntry } from './gate-metrics.js';
import { summarizeDrift, type DriftSummary } from './drift-metrics.js';
import { summarizeExperiment, type ExperimentSummary } from './experiment-metrics.js';

/**
 * The service's Prometheus metrics (prom-client), one registry per app so that tests and workers
 * never share counts. Named handles for the code that counts:
 *
 *   metrics.ratingsReceived.inc(n)    ratings accepted by POST /ratings
 *   metrics.foldInsServed.inc()       a /predict or /predict/batch answer computed from a folded-in user
 *   metrics.countAnswer(strategy)     every recommendation answer by strategy; "popular" is a cold start,
 *                                     "fold-in" and "popular-blend" are fold-ins (counted there, not twice)
 *
 * HTTP requests (by route, method and status) and latency (by route) are counted by one
 * middleware for every route, the fast-path ones included. In cluster mode each worker keeps its
 * own registry and the primary sums them (AggregatorRegistry.aggregate, cluster-metrics.ts); the
 * live-model gauge then reads "how many processes serve this version".
 */

const STARTED = Symbol('reelrank.requestStarted');
type Timed = { [STARTED]: number };

export type { MetricsJson };

/** Seconds since the request arrived (the metrics middleware marks every response). */
export function requestSeconds(res: Response): number {
  return (performance.now() - (res.locals as Timed)[STARTED]) / 1000;
}

/** Seconds; fine at the low end, where this service answers. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Routes that watch the service: counted, but left out of the dashboard summary's figures. */
export const MONITORING_ROUTES = new Set(['/metrics', '/metrics/summary', '/metrics/drift', '/dashboard']);
const MAX_LABEL_SETS = 1000;

/**
 * HTTP request counts and latency histograms, kept in plain numbers and handed to prom-client only
 * when scraped (custom metric objects in the registry, the shape prom-client's own `get()` returns).
 * prom-client's labelled inc/observe hash the label set on every call (~5 us a request together,
 * measured); here a request costs a Map lookup and a few additions.
 */
interface RouteLatency {
  route: string;
  /** Requests per bucket (not cumulative); the last slot counts those above the largest bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}
interface RequestCount {
  labels: { route: string; method: string; status: string };
  count: number;
  latency: RouteLatency;
}

type MetricValue = { labels: Record<string, string | number>; value: number; metricName?: string };

/** A metric object prom-client's Registry accepts (registerMetric, getMetricsAsJSON, metrics()). */
function customMetric(name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[]) {
  const get = () => ({ name, help, type, aggregator: 'sum' as const, values: values() });
  return { name, help, type, aggregator: 'sum' as const, get, reset: () => undefined };
}

/** A route's latency and its counts by method, then status: lookups by strings the process already holds, no key built per request. */
interface RouteStats {
  latency: RouteLatency;
  byMethod: Map<string, Map<number, RequestCount>>;
}

class HttpStats {
  private readonly byKey = new Map<string, RequestCount>();
  private readonly byRoute = new Map<string, RouteStats>();

  record(route: string, method: string, status: number, seconds: number): void {
    let stats = this.byRoute.get(route);
    let entry = stats?.byMethod.get(method)?.get(status);
    if (!entry) {
      // Routes are a fixed set; the cap only guards against a label explosion by odd methods.
      if (this.byKey.size >= MAX_LABEL_SETS) return;
      if (!stats) {
        stats = { latency: { route, counts: new Float64Array(LATENCY_BUCKETS.length + 1), sum: 0, count: 0 }, byMethod: new Map() };
        this.byRoute.set(route, stats);
      }
      let byStatus = stats.byMethod.get(method);
      if (!byStatus) stats.byMethod.set(method, (byStatus = new Map()));
      entry = { labels: { route, method, status: String(status) }, count: 0, latency: stats.latency };
      byStatus.set(status, entry);
      this.byKey.set(`${method} ${status} ${route}`, entry);
    }
    entry.count++;
    const latency = entry.latency;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]) bucket++;
    latency.counts[bucket]++;
    latency.sum += seconds;
    latency.count++;
  }

  register(registry: Registry): void {
    const requests = customMetric('reelrank_http_requests_total', 'HTTP requests by route, method and status', 'counter', () =>
      [...this.byKey.values()].map((e) => ({ labels: { ...e.labels }, value: e.count })),
    );
    const name = 'reelrank_http_request_duration_seconds';
    const latency = customMetric(name, 'Time to answer, by route', 'histogram', () =>
      [...this.byRoute.values()].flatMap(({ latency: l }) => {
        let cumulative = 0;
        const buckets: MetricValue[] = LATENCY_BUCKETS.map((le, i) => {
          cumulative += l.counts[i];
          return { labels: { le, route: l.route }, value: cumulative, metricName: `${name}_bucket` };
        });
        return [
          ...buckets,
          { labels: { le: '+Inf', route: l.route }, value: l.count, metricName: `${name}_bucket` },
          { labels: { route: l.route }, value: l.sum, metricName: `${name}_sum` },
          { labels: { route: l.route }, value: l.count, metricName: `${name}_count` },
        ];
      }),
    );
    // Not Counter/Histogram instances, but what the registry reads of them (name, get, reset).
    registry.registerMetric(requests as unknown as Counter);
    registry.registerMetric(latency as unknown as Histogram);
  }
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly liveModel: Gauge<'version'>;
  readonly ratingsReceived: Counter;
  readonly foldInsServed: Counter;
  readonly coldStartAnswers: Counter;
  readonly answers: Counter<'strategy'>;
  private readonly http = new HttpStats();
  /** The answers counter's child per strategy (a few fixed names): labels are hashed once, not per answer. */
  private readonly answersByStrategy = new Map<string, { inc(): void }>();
  private liveVersion: () => string | undefined = () => undefined;

  constructor() {
    const registers = [this.registry];
    this.http.register(this.registry);
    const liveVersion = () => this.liveVersion();
    this.liveModel = new Gauge({
      name: 'reelrank_model_live',
      help: 'Processes serving each model version (1 per process in single mode)',
      labelNames: ['version'],
      registers,
      collect() {
        this.reset();
        const version = liveVersion();
        if (version) this.set({ version }, 1);
      },
    });
    this.ratingsReceived = new Counter({ name: 'reelrank_ratings_received_total', help: 'Ratings accepted by POST /ratings', registers });
    this.foldInsServed = new Counter({
      name: 'reelrank_fold_ins_served_total',
      help: 'Answers computed from a user vector folded in at request time',
      registers,
    });
    this.coldStartAnswers = new Counter({
      name: 'reelrank_cold_start_answers_total',
      help: 'Recommendation answers from the popularity list (unknown user)',
      registers,
    });
    this.answers = new Counter({
      name: 'reelrank_recommendation_answers_total',
      help: 'Recommendation answers by strategy',
      labelNames: ['strategy'],
      registers,
    });
  }

  /** The live version the gauge reports, read at each scrape. */
  watchLiveModel(version: () => string | undefined): void {
    this.liveVersion = version;
  }

  /** One recommendation answer: by strategy, and as a cold start or fold-in where it is one (both fold-in strategies rank by a folded vector). */
  countAnswer(strategy: string): void {
    let counter = this.answersByStrategy.get(strategy);
    if (!counter) this.answersByStrategy.set(strategy, (counter = this.answers.labels(strategy)));
    counter.inc();
    if (strategy === 'popular') this.coldStartAnswers.inc();
    else if (strategy === 'fold-in' || strategy === 'popular-blend') this.foldInsServed.inc();
  }

  /**
   * Counts every request (route, method, status, latency) when its response is finished. The route
   * is the matched pattern (/movies/:movie_id); "(unmatched)" a 404 no route took, "(other)" the
   * rest that no route handled (static files, /docs, a body refused before routing).
   */
  middleware(): RequestHandler {
    const http = this.http;
    // One listener function for every response (no closure per request): the start time rides in res.locals.
    function recordFinished(this: Response): void {
      const req = this.req;
      const matched = req.route as { path: string } | undefined;
      const route = matched ? (req.baseUrl ? req.baseUrl + matched.path : matched.path) : this.statusCode === 404 ? '(unmatched)' : '(other)';
      http.record(route, req.method, this.statusCode, (performance.now() - (this.locals as Timed)[STARTED]) / 1000);
    }
    return (_req, res, next) => {
      (res.locals as Timed)[STARTED] = performance.now();
      res.on('finish', recordFinished);
      next();
    };
  }
}

/** The online evaluation's counters and hit-rate gauge (only where the evaluator lives: the primary in cluster mode). */
export function registerOnlineMetrics(registry: Registry, online: OnlineEvaluator): void {
  const registers = [registry];
  const ratings = new Counter({
    name: 'reelrank_online_ratings_total',
    help: 'Ratings received, by whether the movie was recommended to that user in the previous 24 h',
    labelNames: ['source'],
    registers,
  });
  const liked = new Counter({
    name: 'reelrank_online_liked_ratings_total',
    help: 'Ratings >= 4 received, by the same split',
    labelNames: ['source'],
    registers,
  });
  for (const source of ['recommended', 'other']) {
    ratings.labels(source).inc(0);
    liked.labels(source).inc(0);
  }
  online.onRating((source, isLiked) => {
    ratings.labels(source).inc();
    if (isLiked) liked.labels(source).inc();
  });
  new Gauge({
    name: 'reelrank_online_hit_rate',
    help: 'Share of received ratings >= 4, for movies recommended to that user in the previous 24 h vs other movies',
    labelNames: ['source'],
    registers,
    collect() {
      this.reset();
      const snapshot = online.snapshot();
      for (const source of ['recommended', 'other'] as const) {
        const rate = snapshot[source].hitRate;
        if (rate !== null) this.set({ source }, rate);
      }
    },
  });
  new Gauge({
    name: 'reelrank_online_tracked_pairs',
    help: '(user, movie) recommendations remembered for the online evaluation',
    registers,
    collect() {
      this.set(online.snapshot().trackedPairs);
    },
  });
}

/** Prometheus text of one or several registries' JSON (several: a cluster's, summed). */
export async function renderMetrics(parts: MetricsJson[]): Promise<{ text: string; contentType: string }> {
  const registry = AggregatorRegistry.aggregate(parts);
  return { text: await registry.metrics(), contentType: registry.contentType };
}

export interface CountSummary {
  requests: number;
  errors: number;
}

/** What the dashboard polls: cumulative counts (it derives rates and quantiles from the differences between polls). */
export interface MetricsSummary {
  at: string;
  requests: CountSummary & { by_route: Record<string, CountSummary> };
  latency: { le: number[]; cumulative: number[]; count: number; sum_seconds: number };
  live_versions: { version: string; processes: number }[];
  ratings_received: number;
  fold_ins_served: number;
  cold_start_answers: number;
  online: Record<'recommended' | 'other', { ratings: number; liked: number; hit_rate: number | null }>;
  /** `reelrank retrain --watch` (retrain-metrics.ts); null when no watcher has written its state. */
  retrain: RetrainSummary | null;
  /** The promotion gate's holdout figures per trained version, oldest first (gate-metrics.ts). */
  gate: GateSummaryEntry[];
  /** The drift of the posted ratings (drift-metrics.ts); null before the first measurement. */
  drift: DriftSummary | null;
  /** The newest A/B experiment's figures per arm (experiment-metrics.ts); null when none ran since start. */
  experiment: ExperimentSummary | null;
}

/** The dashboard's summary of (aggregated) metrics JSON; the monitoring routes themselves are left out. */
export function summarizeMetrics(metrics: MetricsJson, at = new Date()): MetricsSummary {
  const byName = new Map(metrics.map((m) => [m.name, m.values as { value: number; labels: Record<string, string | number>; metricName?: string }[]]));
  const values = (name: string) => byName.get(name) ?? [];
  const total = (name: string) => values(name).reduce((sum, v) => sum + v.value, 0);
  const byRoute: Record<string, CountSummary> = {};
  let requests = 0;
  let errors = 0;
  for (const v of values('reelrank_http_requests_total')) {
    const route = String(v.labels.route);
    if (MONITORING_ROUTES.has(route)) continue;
    const failed = Number(v.labels.status) >= 500 ? v.value : 0;
    byRoute[route] ??= { requests: 0, errors: 0 };
    byRoute[route].requests += v.value;
    byRoute[route].errors += failed;
    requests += v.value;
    errors += failed;
  }
  const buckets = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const v of values('reelrank_http_request_duration_seconds')) {
    if (MONITORING_ROUTES.has(String(v.labels.route))) continue;
    if (v.metricName?.endsWith('_bucket')) {
      const le = v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + v.value);
    } else if (v.metricName?.endsWith('_count')) count += v.value;
    else if (v.metricName?.endsWith('_sum')) sum += v.value;
  }
  const le = [...buckets.keys()].filter(Number.isFinite).sort((a, b) => a - b);
  const online = (source: 'recommended' | 'other') => {
    const pick = (name: string) => values(name).find((v) => v.labels.source === source)?.value ?? 0;
    const ratings = pick('reelrank_online_ratings_total');
    const liked = pick('reelrank_online_liked_ratings_total');
    return { ratings, liked, hit_rate: ratings ? liked / ratings : null };
  };
  return {
    at: at.toISOString(),
    requests: { requests, errors, by_route: byRoute },
    latency: { le, cumulative: le.map((b) => buckets.get(b) ?? 0), count, sum_seconds: sum },
    live_versions: values('reelrank_model_live')
      .filter((v) => v.value > 0)
      .map((v) => ({ version: String(v.labels.version), processes: v.value })),
    ratings_received: total('reelrank_ratings_received_total'),
    fold_ins_served: total('reelrank_fold_ins_served_total'),
    cold_start_answers: total('reelrank_cold_start_answers_total'),
    online: { recommended: online('recommended'), other: online('other') },
    retrain: summarizeRetrain(metrics),
    gate: summarizeGate(metrics),
    drift: summarizeDrift(metrics),
    experiment: summarizeExperiment(metrics),
  };
}
