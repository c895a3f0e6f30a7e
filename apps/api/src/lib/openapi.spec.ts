import type { Express } from 'express';
import request from 'supertest';
import { plantedApp } from '../__fixtures__/fixtures.js';

const app = plantedApp();

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  name?: string;
  handle?: { stack?: Layer[] };
}

/** "METHOD /path" of every route registered on the app, Express ":param" written as OpenAPI "{param}". */
function registeredRoutes(express: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.name === 'router' && layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((express as unknown as { router: { stack: Layer[] } }).router.stack);
  return out.sort();
}

function collectRefs(node: unknown, refs: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, refs));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else collectRefs(value, refs);
    }
  }
  return refs;
}

describe('GET /openapi.json', () => {
  let doc: {
    openapi: string;
    info: { version: string };
    paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
    components: {
      schemas: Record<string, { properties?: Record<string, Record<string, unknown>>; additionalProperties?: unknown; required?: string[] }>;
    };
  };

  beforeAll(async () => {
    doc = (await request(app).get('/openapi.json').expect(200).expect('Content-Type', /json/)).body;
  });

  it('when fetched, then it is an OpenAPI 3.1 document for the loaded model', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('mf-test00000001');
  });

  it('when compared with the app, then every registered route is documented and every documented one is registered', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(registeredRoutes(app)).toEqual(documented);
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /recommendations',
        'POST /predict',
        'POST /predict/batch',
        'POST /recommendations/new-user',
        'GET /health',
        'GET /ready',
      ]),
    );
  });

  it('when the operations are read, then each has exactly one tag of the listed ones, the listed tags are in display order, and nothing is untagged', () => {
    const listed = (doc as unknown as { tags: { name: string; description: string }[] }).tags.map((t) => t.name);
    expect(listed).toEqual(['recommendations', 'movies', 'ratings', 'identity', 'models', 'operations']);
    const tagOf = (path: string, method: string) => (doc.paths[path][method] as unknown as { tags: string[] }).tags;
    for (const [path, ops] of Object.entries(doc.paths))
      for (const method of Object.keys(ops)) expect([path, tagOf(path, method)]).toEqual([path, [expect.any(String)]]);
    expect(new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).flatMap((m) => tagOf(path, m))))).toEqual(new Set(listed));
    expect([tagOf('/predict', 'post'), tagOf('/users/{user_id}/ratings', 'get'), tagOf('/admin/reload', 'post'), tagOf('/metrics', 'get')]).toEqual([
      ['recommendations'],
      ['ratings'],
      ['models'],
      ['operations'],
    ]);
    expect(doc).not.toHaveProperty('jsonSchemaDialect');
  });

  it('when every $ref is followed, then it resolves to a component schema', () => {
    const refs = collectRefs(doc.paths);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')]).toBeDefined();
  });

  it('when a POST with a body is documented, then it has a request body, a 200 (201 for what it creates), a 400 and a 413', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!ops.post || path.startsWith('/admin/') || path === '/visitor') continue; // these take no body
      expect([path, ops.post.requestBody !== undefined]).toEqual([path, true]);
      expect(Object.keys(ops.post.responses)).toEqual(
        expect.arrayContaining([path === '/ratings' || path === '/signals' || path === '/movies' ? '201' : '200', '400', '413']),
      );
    }
  });

  it('when the schemas are read, then they carry the validation rules of the zod schemas', () => {
    const request = doc.components.schemas.RecommendationsRequest;
    expect(request.required).toEqual(['user_id']);
    expect(request.additionalProperties).toBe(false);
    expect(request.properties?.n_recommendations).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 10 });
    expect(request.properties?.user_id).toMatchObject({ type: 'integer', exclusiveMinimum: 0 });
    const rating = doc.components.schemas.NewUserRecommendationsRequest.properties?.ratings as { items: { properties: Record<string, object> } };
    expect(rating.items.properties.rating).toMatchObject({ minimum: 0.5, maximum: 5, multipleOf: 0.5 });
    const response = doc.components.schemas.RecommendationsResponse;
    expect(response.properties?.strategy).toMatchObject({ enum: ['personalized', 'popular', 'fold-in', 'popular-blend'] });
    const posted = doc.components.schemas.RatingsRequest as { anyOf: { properties: Record<string, object>; required: string[] }[] };
    expect(posted.anyOf[0].required).toEqual(['user_id', 'movie_id', 'rating']);
    expect(posted.anyOf[0].properties.rating).toMatchObject({ minimum: 0.5, maximum: 5, multipleOf: 0.5 });
    expect(posted.anyOf[1].properties.ratings).toMatchObject({ minItems: 1, maxItems: 1000 });
    expect(doc.components.schemas.Error.required).toEqual(['error']);
  });
});

describe('GET /docs', () => {
  it('when opened, then Swagger UI HTML is served from local assets and points at /openapi.json', async () => {
    const page = await request(app).get('/docs/').expect(200).expect('Content-Type', /html/);
    expect(page.text).toContain('<div id="swagger-ui">');
    expect(page.text).toContain('reelrank API');
    const init = await request(app).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/openapi.json');
    await request(app)
      .get('/docs/swagger-ui-bundle.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
  });

  it('when /docs is requested without the slash, then it redirects to the UI', async () => {
    const res = await request(app).get('/docs');
    expect([200, 301, 302]).toContain(res.status);
  });
});
