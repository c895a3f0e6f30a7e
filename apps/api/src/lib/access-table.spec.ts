import request from 'supertest';
import { plantedRecommender, SERVING } from '../__fixtures__/fixtures.js';
import { ACCESS, securityOf } from './access-table.js';
import { createApp } from './app.js';

type Doc = {
  paths: Record<string, Record<string, { security?: unknown; 'x-roles'?: string[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }> };
};

const documentOf = async (anonymousReads: boolean) =>
  (
    await request(createApp({ recommender: plantedRecommender(), config: { serving: SERVING, identity: { anonymousReads } } }))
      .get('/openapi.json')
      .expect(200)
  ).body as Doc;

describe('the OpenAPI security of every operation comes from the access table', () => {
  it('declares a bearer key (what Swagger UI "Authorize" asks for) and the visitor cookie', async () => {
    const doc = await documentOf(true);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.visitorCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'rr_visitor' });
  });

  it.each([true, false])('gives each operation of the table its security and roles (anonymousReads %s)', async (anonymousReads) => {
    const doc = await documentOf(anonymousReads);
    for (const [operation, access] of Object.entries(ACCESS)) {
      const [method, path] = operation.split(' ');
      const documented = doc.paths[path]?.[method.toLowerCase()];
      expect({ operation, security: documented?.security }).toEqual({ operation, security: securityOf(access, anonymousReads) });
      expect(documented?.['x-roles']?.length).toBeGreaterThan(0);
      if (access === 'ratings' || access === 'admin') expect(Object.keys(documented!.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
    expect(doc.paths['/recommendations'].post.security).toEqual(
      anonymousReads ? [{}, { apiKey: [] }, { visitorCookie: [] }] : [{ apiKey: [] }, { visitorCookie: [] }],
    );
    expect(doc.paths['/admin/reload'].post.security).toEqual([{ apiKey: [] }]);
  });
});
