import type { IRouter } from 'express';
import swaggerUi from 'swagger-ui-express';
import { pageHeaders } from './security-headers.js';

/** GET /openapi.json (the document, built by openapi.ts) and the Swagger UI page at /docs that reads it. */
export function docsRoutes(router: IRouter, openApiDocument: () => object): void {
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  // Swagger UI assets come from the installed package; the page loads the document from /openapi.json.
  const uiOptions = { customSiteTitle: 'reelrank API', swaggerOptions: { url: '/openapi.json' } };
  router.use('/docs', pageHeaders, swaggerUi.serveFiles(undefined, uiOptions), swaggerUi.setup(undefined, uiOptions));
}
