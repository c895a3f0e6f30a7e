import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { ServingConfig } from '@reelrank/config';
import { errorMiddleware, notFoundMiddleware } from './errors.js';
import { buildOpenApiDocument } from './openapi.js';
import type { Recommender } from './recommender.js';
import { apiRouter } from './routes.js';
import { buildSchemas } from './schemas.js';

export interface CreateAppOptions {
  /** The service, or a getter returning the current one (main.ts swaps it on a model reload). */
  recommender: Recommender | (() => Recommender);
  config: { serving: ServingConfig };
  logger?: Logger;
}

const REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** A client's x-request-id is kept when it looks sane, otherwise a UUID; either way echoed back. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

export function defaultLogger(): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info') });
}

export function createApp(options: CreateAppOptions): Express {
  const { serving } = options.config;
  const current = typeof options.recommender === 'function' ? options.recommender : () => options.recommender as Recommender;
  const schemas = buildSchemas({ maxRecommendations: serving.maxRecommendations });
  const document = buildOpenApiDocument(schemas, { version: current().manifest.version });

  const app = express();
  app.disable('x-powered-by');
  app.set('json spaces', 0);
  app.use(pinoHttp({ logger: options.logger ?? defaultLogger(), genReqId: requestId }));
  app.use(helmet());
  const origins = serving.corsOrigins.split(',').map((o) => o.trim()).filter(Boolean);
  app.use(cors({ origin: origins.includes('*') ? '*' : origins, exposedHeaders: ['x-request-id'] }));
  app.use(express.json({ limit: serving.bodyLimit }));

  app.use(apiRouter(schemas, current, document));
  // Swagger UI assets come from the installed package; the page loads the document from /openapi.json.
  const uiOptions = { customSiteTitle: 'reelrank API', swaggerOptions: { url: '/openapi.json' } };
  app.use('/docs', swaggerUi.serveFiles(undefined, uiOptions), swaggerUi.setup(undefined, uiOptions));

  app.use(notFoundMiddleware);
  app.use(errorMiddleware);
  return app;
}
