import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { weakAdminToken } from './lib/admin-token.js';
import { readApiEnv } from './lib/api-config.js';
import { defaultLogger } from './lib/app.js';
import { isRelayed, isWorkerMessage } from './lib/cluster-messages.js';
import { primaryMetricsHub } from './lib/cluster-metrics.js';
import { listenMetrics, metricsApp } from './lib/metrics-listener.js';

/**
 * `npm run start:cluster` / `nx run api:serve-cluster`: the production start mode, one API worker
 * per core (node:cluster). The primary loads no model and answers no request: it forks
 * REELRANK_WORKERS (default os.availableParallelism()) workers, each running src/main.ts - the
 * normal server, which opens the same read-only model files and SQLite database - and the
 * workers share the listening port (the primary accepts and hands connections round-robin).
 *
 *   start      "listening on <url>" is logged once every worker has loaded the model; a worker
 *              that fails during start-up (no model, port taken) stops the cluster with exit 1.
 *   SIGTERM    (or SIGINT) forwarded to every worker: each stops accepting, finishes its in-flight
 *              requests and exits; the primary exits 0 when all are gone, or kills the rest and
 *              exits 1 after REELRANK_SHUTDOWN_SECONDS + 5 s.
 *   SIGHUP     rolling reload: one worker at a time gets SIGHUP and reloads the newest complete
 *              model (a rejected model keeps the old one), the next starts when it has answered.
 *              POST /admin/reload on any worker triggers the same for the other workers.
 *   admin      a failed admin authentication on one worker is passed on to the others, so the
 *              failure budget per client address is the cluster's, not each worker's.
 *   metrics    the primary serves GET /metrics (the workers' registries summed) on the metrics
 *              listener (config serving.metrics, 127.0.0.1:9464 by default; lib/metrics-listener.ts).
 *   limits     likewise what an identity spends of its budgets (ratings, new users, fold-ins).
 *   crash      a worker that dies unexpectedly is replaced after a back-off (0.5 s doubling to
 *              30 s while crashes keep coming within a minute).
 */

interface Slot {
  worker: Worker;
  startedAt: number;
  ready: boolean;
  rssBytes?: number;
}

function primary(): void {
  const env = readApiEnv();
  const config = loadConfig(); // fail fast on a bad config before forking anything
  const weak = weakAdminToken(env.adminToken);
  if (weak) {
    console.error(weak);
    process.exit(1);
  }
  const logger = defaultLogger().child({ role: 'primary' });
  const count = env.workers ?? availableParallelism();
  const killAfterMs = (env.shutdownSeconds + 5) * 1000;
  const { dataset } = config.dataset;

  cluster.setupPrimary({ exec: join(__dirname, 'main.ts') }); // execArgv (the tsx loader) is inherited
  const slots = new Map<number, Slot>(); // by worker id
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let exitCode = 0;
  const crashes: number[] = [];
  const pendingRestarts = new Set<NodeJS.Timeout>();
  const reloadWaiters = new Map<number, (ok: boolean) => void>();

  const fork = () => {
    const worker = cluster.fork();
    slots.set(worker.id, { worker, startedAt: Date.now(), ready: false });
    worker.on('message', (message: unknown) => onMessage(worker, message));
    logger.info(`worker ${worker.id} (pid ${worker.process.pid}) started`);
  };

  const metricsHub = primaryMetricsHub(() => [...slots.values()].map((s) => s.worker));
  // The metrics listener is the primary's: one scrape target with the cluster's sum.
  void listenMetrics(metricsApp({ source: metricsHub.collect, webRoot: config.serving.webRoot }), config.serving.metrics, logger);
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isWorkerMessage(message) || metricsHub.handle(worker, message)) return;
    const slot = slots.get(worker.id);
    if (!slot) return;
    if (message.type === 'reelrank:ready') {
      slot.ready = true;
      slot.rssBytes = message.rssBytes;
      logger.info(
        { workerId: worker.id, pid: worker.process.pid, rssMB: mb(message.rssBytes), version: message.version },
        `worker ${worker.id} (pid ${worker.process.pid}) ready, model ${message.version}, rss ${mb(message.rssBytes)} MB`,
      );
      if (phase === 'starting' && [...slots.values()].filter((s) => s.ready).length === count) {
        phase = 'running';
        const rss = [...slots.values()].map((s) => mb(s.rssBytes ?? 0));
        logger.info(
          { url: message.url, workers: count, rssMB: rss },
          `reelrank API cluster (${dataset}, ${count} workers, model ${message.version}) listening on ${message.url}, docs at ${message.url}/docs`,
        );
      }
    } else if (message.type === 'reelrank:reloaded') {
      reloadWaiters.get(worker.id)?.(message.ok);
    } else if (isRelayed(message)) {
      // Every worker counts every admin failure, every new visitor and every spending of a per-identity
      // budget, so an address's or identity's budget does not grow with the worker count.
      for (const other of slots.values()) {
        if (other.worker.id !== worker.id && !other.worker.isDead() && other.worker.isConnected()) other.worker.send(message);
      }
    } else if (message.type === 'reelrank:admin-reloaded') {
      logger.info(`worker ${worker.id} reloaded model ${message.version} via /admin/reload; reloading the other workers`);
      void rollingReload(worker.id);
    }
  };

  // ------------------------------------------------------------------ rolling reload (SIGHUP)
  let reloading: Promise<void> | undefined;
  let again = false;
  const reloadOne = (slot: Slot) =>
    new Promise<boolean>((done) => {
      const timer = setTimeout(() => finish(false), 300_000);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        reloadWaiters.delete(slot.worker.id);
        done(ok);
      };
      reloadWaiters.set(slot.worker.id, finish);
      slot.worker.process.kill('SIGHUP');
    });
  const rollingReload = async (skipWorkerId?: number): Promise<void> => {
    if (reloading) {
      again = true; // one more pass after the current one, so no request for a reload is lost
      return reloading;
    }
    reloading = (async () => {
      do {
        again = false;
        const started = Date.now();
        const results: string[] = [];
        for (const slot of [...slots.values()]) {
          if (phase === 'stopping') return;
          if (!slot.ready || slot.worker.id === skipWorkerId || slot.worker.isDead()) continue;
          const ok = await reloadOne(slot);
          results.push(`${slot.worker.id}:${ok ? 'ok' : 'kept old model'}`);
        }
        skipWorkerId = undefined;
        logger.info(`rolling reload done in ${((Date.now() - started) / 1000).toFixed(1)} s (worker:result ${results.join(' ')})`);
      } while (again);
    })().finally(() => (reloading = undefined));
    return reloading;
  };

  // ------------------------------------------------------------------ exits, restarts, shutdown
  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id);
    slots.delete(worker.id);
    reloadWaiters.get(worker.id)?.(false);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (phase === 'stopping') {
      if (code !== 0) exitCode = 1;
      logger.info(`worker ${worker.id} (pid ${worker.process.pid}) exited (${how})`);
      if (slots.size === 0) {
        logger.info(`all workers stopped; exiting ${exitCode}`);
        process.exit(exitCode);
      }
      return;
    }
    if (phase === 'starting' && !slot?.ready) {
      logger.error(`worker ${worker.id} (pid ${worker.process.pid}) exited during start-up (${how}); stopping the cluster`);
      exitCode = 1;
      stop('start-up failure');
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0] < now - 60_000) crashes.shift();
    const delay = Math.min(30_000, 500 * 2 ** (crashes.length - 1));
    logger.error(
      `worker ${worker.id} (pid ${worker.process.pid}) died (${how}); starting a replacement in ${delay} ms (${crashes.length} crash(es) in the last minute)`,
    );
    const timer = setTimeout(() => {
      pendingRestarts.delete(timer);
      if (phase !== 'stopping') fork();
    }, delay);
    pendingRestarts.add(timer);
  });

  const stop = (reason: string) => {
    if (phase === 'stopping') return;
    phase = 'stopping';
    for (const timer of pendingRestarts) clearTimeout(timer);
    pendingRestarts.clear();
    logger.info(`${reason}: stopping ${slots.size} worker(s); each finishes its in-flight requests`);
    if (slots.size === 0) process.exit(exitCode);
    for (const slot of slots.values()) if (!slot.worker.isDead()) slot.worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const slot of slots.values()) {
        logger.error(`worker ${slot.worker.id} (pid ${slot.worker.process.pid}) still running after ${killAfterMs / 1000} s; killing it`);
        slot.worker.process.kill('SIGKILL');
      }
      process.exit(1);
    }, killAfterMs).unref();
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    if (phase !== 'running') {
      logger.warn(`SIGHUP ignored while ${phase}`);
      return;
    }
    logger.info('SIGHUP: rolling reload of every worker');
    void rollingReload();
  });

  logger.info(`reelrank API cluster: primary pid ${process.pid}, forking ${count} worker(s)`);
  for (let i = 0; i < count; i++) fork();
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

if (cluster.isPrimary) primary();
else throw new Error('src/cluster.ts runs as the primary only; its workers run src/main.ts');
