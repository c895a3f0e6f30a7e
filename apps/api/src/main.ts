import type { Server } from 'node:http';
import { loadConfig } from '@reelrank/config';
import { loadModelArtifacts } from '@reelrank/model';
import { createApp, defaultLogger } from './lib/app.js';
import { openSqliteCatalog, type MovieCatalog } from './lib/catalog.js';
import { Recommender } from './lib/recommender.js';

/**
 * `nx serve api` / `npm start`: loads the config, the model and the catalogue once, then serves.
 * SIGHUP reloads the model from disk and swaps it in between requests (a failed reload keeps the
 * old one); SIGTERM/SIGINT stop accepting connections, finish the open ones, then exit.
 */
function main(): void {
  const config = loadConfig();
  const logger = defaultLogger();
  const { dataset } = config.dataset;
  const hint = `run \`npm start\` (which builds the stages) or \`npx nx run trainer:pipeline\``;

  let catalog: MovieCatalog;
  let recommender: Recommender;
  try {
    catalog = openSqliteCatalog(config.paths.dbPath);
    recommender = new Recommender(loadModelArtifacts(config.paths.modelDir), catalog);
  } catch (error) {
    console.error(`no trained model for ${dataset}: ${hint} (${(error as Error).message})`);
    process.exit(1);
  }

  const app = createApp({ recommender: () => recommender, config, logger });
  const { host, port } = config.serving;
  const server: Server = app.listen(port, host, () => {
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    const url = `http://${shown}:${actualPort}`;
    logger.info({ url }, `reelrank API (${dataset}, model ${recommender.manifest.version}) listening on ${url}, docs at ${url}/docs`);
  });
  server.on('error', (error) => {
    console.error(`cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });

  process.on('SIGHUP', () => {
    try {
      recommender = new Recommender(loadModelArtifacts(config.paths.modelDir), catalog);
      logger.info(`reloaded model ${recommender.manifest.version}`);
    } catch (error) {
      logger.error({ err: error }, 'model reload failed; keeping the current model');
    }
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: closing the server`);
    server.close(() => {
      catalog.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main();
