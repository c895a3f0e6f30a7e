import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { openCatalogueOverlay, openExperimentStore, openKeyStore, openRatingsStore, openSignalsStore } from '@reelrank/feedback';
import { gateHistory, loadModelArtifacts, ModelLoadError, modelVersionDir, readRetrainWatchState, resolveLiveModel } from '@reelrank/model';
import { driftOptions } from './lib/drift-options.js';
import type { DriftMonitor } from './lib/drift-monitor.js';
import { workerMetricsLink } from './lib/cluster-metrics.js';
import { ServiceMetrics } from './lib/metrics.js';
import { listenMetrics, metricsApp } from './lib/metrics-listener.js';
import { weakAdminToken } from './lib/admin-token.js';
import { readApiEnv } from './lib/api-config.js';
import { createApp, defaultLogger } from './lib/app.js';
import {
  announceAdminReload,
  isAdminAuthFailed,
  isAdminAuthOk,
  isCatalogueChanged,
  isLimitSpent,
  isVisitorMinted,
  tellPrimary,
} from './lib/cluster-messages.js';
import { IdentityLimits } from './lib/identity-limits.js';
import { ModelHolder, type ReloadResult } from './lib/model-holder.js';
import { announcingWrites } from './lib/catalogue-announce.js';
import { CatalogueSync } from './lib/catalogue-sync.js';
import type { ExperimentRunner } from './lib/experiment-runner.js';
import { readOrCreateSecret } from './lib/visitor-secret.js';
import { limitHeapGrowth } from './lib/heap-growth.js';
import { FailureLimiter } from './lib/rate-limit.js';
import { describeCatalogSource, openCatalogSource, Recommender, type CatalogSource } from '@reelrank/serving';

/**
 * `nx serve api` / `npm start`: listens at once (GET /ready answers 503 while loading), loads the
 * newest complete model with its catalogue, then logs "listening on <url>". The catalogue is the
 * SQLite file, or with DATABASE_URL the PostgreSQL catalogue read into memory (openCatalogSource; one
 * clear error and exit 1 when it is absent, empty or another data set). Reloads - SIGHUP or
 * POST /admin/reload with REELRANK_ADMIN_TOKEN - read the PostgreSQL catalogue again when its
 * dataHash changed, build the new model fully and swap it in; a failed reload keeps the old one. SIGTERM/SIGINT stop accepting connections, finish the open
 * ones, then exit (0; 1 if they take longer than REELRANK_SHUTDOWN_SECONDS).
 *
 * The same file is the worker of `src/cluster.ts` (one per core): then every response carries
 * `x-worker-id`, and the worker reports readiness and reloads to the primary over IPC
 * (lib/cluster-messages.ts) so that POST /admin/reload on one worker reloads them all.
 *
 * Run as a program it starts at once and handles the signals; imported, `start` and `stop` do the same
 * for the caller (a test, a tool), without signal handlers or exits.
 */

/** A server `start` began: listening, and loading its catalogue and first model. */
export interface ApiServer {
  app: Express;
  server: Server;
  holder: ModelHolder;
  /** Resolves with the server's URL once the first model serves; rejects with why the server cannot serve (it then stays up, answering 503, until stopped). */
  ready: Promise<string>;
  /** Reloads the live model; `source` is who asked for it (travels with the reload, see ModelHolder). */
  reload(source: 'start' | 'signal'): Promise<ReloadResult>;
  logger: Logger;
  /** Seconds a stop may take before the program gives up (REELRANK_SHUTDOWN_SECONDS). */
  shutdownSeconds: number;
  /** Closes the metrics listener (this process's, when it has one). */
  closeMetrics(): void;
  /** After the server closed: closes the model, the pollers and the stores. */
  release(): Promise<void>;
  /** The one stop of this server (stop() sets it). */
  stopping?: Promise<void>;
}

/** Starts the API with the configuration of `variables` (default the process's environment); throws when the configuration is refused. */
export function start(variables: NodeJS.ProcessEnv = process.env): ApiServer {
  const config = loadConfig({ env: variables });
  limitHeapGrowth(config.serving.heapGrowthPercent);
  const env = readApiEnv(variables);
  const weak = weakAdminToken(env.adminToken);
  if (weak) throw new Error(weak);
  const worker = cluster.isWorker ? cluster.worker : undefined;
  const logger = worker ? defaultLogger().child({ worker: worker.id }) : defaultLogger();
  const { dataset } = config.dataset;
  const hint = `run \`npm start\` (which builds the stages) or \`npx nx run trainer:pipeline\``;

  // The registry's live version (models/_versions/<dataset>/), brought up to date with models/<dataset>/
  // first (a cache restore); on a read-only models folder, whatever is live without the update.
  const registry = { paths: config.paths, keep: config.storage.keepModelVersions };
  const liveDir = () =>
    resolveLiveModel(registry.paths, registry.keep, (error) =>
      logger.warn({ err: error }, 'the model registry could not be updated; serving its live version as it is'),
    ).dir;
  // Opened once listening (an async read with PostgreSQL), before the first load.
  let catalogs: CatalogSource | undefined;
  const build = (dir: string) => {
    if (!catalogs) throw new Error('the catalogue is not open yet');
    const catalog = catalogs.open();
    try {
      return new Recommender(loadModelArtifacts(dir), catalog, {
        maxRecommendations: config.serving.maxRecommendations,
        catalogueChanges: holder.catalogueChanges(),
      });
    } catch (error) {
      catalog.close();
      throw error;
    }
  };
  // An A/B experiment's challenger: a registry version, built as a reload builds the live one.
  const buildVersion = (version: string) => {
    const dir = modelVersionDir(registry.paths.registryDir, version);
    if (!dir) throw new ModelLoadError(`Model version ${version} is not in the registry`);
    const recommender = build(dir);
    if (recommender.manifest.version !== version) {
      recommender.close();
      throw new ModelLoadError(`the registry folder of ${version} holds version ${recommender.manifest.version}`);
    }
    return recommender;
  };
  const holder: ModelHolder = new ModelHolder((dir) => build(dir ?? liveDir()), {
    onReloaded: (result) => announceAdminReload(result),
    beforeReload: () => catalogs?.refresh() ?? Promise.resolve(),
  });
  const reloadFrom = (source: 'start' | 'signal') => holder.reloadFresh({ source });

  // Cluster: failed admin authentications are shared with the other workers through the primary.
  const globalCap = { burst: config.identity.limits.adminGlobalBurst, refillSeconds: config.identity.limits.adminGlobalRefillSeconds };
  const failures = new FailureLimiter(env.adminBurst, env.adminRefillSeconds, undefined, undefined, globalCap);
  const onAuthFailure = worker ? (client: string) => tellPrimary({ type: 'reelrank:admin-auth-failed', client }) : undefined;
  // Cluster: new visitors too, so one address's mint budget is the same with any number of workers.
  const mints = new FailureLimiter(config.identity.visitorMintBurst, config.identity.visitorMintRefillSeconds);
  const onMint = worker ? (client: string) => tellPrimary({ type: 'reelrank:visitor-minted', client }) : undefined;
  const onAuthSuccess = worker ? (client: string) => tellPrimary({ type: 'reelrank:admin-auth-ok', client }) : undefined;
  // Cluster: so are the per-identity budgets (each worker spends what the others spent).
  const limits = new IdentityLimits(
    config.identity.limits,
    worker ? (kind, subject, cost) => tellPrimary({ type: 'reelrank:limit-spent', kind, subject, cost }) : undefined,
  );
  if (worker) {
    process.on('message', (message: unknown) => {
      if (isAdminAuthFailed(message)) failures.fail(message.client);
      else if (isAdminAuthOk(message)) failures.clear(message.client);
      else if (isLimitSpent(message)) limits.spentElsewhere(message.kind, message.subject, message.cost);
      else if (isVisitorMinted(message)) mints.fail(message.client);
      else if (isCatalogueChanged(message)) void catalogueSync.poll().catch(() => undefined); // the timer's poll retries
    });
  }
  // Cluster: /metrics answers for the whole cluster and the online evaluation runs in the primary (cluster-metrics.ts).
  const metrics = new ServiceMetrics();
  const link = worker ? workerMetricsLink(metrics.registry) : undefined;
  // Posted ratings: PostgreSQL when DATABASE_URL is set (shared by every replica), else one SQLite file
  // shared by every worker (SQLite's locks serialise their writes).
  const {
    store: ratings,
    kind: ratingsKind,
    location: ratingsLocation,
  } = openRatingsStore(config, {
    onWriterExit: ({ error, restartInMs, crashesInLastMinute }) =>
      logger.error({ err: error, restartInMs, crashesInLastMinute }, `the ratings writer thread died; a new one starts in ${restartInMs} ms`),
  });
  // Taste signals live next to the posted ratings, written the same way.
  const signals = openSignalsStore(config, {
    onWriterExit: ({ error, restartInMs }) =>
      logger.error({ err: error, restartInMs }, `the signals writer thread died; a new one starts in ${restartInMs} ms`),
  });
  // API keys live next to the posted ratings, so every replica on the same store sees the same keys.
  const { keys } = openKeyStore(config);
  // So does the catalogue's overlay (movies added, changed, hidden through the API): every worker and
  // replica reads it whole before its first model, then polls it for what the others wrote.
  // Cluster: a worker's write is announced, so its siblings read it at once (they poll as a fallback).
  const overlay = openCatalogueOverlay(config);
  const catalogue = worker ? announcingWrites(overlay, (revision) => tellPrimary({ type: 'reelrank:catalogue-changed', revision })) : overlay;
  const catalogueSync = new CatalogueSync(catalogue, (rows) => holder.applyCatalogueChanges(rows));
  // A/B experiments too: every worker and replica on the same store polls the same running one.
  const experimentStore = openExperimentStore(config);
  // The visitor cookie's secrets: the configured one, else the data folder's (made on first start, shared by the workers).
  const { visitorCookieSecret, visitorCookiePreviousSecret } = config.identity;
  const visitorSecrets = [visitorCookieSecret ?? readOrCreateSecret(join(config.paths.dataDir, 'visitor-cookie.secret'))];
  if (visitorCookiePreviousSecret) visitorSecrets.push(visitorCookiePreviousSecret);
  const app = createApp({
    models: holder,
    config,
    logger,
    admin: { token: env.adminToken, failures, onAuthFailure, onAuthSuccess },
    limits,
    workerId: worker?.id,
    registry,
    metrics,
    online: link?.online,
    metricsSource: link?.source,
    ratings,
    signals,
    keys,
    catalogue,
    visitorSecrets,
    visitorMints: { limiter: mints, onMint },
    ratingsStore: { kind: ratingsKind, location: ratingsLocation },
    catalogueSource: describeCatalogSource(config),
    retrainState: () => readRetrainWatchState(config.paths.retrainStatePath),
    gateHistory: () => gateHistory(config.paths.registryDir),
    drift: driftOptions(config),
    experiments: { store: experimentStore, load: buildVersion, pollMs: config.serving.experimentPollMs },
    armOnline: link?.arms,
  });
  const driftMonitor = app.locals.driftMonitor as DriftMonitor | undefined;
  // The metrics listener: this process's, unless it is a cluster worker (then the primary's, summed).
  const metricsListening = worker
    ? Promise.resolve(undefined)
    : listenMetrics(
        metricsApp({
          source: () => metrics.registry.getMetricsAsJSON(),
          webRoot: config.serving.webRoot,
          drift: driftMonitor && (() => driftMonitor.report()),
        }),
        config.serving.metrics,
        logger,
      );
  const { host, port } = config.serving;
  let server!: Server;
  const ready = new Promise<string>((served, refuse) => {
    server = app.listen(port, host, async () => {
      try {
        catalogs = await openCatalogSource(config);
      } catch (error) {
        return refuse(new Error(`cannot open the catalogue of ${dataset}: ${(error as Error).message}`));
      }
      try {
        await catalogueSync.load();
      } catch (error) {
        return refuse(new Error(`cannot read the catalogue overlay of ${dataset}: ${(error as Error).message}`));
      }
      catalogueSync.start(
        { intervalMs: config.serving.catalogueRefreshMs, listeningMs: config.serving.catalogueListeningPollMs },
        (error) => logger.warn({ err: error }, 'the catalogue overlay could not be read or listened to; retrying'),
        (listening) =>
          logger.info({ listening }, listening ? 'catalogue changes are pushed (LISTEN)' : 'catalogue listener dropped; polling until it reconnects'),
      );
      try {
        await reloadFrom('start');
      } catch (error) {
        return refuse(new Error(`no trained model for ${dataset}: ${hint} (${(error as Error).message})`));
      }
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      const url = `http://${shown}:${actualPort}`;
      const live = holder.current()!;
      if (worker) {
        tellPrimary({ type: 'reelrank:ready', url, version: live.manifest.version, rssBytes: process.memoryUsage().rss });
        logger.info({ url, simd: live.simd }, `worker ${worker.id} (pid ${process.pid}) serving model ${live.manifest.version} on ${url}`);
        return served(url);
      }
      logger.info({ url, simd: live.simd }, `reelrank API (${dataset}, model ${live.manifest.version}) listening on ${url}, docs at ${url}/docs`);
      logger.info({ store: ratingsKind, location: ratingsLocation }, `posted ratings go to ${ratingsKind} (${ratingsLocation})`);
      logger.info({ catalogue: catalogs.kind, location: catalogs.location }, `catalogue read from ${catalogs.kind} (${catalogs.location})`);
      if (!env.adminToken) logger.info('no REELRANK_ADMIN_TOKEN: the admin routes take admin keys only (reelrank keys create --role admin)');
      served(url);
    });
    server.on('error', (error) => refuse(new Error(`cannot listen on ${host}:${port}: ${error.message}`)));
  });
  // A server that cannot serve is the caller's to report; no unhandled rejection meanwhile.
  ready.catch(() => undefined);

  /** After the server closed: the model, the pollers and the stores (the metrics listener is closed by stop() at once). */
  const release = async () => {
    holder.current()?.close();
    catalogueSync.stop();
    (app.locals.experiments as ExperimentRunner | undefined)?.stop();
    await Promise.allSettled([ratings.close(), signals.close(), keys.close(), catalogue.close(), experimentStore.close()]);
  };
  const closeMetrics = () => void metricsListening.then((listening) => listening?.server.close());
  return { app, server, holder, logger, ready, reload: reloadFrom, shutdownSeconds: env.shutdownSeconds, closeMetrics, release };
}

/**
 * Stops `api`: no new connections; requests that arrive on an open keep-alive connection from now
 * on are answered with `Connection: close`, connections idle after their last response are closed
 * every 100 ms; once the last one closed, the model and the stores. Resolves then (the same promise
 * for every call).
 */
export function stop(api: ApiServer, reason = 'stop'): Promise<void> {
  api.stopping ??= new Promise<void>((stopped) => {
    const { server } = api;
    api.logger.info(`${reason}: closing the server`);
    server.prependListener('request', (_req, res) => {
      if (!res.headersSent) res.setHeader('connection', 'close');
    });
    api.closeMetrics();
    server.close(() => {
      clearInterval(sweeper);
      void api.release().finally(stopped);
    });
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    sweeper.unref();
  });
  return api.stopping;
}

/** The program: start, reload on SIGHUP, stop on SIGTERM/SIGINT (exit 0; 1 when requests outlast REELRANK_SHUTDOWN_SECONDS). */
function run(): void {
  let api: ApiServer;
  try {
    api = start();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  const { holder, logger } = api;
  api.ready.catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });

  process.on('SIGHUP', async () => {
    try {
      const result = await api.reload('signal');
      logger.info({ ...result }, `SIGHUP: model ${result.version} is live`);
      tellPrimary({ type: 'reelrank:reloaded', ok: true, version: result.version });
    } catch (error) {
      logger.error({ err: error }, 'SIGHUP: model reload failed; keeping the current model');
      tellPrimary({ type: 'reelrank:reloaded', ok: false, version: holder.current()?.manifest.version ?? null, error: (error as Error).message });
    }
  });

  const shutdown = (signal: string) => {
    if (api.stopping) return;
    void stop(api, signal).then(() => process.exit(0));
    setTimeout(() => {
      logger.error(`${signal}: requests still open after ${api.shutdownSeconds} s; exiting`);
      process.exit(1);
    }, api.shutdownSeconds * 1000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) run();
