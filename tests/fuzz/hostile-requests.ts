import fc from 'fast-check';
import { anyString, jsonBodyFor, jsonLeaf, MAX_N, methodArb, pathIdArb, pct, queryArb, validQuery } from './hostile-values';

/**
 * The hostile requests of tests/fuzz/api.fuzz.spec.ts as fast-check arbitraries: hostile values
 * (huge numbers, odd strings, prototype keys), near-valid bodies per endpoint (so the 2xx paths run
 * too), raw non-JSON bodies, odd queries and path ids, wrong methods, admin reloads, big and deep
 * payloads and header abuse, mixed by weight into `hostileRequest`. The values they are built from
 * are in ./hostile-values.ts.
 */

export const ADMIN_TOKEN = 'fuzz-admin-token-5Jw8Pq2Tz6Lk9Xr4';
export { MAX_N };

export interface HostileRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** What the case was, for the failure message. */
  label: string;
}

// ---------------------------------------------------------------- request generators

export const JSON_CT = { 'content-type': 'application/json' };
export const toBuf = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null');

export const POST_ROUTES = ['/recommendations', '/recommendations/new-user', '/predict', '/predict/batch'];

/** A JSON body sent to a POST route, with assorted content types. */
const postJson: fc.Arbitrary<HostileRequest> = fc.constantFrom(...POST_ROUTES).chain((path) =>
  fc
    .tuple(
      jsonBodyFor(path),
      fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/vnd.api+json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        null,
      ),
    )
    .map(([body, type]) => ({
      method: 'POST',
      path,
      headers: (type === null ? {} : { 'content-type': type }) as Record<string, string>,
      body: toBuf(body),
      label: `POST ${path} (${type ?? 'no content type'}) ${JSON.stringify(body)?.slice(0, 300)}`,
    })),
);

/** Raw bytes that are not (valid) JSON: truncated, invalid UTF-8, scalars, form data. */
const rawBody: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.constantFrom(...POST_ROUTES),
    fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.constantFrom(
        Buffer.from([0xff, 0xfe, 0xfd]),
        Buffer.from('{"user_id": "\xff\xfe"}', 'latin1'),
        Buffer.concat([Buffer.from('{"user_id":1,"movie_id":'), Buffer.from([0xc3, 0x28]), Buffer.from('}')]),
        Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"user_id":1,"movie_id":1}')]),
        Buffer.from('{"user_id":1,"movie_id":1'),
        Buffer.from('{"user_id":1,"movie_id":1}}'),
        Buffer.from('{"user_id":1,"user_id":2,"movie_id":1}'),
        Buffer.from('{"user_id":1e400,"movie_id":1}'),
        Buffer.from('{"user_id":-0,"movie_id":1}'),
        Buffer.from('{"user_id":1.0,"movie_id":1.0}'),
        Buffer.from('{"user_id":10000000000000000000000,"movie_id":1}'),
        Buffer.from('{"__proto__":{"polluted":true},"user_id":1,"movie_id":1}'),
        Buffer.from('{"constructor":{"prototype":{"polluted":true}},"user_id":1}'),
        Buffer.from('{"user_id":1,"__proto__":{"n_recommendations":5}}'),
        Buffer.from('{"pairs":[{"user_id":1,"movie_id":1,"__proto__":{"x":1}}]}'),
        Buffer.from('{"ratings":[{"movie_id":1,"rating":5,"__proto__":{"rating":1}}]}'),
        Buffer.from('user_id=1&movie_id=1'),
        Buffer.from('null'),
        Buffer.from('true'),
        Buffer.from('42'),
        Buffer.from('"string"'),
        Buffer.from('[]'),
        Buffer.from('[{"user_id":1,"movie_id":1}]'),
        Buffer.from('{}'),
        Buffer.from(' '),
        Buffer.from('\u0000'),
        Buffer.from('NaN'),
        Buffer.from('{"user_id":NaN,"movie_id":Infinity}'),
      ),
    ),
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', null),
  )
  .map(([path, body, type]) => ({
    method: 'POST',
    path,
    headers: (type === null ? {} : { 'content-type': type }) as Record<string, string>,
    body,
    label: `POST ${path} raw(${type}) ${body.toString('hex').slice(0, 200)}`,
  }));

const movieGets: fc.Arbitrary<HostileRequest> = fc.oneof(
  fc
    .tuple(fc.constantFrom('/movies', '/movies/search'), fc.oneof(queryArb, validQuery))
    .map(([p, q]) => ({ method: 'GET', path: `${p}${q}`, label: `GET ${p}${q}` })),
  fc
    .tuple(pathIdArb, fc.oneof(fc.constant(''), queryArb))
    .map(([id, q]) => ({ method: 'GET', path: `/movies/${id}${q}`, label: `GET /movies/${id}${q}` })),
  fc
    .tuple(
      pathIdArb,
      fc.oneof(
        fc.constant(''),
        fc.integer({ min: -2, max: 120 }).map((n) => `?n=${n}`),
        queryArb,
      ),
    )
    .map(([id, q]) => ({ method: 'GET', path: `/movies/${id}/similar${q}`, label: `GET /movies/${id}/similar${q}` })),
);

const otherGets: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.constantFrom(
      '/health',
      '/ready',
      '/openapi.json',
      '/docs/',
      '/nope',
      '/movies/1/nope',
      '/%00',
      '/recommendations',
      '/predict',
      '/models',
      '/metrics/summary',
    ),
    queryArb,
  )
  .map(([p, q]) => ({ method: 'GET', path: `${p}${q}`, label: `GET ${p}${q}` }));

const wrongMethods: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    methodArb,
    fc.constantFrom('/health', '/ready', '/movies', '/movies/1', '/movies/1/similar', '/openapi.json', ...POST_ROUTES, '/admin/reload'),
    fc.option(jsonLeaf),
  )
  .map(([method, path, body]) => ({ method, path, headers: JSON_CT, body: body === null ? undefined : toBuf(body), label: `${method} ${path}` }));

const adminReload: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.option(
      fc.oneof(
        fc.constantFrom(
          `Bearer ${ADMIN_TOKEN}`,
          'Bearer',
          'Bearer ',
          'Basic YWRtaW46YWRtaW4=',
          `bearer ${ADMIN_TOKEN}x`,
          `Bearer ${'a'.repeat(5000)}`,
        ),
        anyString.map((s) => `Bearer ${pct(s)}`),
      ),
    ),
    fc.option(jsonLeaf),
  )
  .map(([auth, body]) => ({
    method: 'POST',
    path: '/admin/reload',
    headers: { ...JSON_CT, ...(auth === null ? {} : { authorization: auth }) },
    body: body === null ? undefined : toBuf(body),
    label: `POST /admin/reload auth=${auth?.slice(0, 40)}`,
  }));

/** Big and deep payloads (built once; picked by index so fast-check does not try to shrink them). */
function nested(depth: number, kind: 'object' | 'array'): string {
  return kind === 'object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}
export const BIG_BODIES: Array<{ name: string; body: Buffer; type?: string }> = [
  { name: 'object nested 10k deep', body: Buffer.from(nested(10_000, 'object')) },
  { name: 'array nested 10k deep', body: Buffer.from(nested(10_000, 'array')) },
  { name: 'pairs nested 10k deep', body: Buffer.from(`{"pairs":${nested(10_000, 'array')}}`) },
  { name: 'user_id nested 10k deep', body: Buffer.from(`{"user_id":${nested(10_000, 'object')},"movie_id":1}`) },
  { name: 'genres nested 5k deep', body: Buffer.from(`{"user_id":1,"genres":${nested(5_000, 'array')}}`) },
  { name: 'ratings nested 5k deep', body: Buffer.from(`{"ratings":[{"movie_id":${nested(5_000, 'object')},"rating":5}]}`) },
  { name: '1 MB object', body: Buffer.from(JSON.stringify({ user_id: 1, movie_id: 1, pad: 'x'.repeat(1024 * 1024) })) },
  { name: '1 MB pairs', body: Buffer.from(JSON.stringify({ pairs: Array.from({ length: 40_000 }, (_, i) => ({ user_id: 1, movie_id: i + 1 })) })) },
  { name: '1 MB text/plain', body: Buffer.alloc(1024 * 1024, 0x61), type: 'text/plain' },
  { name: '1 MB invalid UTF-8', body: Buffer.alloc(1024 * 1024, 0xff) },
  { name: '99 kB genres list', body: Buffer.from(JSON.stringify({ user_id: 1, genres: Array.from({ length: 9_000 }, () => 'Comedy') })) },
  { name: '1,001 pairs', body: Buffer.from(JSON.stringify({ pairs: Array.from({ length: 1001 }, (_, i) => ({ user_id: 1, movie_id: i + 1 })) })) },
  {
    name: '1,000 pairs (limit)',
    body: Buffer.from(JSON.stringify({ pairs: Array.from({ length: 1000 }, (_, i) => ({ user_id: (i % 150) + 1, movie_id: i + 1 })) })),
  },
  { name: '1,001 exclusions', body: Buffer.from(JSON.stringify({ user_id: 1, exclude_movie_ids: Array.from({ length: 1001 }, (_, i) => i + 1) })) },
  {
    name: '1,000 new-user ratings',
    body: Buffer.from(JSON.stringify({ ratings: Array.from({ length: 1000 }, (_, i) => ({ movie_id: i + 1, rating: 4 })) })),
  },
  { name: '5,000 unknown keys', body: Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])))) },
];
const bigBody: fc.Arbitrary<HostileRequest> = fc
  .tuple(fc.noShrink(fc.nat({ max: BIG_BODIES.length - 1 })), fc.constantFrom(...POST_ROUTES))
  .map(([i, path]) => ({
    method: 'POST',
    path,
    headers: { 'content-type': BIG_BODIES[i].type ?? 'application/json' },
    body: BIG_BODIES[i].body,
    label: `POST ${path} ${BIG_BODIES[i].name}`,
  }));

/** Header-level abuse: lying Content-Length, unknown encodings, odd charsets. */
const headerAbuse: fc.Arbitrary<HostileRequest> = fc
  .tuple(
    fc.constantFrom(...POST_ROUTES),
    fc.constantFrom<Record<string, string>>(
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      { 'content-type': 'application/json', 'content-encoding': 'br' },
      { 'content-type': 'application/json', 'content-encoding': 'identity' },
      { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
      { 'content-type': 'application/json; charset=utf-8; foo=bar' },
      { 'content-type': 'application/json; charset="UTF-8"' },
      { 'content-type': 'application/json; charset=ascii' },
      { 'content-type': 'application/json;;;' },
      { 'content-type': ';' },
      { 'content-type': 'application/json', 'x-request-id': '../../../\u0000'.replace('\u0000', '') },
      { 'content-type': 'application/json', 'x-request-id': 'a'.repeat(500) },
    ),
  )
  .map(([path, headers]) => ({
    method: 'POST',
    path,
    headers,
    body: Buffer.from('{"user_id":1,"movie_id":1}'),
    label: `POST ${path} headers ${JSON.stringify(headers)}`,
  }));

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { weight: 30, arbitrary: postJson },
  { weight: 8, arbitrary: rawBody },
  { weight: 20, arbitrary: movieGets },
  { weight: 5, arbitrary: otherGets },
  { weight: 5, arbitrary: wrongMethods },
  { weight: 3, arbitrary: adminReload },
  { weight: 2, arbitrary: bigBody },
  { weight: 2, arbitrary: headerAbuse },
);
