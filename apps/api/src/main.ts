import type { Server } from 'node:http';
import { loadConfig } from '@reelrank/config';
import { loadModelArtifacts } from '@reelrank/model';
import { readApiEnv } from './lib/api-config.js';
import { createApp, defaultLogger } from './lib/app.js';
import { openSqliteCatalog } from './lib/catalog.js';
import { ModelHolder } from './lib/model-holder.js';
import { Recommender } from './lib/recommender.js';

/**
 * `nx serve api` / `npm start`: listens at once (GET /ready answers 503 while loading), loads the
 * newest complete model with its catalogue, then logs "listening on <url>". Reloads - SIGHUP or
 * POST /admin/reload with REELRANK_ADMIN_TOKEN - build the new model fully and swap it in; a
 * failed reload keeps the old one. SIGTERM/SIGINT stop accepting connections, finish the open
 * ones, then exit.
 */
function main(): void {
  const config = loadConfig();
  const env = readApiEnv();
  const logger = defaultLogger();
  const { dataset } = config.dataset;
  const hint = `run \`npm start\` (which builds the stages) or \`npx nx run trainer:pipeline\``;

  const holder = new ModelHolder(() => {
    const catalog = openSqliteCatalog(config.paths.dbPath);
    try {
      return new Recommender(loadModelArtifacts(config.paths.modelDir), catalog, { maxRecommendations: config.serving.maxRecommendations });
    } catch (error) {
      catalog.close();
      throw error;
    }
  });

  const app = createApp({ models: holder, config, logger, admin: { token: env.adminToken } });
  const { host, port } = config.serving;
  const server: Server = app.listen(port, host, () => {
    try {
      holder.reload();
    } catch (error) {
      console.error(`no trained model for ${dataset}: ${hint} (${(error as Error).message})`);
      process.exit(1);
    }
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    const url = `http://${shown}:${actualPort}`;
    const live = holder.current()!;
    logger.info({ url, simd: live.simd }, `reelrank API (${dataset}, model ${live.manifest.version}) listening on ${url}, docs at ${url}/docs`);
    if (!env.adminToken) logger.info('POST /admin/reload is disabled (set REELRANK_ADMIN_TOKEN to enable it)');
  });
  server.on('error', (error) => {
    console.error(`cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });

  process.on('SIGHUP', () => {
    try {
      const result = holder.reload();
      logger.info({ ...result }, `SIGHUP: model ${result.version} is live`);
    } catch (error) {
      logger.error({ err: error }, 'SIGHUP: model reload failed; keeping the current model');
    }
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: closing the server`);
    server.close(() => {
      holder.current()?.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main();
