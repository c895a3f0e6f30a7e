import { randomBytes } from 'node:crypto';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import pino, { type Logger } from 'pino';
import { defaultIdentityConfig, splitList, type IdentityConfig, type ServingConfig } from '@reelrank/config';
import {
  type CatalogueOverlayStore,
  type KeyStore,
  openSqliteCatalogueOverlay,
  openSqliteKeyStore,
  openSqliteRatingsStore,
  openSqliteSignalsStore,
  type OverlayMovie,
  type RatingsStore,
  type SignalsStore,
} from '@reelrank/feedback';
import { adminGuards, requireOperator, type AdminOptions } from './admin-auth.js';
import { adminRoutes } from './admin-routes.js';
import { answerObserver } from './answer-observer.js';
import { readAccess } from './authorization.js';
import { weakAdminToken } from './admin-token.js';
import { readApiEnv, type TrustProxy } from './api-config.js';
import { ApiError, errorMiddleware, notFoundMiddleware } from './errors.js';
import { catalogueRoutes } from './catalogue-routes.js';
import { FreshUsers } from './fresh-users.js';
import { UserSignals } from './user-signals.js';
import { identityMiddleware } from './identity.js';
import { visitors } from './visitors.js';
import { IdentityLimits } from './identity-limits.js';
import { fastCors, fastJson, parseByteLimit, requestLogging, series } from './http-fast.js';
import { apiHeaders, setPageHeaders } from './security-headers.js';
import { registerOnlineMetrics, ServiceMetrics, type MetricsJson } from './metrics.js';
import { ArmMetrics, registerArmOnlineMetrics, type ArmEvalSink } from './experiment-metrics.js';
import { experimentRoutes } from './experiment-routes.js';
import { experimentRunnerFor, type ExperimentsOptions } from './experiment-setup.js';
import { registerRetrainMetrics } from './retrain-metrics.js';
import { registerGateMetrics, type GateHistoryEntry } from './gate-metrics.js';
import { DriftMonitor } from './drift-monitor.js';
import { registerDriftMetrics } from './drift-metrics.js';
import { movieChangeOf, type ModelHolder } from './model-holder.js';
import { modelRoutes, type ModelRegistryOptions } from './model-routes.js';
import { monitoringRoutes } from './monitoring-routes.js';
import { OnlineEvaluator, type OnlineEvalSink } from './online-eval.js';
import { buildOpenApiDocument } from './openapi.js';
import { FailureLimiter } from './rate-limit.js';
import { docsRoutes } from './docs-routes.js';
import { healthRoutes } from './health-routes.js';
import { movieRoutes } from './movie-routes.js';
import { ratingsRoutes } from './ratings-routes.js';
import { recommendationRoutes } from './recommendation-routes.js';
import { signalsRoutes } from './signals-routes.js';
import { buildSchemas } from './schemas.js';
import type { Recommender } from '@reelrank/serving';
import type { DriftProfile, DriftSettings, RetrainWatchState } from '@reelrank/model';

export interface CreateAppOptions {
  /**
   * The service: a Recommender, a getter returning the current one, or a ModelHolder (which also
   * enables POST /admin/reload). Until a model is loaded, /ready and the model routes answer 503.
   */
  recommender?: Recommender | (() => Recommender | undefined);
  models?: ModelHolder;
  /** `identity` (or any of its keys, `limits` among them) absent: the defaults of the config schema. */
  config: { serving: ServingConfig; identity?: Partial<IdentityConfig> };
  /** Per-identity budgets (main.ts: one whose spending is shared with the other cluster workers); default: this app's own, from `config.identity.limits`. */
  limits?: IdentityLimits;
  logger?: Logger;
  /** Admin route settings (token etc.); defaults come from the environment (api-config.ts). */
  admin?: Omit<AdminOptions, 'holder'>;
  /**
   * Set by a cluster worker (apps/api/src/cluster.ts): every response carries `x-worker-id: <id>`,
   * so a client or a test can tell which worker answered. Unset in the single-process server.
   */
  workerId?: string | number;
  /**
   * Express `trust proxy` (which addresses may set X-Forwarded-For, i.e. what req.ip is, and so
   * which client the admin route's failure limit counts); default REELRANK_TRUST_PROXY, unset: none.
   */
  trustProxy?: TrustProxy;
  /** The model registry behind GET /models and POST /admin/models/{version}/activate (absent: only the serving model is listed). */
  registry?: ModelRegistryOptions;
  /** Prometheus metrics (metrics.ts); default: a registry of this app's own. */
  metrics?: ServiceMetrics;
  /** Where recommendations shown and ratings received go (online-eval.ts); default: an evaluator in this process, in `metrics`. */
  online?: OnlineEvalSink;
  /** The state `reelrank retrain --watch` writes (main.ts: config paths.retrainStatePath), read at each scrape; absent: no retrain gauges. */
  retrainState?: () => RetrainWatchState;
  /** The promotion gate's figures per trained version (main.ts: the registry's run history); absent: no gate gauges. */
  gateHistory?: () => GateHistoryEntry[];
  /** What GET /metrics serves; default `metrics`' registry (a cluster worker: the cluster's, summed by the primary). */
  metricsSource?: () => Promise<MetricsJson>;
  /** Where POST /ratings stores (main.ts: the SQLite file of config paths.ratingsDbPath); default a private in-memory SQLite store. */
  ratings?: RatingsStore;
  /**
   * The visitor cookie's signing secrets, current first (main.ts: identity.visitorCookieSecret or the
   * data folder's file, then the previous secret); default one random secret of this app.
   */
  visitorSecrets?: string[];
  /** The visitor mint budget and a callback per mint (main.ts in a cluster worker: shared with the other workers); default a budget of this app's own. */
  visitorMints?: { limiter: FailureLimiter; onMint?: (client: string) => void };
  /** Where POST /signals stores (main.ts: openSignalsStore, next to the ratings); default a private in-memory SQLite store. */
  signals?: SignalsStore;
  /** The API keys (main.ts: openKeyStore, next to the ratings); default a private in-memory SQLite store without keys. */
  keys?: KeyStore;
  /** What `ratings` is, for GET /ready (main.ts: openRatingsStore's kind and location); default: the in-memory SQLite store's. */
  ratingsStore?: { kind: 'postgres' | 'sqlite'; location: string };
  /** Where the catalogue is read from, for GET /ready (main.ts: describeCatalogSource); absent: not reported. */
  catalogueSource?: { kind: 'postgres' | 'sqlite'; location: string };
  /**
   * Drift of the posted ratings (in `ratings`) from the live model's training profile (drift-monitor.ts):
   * measured on a timer, exported as gauges and at GET /metrics/drift (main.ts: config operations.drift and
   * the registry's profiles); absent: not measured.
   */
  drift?: { settings: DriftSettings & { refreshSeconds: number }; profileOf: (version: string) => DriftProfile | null };
  /** Where POST /movies and PATCH /movies/{movie_id} write (main.ts: openCatalogueOverlay, next to the ratings); default a private in-memory SQLite store. */
  catalogue?: CatalogueOverlayStore;
  /** A/B experiments between model versions (experiment-setup.ts; needs `registry` and `models` too); absent: the experiment routes answer 403. */
  experiments?: ExperimentsOptions;
  /** Where each arm's recommendations and ratings go (a cluster worker: the primary); default: evaluators in this process, in `metrics`. */
  armOnline?: ArmEvalSink;
}

const notLoaded = (): never => {
  throw new ApiError(503, 'model_not_ready', 'No model is loaded yet; retry shortly (see GET /ready)');
};

/** A store given without saying what it is: PostgreSQL stores carry their (redacted) location, SQLite stores their path. */
function describeStore(store: RatingsStore | undefined): { kind: 'postgres' | 'sqlite'; location: string } {
  if (!store) return { kind: 'sqlite', location: ':memory:' };
  if ('location' in store && typeof store.location === 'string') return { kind: 'postgres', location: store.location };
  return { kind: 'sqlite', location: 'path' in store && typeof store.path === 'string' ? store.path : '(unknown)' };
}

export function defaultLogger(): Logger {
  return pino({ level: readApiEnv().logLevel });
}

export function createApp(options: CreateAppOptions): Express {
  const { serving } = options.config;
  const given = options.recommender;
  const current: () => Recommender | undefined = options.models ? () => options.models!.current() : typeof given === 'function' ? given : () => given;
  const identity = { ...defaultIdentityConfig(), ...options.config.identity };
  const limits = options.limits ?? new IdentityLimits(identity.limits);
  const schemas = buildSchemas({
    maxRecommendations: serving.maxRecommendations,
    foldMaxRatings: limits.config.foldMaxRatings,
    foldMaxUsers: limits.config.foldMaxUsers,
  });
  // The document names the live model's version; rebuilt only when that changes.
  let document: { version: string; body: object } | undefined;
  const openApiDocument = () => {
    const version = current()?.manifest.version ?? 'no-model-loaded';
    if (document?.version !== version)
      document = { version, body: buildOpenApiDocument(schemas, { version, anonymousReads: identity.anonymousReads }) };
    return document.body;
  };
  const env = readApiEnv();
  const admin: AdminOptions = {
    token: env.adminToken,
    burst: env.adminBurst,
    refillSeconds: env.adminRefillSeconds,
    globalCap: { burst: limits.config.adminGlobalBurst, refillSeconds: limits.config.adminGlobalRefillSeconds },
    ...options.admin,
    holder: options.models,
  };
  const weak = weakAdminToken(admin.token);
  if (weak) throw new Error(weak);
  // One failure budget per client address for every authentication (keys, the admin token, the admin routes).
  admin.failures ??= new FailureLimiter(admin.burst ?? 5, admin.refillSeconds ?? 2, admin.maxTrackedClients, undefined, admin.globalCap);

  const metrics = options.metrics ?? new ServiceMetrics();
  metrics.watchLiveModel(() => current()?.manifest.version);
  let online = options.online;
  if (!online) {
    const evaluator = new OnlineEvaluator();
    registerOnlineMetrics(metrics.registry, evaluator);
    online = evaluator;
  }
  if (options.retrainState) registerRetrainMetrics(metrics.registry, options.retrainState);
  if (options.gateHistory) registerGateMetrics(metrics.registry, options.gateHistory);
  const ratingsStore = options.ratings ?? openSqliteRatingsStore(':memory:');
  const logger = options.logger ?? defaultLogger();
  let driftMonitor: DriftMonitor | undefined;
  if (options.drift) {
    driftMonitor = new DriftMonitor({
      store: ratingsStore,
      liveVersion: () => current()?.manifest.version,
      ...options.drift,
      onError: (error) => logger.warn({ err: error }, `the drift measurement failed; keeping the last one: ${error.message}`),
    });
    registerDriftMetrics(metrics.registry, () => driftMonitor!.report());
    driftMonitor.start();
  }
  const experiments = options.experiments && experimentRunnerFor(options.experiments, { registry: options.registry, holder: options.models, logger });
  if (experiments) void experiments.start();
  const armMetrics = new ArmMetrics(metrics.registry);
  const armOnline = options.armOnline ?? registerArmOnlineMetrics(metrics.registry);
  const observe = answerObserver({ metrics, online, armMetrics, armOnline, experiments, current });
  const metricsSource = options.metricsSource ?? (() => metrics.registry.getMetricsAsJSON());

  const app = express();
  // Tests read the counters, the evaluator, the drift monitor and the experiments from here.
  Object.assign(app.locals, { metrics, online, driftMonitor, experiments, armOnline });
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('json spaces', 0);
  app.set('trust proxy', options.trustProxy ?? env.trustProxy);
  // Every request passes these steps, run as one Express layer (series): counting, a request id on
  // every log line (one line per request at info; LOG_LEVEL=warn keeps only problems), the security
  // headers, CORS, who is calling, and the JSON body.
  const front: RequestHandler[] = [metrics.middleware(), requestLogging(logger), apiHeaders];
  if (options.workerId !== undefined) {
    const workerId = String(options.workerId);
    front.push((_req, res, next) => {
      res.setHeader('x-worker-id', workerId);
      next();
    });
  }
  const origins = splitList(serving.corsOrigins);
  // No origins configured: no CORS headers at all, so only pages of the API's own origin (the web page) may call it.
  if (origins.length) front.push(fastCors(origins, cors({ origin: origins.includes('*') ? '*' : origins, exposedHeaders: ['x-request-id'] })));
  const visitor = visitors({
    secrets: options.visitorSecrets ?? [randomBytes(32).toString('base64url')],
    maxAgeDays: identity.visitorMaxAgeDays,
    allowedOrigins: splitList(identity.allowedOrigins),
    mintBurst: identity.visitorMintBurst,
    mintRefillSeconds: identity.visitorMintRefillSeconds,
    mint: identity.anonymousReads,
    mints: options.visitorMints?.limiter,
    onMint: options.visitorMints?.onMint,
    maxDataSetUserId: () => current()?.maxDataSetUserId,
  });
  front.push(
    identityMiddleware({
      keys: options.keys ?? openSqliteKeyStore(':memory:'),
      adminToken: admin.token,
      failures: admin.failures,
      onAuthFailure: admin.onAuthFailure,
      onAuthSuccess: admin.onAuthSuccess,
      visitors: visitor.resolve,
    }),
    fastJson(parseByteLimit(serving.bodyLimit), express.json({ limit: serving.bodyLimit })),
  );
  app.use(series(front));
  const fresh = new FreshUsers(ratingsStore, undefined, undefined, limits.config.foldMaxRatings);
  const signals = new UserSignals(options.signals ?? openSqliteSignalsStore(':memory:'));
  const model = () => current() ?? notLoaded();
  const reads = readAccess(identity.anonymousReads);
  const { adminOnly, adminGuard } = adminGuards(admin);
  const catalogueStore = options.catalogue ?? openSqliteCatalogueOverlay(':memory:');
  const applyCatalogue = options.models
    ? (rows: readonly OverlayMovie[]) => options.models!.applyCatalogueChanges(rows)
    : (rows: readonly OverlayMovie[]) => rows.forEach((row) => current()?.applyMovieChange(movieChangeOf(row)));
  // One router per concern; the hot routes first, since Express tries the routes in order.
  recommendationRoutes(app, schemas, model, {
    maxRecommendations: serving.maxRecommendations,
    answerCacheEntries: serving.answerCacheEntries,
    foldMaxUsers: limits.config.foldMaxUsers,
    reads,
    observe,
    fresh,
    signals,
    limits,
    experiments,
  });
  ratingsRoutes(app, model, fresh, limits, observe);
  signalsRoutes(app, model, signals, limits);
  movieRoutes(app, model, reads);
  healthRoutes(app, current, {
    fresh,
    ratingsStore: options.ratingsStore ?? describeStore(options.ratings),
    catalogueSource: options.catalogueSource,
  });
  adminRoutes(app, admin, adminGuard);
  experimentRoutes(app, { runner: experiments, holder: options.models, registry: options.registry, current, adminGuard, adminOnly });
  modelRoutes(app, { current, holder: options.models, registry: options.registry, adminGuard, readGuard: requireOperator });
  monitoringRoutes(app, {
    source: metricsSource,
    webRoot: serving.webRoot,
    guard: requireOperator,
    drift: driftMonitor && (() => driftMonitor.report()),
  });
  catalogueRoutes(app, model, catalogueStore, applyCatalogue);
  app.post('/visitor', visitor.mint);
  docsRoutes(app, openApiDocument);
  // The web page at / (index.html, app.js, style.css): static files, no inline script, so helmet's CSP holds.
  if (serving.webRoot) app.use(express.static(serving.webRoot, { index: 'index.html', setHeaders: setPageHeaders }));

  app.use(notFoundMiddleware);
  app.use(errorMiddleware);
  return app;
}
