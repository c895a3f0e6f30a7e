import { request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { z } from 'zod';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { runIngest } from '@reelrank/ingest';
import { loadDatabase } from '@reelrank/database';
import { runTraining } from '@reelrank/trainer';
import { loadModelArtifacts } from '@reelrank/model';
import { buildSchemas, createApp, ModelHolder } from '@reelrank/api';
import { openSqliteCatalog, Recommender } from '@reelrank/serving';
// Response schemas the package index does not re-export (read-only use).
import { errorBody, healthResponse, readyResponse } from '../../apps/api/src/lib/schemas';
import { movieDetails, searchResponse, similarResponse } from '../../apps/api/src/lib/movie-schemas';
import { metricsSummaryResponse, modelsResponse } from '../../apps/api/src/lib/model-schemas';
import { generatedMovieLensSource, readCatalogue, tempWorkspace } from '@reelrank/ingest/testing';

/**
 * Hostile input against every endpoint of the real app (a real model trained by the real stages
 * on generated MovieLens-shaped data, 150 users), over real HTTP. Every response must be a well-formed JSON 4xx
 * whose error.status equals the HTTP status, or a 2xx that satisfies the endpoint's contract;
 * never a 5xx. Afterwards /health must still answer and Object.prototype must be clean.
 *
 * FUZZ_RUNS = number of generated requests (default 300; `npm run test:fuzz` uses 10,000).
 * FUZZ_SEED reproduces a run (fast-check prints the seed and the shrunk case on failure).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const ADMIN_TOKEN = 'fuzz-admin-token';
const MAX_N = 100;

interface HostileRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** What the case was, for the failure message. */
  label: string;
}

interface Reply {
  status: number;
  contentType: string;
  text: string;
}

// ---------------------------------------------------------------- value generators

const hugeNumbers = [
  1e308,
  -1e308,
  2 ** 53 + 1,
  -(2 ** 53) - 1,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_VALUE,
  5e-324,
  -0,
  0,
  1.5,
  0.1,
  -1,
  -2147483648,
];
const hostileStrings = [
  "' OR 1=1 --",
  "'; DROP TABLE movies; --",
  '" OR ""="',
  '%',
  '_',
  '%%',
  '_%_',
  '\\',
  '\\%',
  '*',
  'NULL',
  'null',
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\uFFFF',
  '😀',
  'a'.repeat(201),
  'x'.repeat(5000),
  ' ',
  '',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  '-0',
  ' 1',
  '1 ',
  'Sci-Fi',
  'sci-fi',
  'Comedy',
  '(no genres listed)',
  'star wars',
  'matrix',
  '<script>alert(1)</script>',
  '${7*7}',
  '../../etc/passwd',
];
const dangerousKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];
const fieldNames = [
  'user_id',
  'movie_id',
  'n_recommendations',
  'genres',
  'exclude_movie_ids',
  'pairs',
  'ratings',
  'rating',
  'n',
  'q',
  'search',
  'genre',
  'limit',
  'offset',
];

const anyNumber = fc.oneof(
  fc.constantFrom(...hugeNumbers),
  fc.integer({ min: -5, max: 200 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.5, 1, 2.5, 4.5, 5, 5.5, 0.25),
);
const anyString = fc.oneof(fc.constantFrom(...hostileStrings), fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));
const validId = fc.oneof(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 200_000 }), fc.constant(2_147_483_647));
const idLike = fc.oneof(
  { weight: 4, arbitrary: validId },
  { weight: 3, arbitrary: anyNumber },
  { weight: 1, arbitrary: anyString.map((s) => s) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [1], { id: 1 }) },
);

const { value: jsonLeaf } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false),
    anyNumber,
    anyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames, ...dangerousKeys), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 4 }),
  ),
}));

/** An object whose keys are mostly the real field names, with values of any type. */
const fieldSoup = fc.dictionary(
  fc.oneof(fc.constantFrom(...fieldNames), fc.constantFrom(...dangerousKeys), fc.string({ maxLength: 6 })),
  fc.oneof(idLike, jsonLeaf),
  { maxKeys: 5 },
);

// Near-valid bodies per endpoint (valid ones included), so the 2xx paths are exercised too.
const genresArb = fc.array(fc.oneof(fc.constantFrom('Comedy', 'sci-fi', 'Drama', 'Horror', 'IMAX', 'Nope', ''), anyString), { maxLength: 4 });
const idListArb = fc.array(idLike, { maxLength: 5 });
const recommendationsBody = fc.record(
  { user_id: idLike, n_recommendations: fc.oneof(fc.integer({ min: 1, max: MAX_N }), idLike), genres: genresArb, exclude_movie_ids: idListArb },
  { requiredKeys: ['user_id'] },
);
const pairArb = fc.oneof({ weight: 4, arbitrary: fc.record({ user_id: idLike, movie_id: idLike }) }, { weight: 1, arbitrary: fieldSoup });
const predictBody = fc.oneof({ weight: 4, arbitrary: fc.record({ user_id: idLike, movie_id: idLike }) }, { weight: 1, arbitrary: fieldSoup });
const batchBody = fc.record({ pairs: fc.oneof({ weight: 5, arbitrary: fc.array(pairArb, { maxLength: 12 }) }, { weight: 1, arbitrary: jsonLeaf }) });
const ratingArb = fc.oneof(fc.constantFrom(0.5, 1, 1.5, 2, 3, 3.5, 4, 4.5, 5), anyNumber, anyString);
const newUserBody = fc.record(
  {
    ratings: fc.oneof(
      {
        weight: 5,
        arbitrary: fc.array(
          fc.oneof({ weight: 4, arbitrary: fc.record({ movie_id: idLike, rating: ratingArb }) }, { weight: 1, arbitrary: fieldSoup }),
          { maxLength: 8 },
        ),
      },
      { weight: 1, arbitrary: jsonLeaf },
    ),
    n_recommendations: fc.oneof(fc.integer({ min: 1, max: MAX_N }), idLike),
    genres: genresArb,
  },
  { requiredKeys: ['ratings'] },
);

const jsonBodyFor = (path: string): fc.Arbitrary<unknown> => {
  const specific =
    path === '/recommendations'
      ? recommendationsBody
      : path === '/predict'
        ? predictBody
        : path === '/predict/batch'
          ? batchBody
          : path === '/recommendations/new-user'
            ? newUserBody
            : fieldSoup;
  return fc.oneof({ weight: 6, arbitrary: specific }, { weight: 2, arbitrary: fieldSoup }, { weight: 2, arbitrary: jsonLeaf });
};

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD, never a throw). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const rawQueryPiece = fc.oneof(
  anyString.map(pct),
  fc.constantFrom(
    '%',
    '%ZZ',
    '%FF',
    '%E0%A4',
    '%C0%80',
    '%00',
    '+',
    '&',
    '=',
    '==',
    '%2B',
    '%26',
    'a[b]=c',
    'q[]=x',
    '1e3',
    '-1',
    '0',
    '1.5',
    '10',
    '100',
    '101',
  ),
);
const queryArb = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('q', 'search', 'genre', 'limit', 'offset', 'n', 'q', 'q', 'limit'),
        fc.constantFrom(...dangerousKeys),
        fc.string({ maxLength: 5 }).map(pct),
      ),
      rawQueryPiece,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));
const validQuery = fc
  .record(
    {
      q: fc.constantFrom('star', 'matrix', 'the', 'love', "' OR 1=1 --", '%', '_', 'a_b', '100%'),
      genre: fc.constantFrom('Comedy', 'sci-fi', 'Drama'),
      limit: fc.integer({ min: 1, max: 100 }),
      offset: fc.integer({ min: 0, max: 50 }),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const entries = Object.entries(r);
    return entries.length ? `?${entries.map(([k, v]) => `${k}=${pct(String(v))}`).join('&')}` : '';
  });

const pathIdArb = fc.oneof(
  validId.map(String),
  fc.constantFrom(
    '1e3',
    '-1',
    '0',
    '1.5',
    '%00',
    '00001',
    '0x10',
    'abc',
    '%20',
    '2147483648',
    '99999999999999999999',
    'Infinity',
    'NaN',
    '%E0%A4%A',
    '%FF',
    '1%2F2',
    '__proto__',
    'constructor',
    '..',
    '%2e%2e',
    "1'%20OR%201=1",
  ),
  anyString.map(pct),
);

const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');

// ---------------------------------------------------------------- request generators

const JSON_CT = { 'content-type': 'application/json' };
const toBuf = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null');

const POST_ROUTES = ['/recommendations', '/recommendations/new-user', '/predict', '/predict/batch'];

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
const BIG_BODIES: Array<{ name: string; body: Buffer; type?: string }> = [
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

const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { weight: 30, arbitrary: postJson },
  { weight: 8, arbitrary: rawBody },
  { weight: 20, arbitrary: movieGets },
  { weight: 5, arbitrary: otherGets },
  { weight: 5, arbitrary: wrongMethods },
  { weight: 3, arbitrary: adminReload },
  { weight: 2, arbitrary: bigBody },
  { weight: 2, arbitrary: headerAbuse },
);

// ---------------------------------------------------------------- the app and the client

describe('hostile input: every endpoint, property-based', () => {
  let config: AppConfig;
  let server: Server;
  let port: number;
  let holder: ModelHolder;
  let knownMovie: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const schemas = buildSchemas({ maxRecommendations: MAX_N });
  const stats = { cases: 0, byStatus: new Map<number, number>(), bigBodies: 0 };
  const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    const quiet = () => undefined;
    const root = tempWorkspace();
    const source = await generatedMovieLensSource({ users: 150, movies: 1_000, ratings: 22_000 });
    knownMovie = readCatalogue(source)[0].movieId;
    config = loadConfig({ root, env: { MOVIELENS_SOURCE: source }, overrides: { training: { maxEpochs: 6, factors: 8 } } });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet });
    holder = new ModelHolder(
      () => new Recommender(loadModelArtifacts(config.paths.modelDir), openSqliteCatalog(config.paths.dbPath), { maxRecommendations: MAX_N }),
    );
    holder.reload();
    const app = createApp({
      models: holder,
      config: { serving: { ...config.serving, maxRecommendations: MAX_N } },
      admin: { token: ADMIN_TOKEN, burst: 3, refillSeconds: 1 },
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
  }, 120_000);

  afterAll(async () => {
    agent.destroy();
    await new Promise((resolve) => server?.close(resolve));
    holder?.current()?.close();
    console.log(
      `fuzz: ${stats.cases} requests checked (generated + ${BIG_BODIES.length * POST_ROUTES.length} fixed); by status ${JSON.stringify(Object.fromEntries([...stats.byStatus].sort((a, b) => a[0] - b[0])))}`,
    );
  });

  function send(req: HostileRequest): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...(req.headers ?? {}) };
      if (req.body) headers['content-length'] = req.body.length;
      const r = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      // The server may answer (413) and close before the whole body is written: that is fine.
      r.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EPIPE' || error.code === 'ECONNRESET' ? reject(Object.assign(error, { transport: true })) : reject(error),
      );
      r.end(req.body);
    });
  }

  /** Retries once on a transport error (a 413 can close the socket mid-upload), then re-reads the status. */
  async function sendChecked(req: HostileRequest): Promise<Reply> {
    try {
      return await send(req);
    } catch (error) {
      if (!(error as { transport?: boolean }).transport) throw error;
      const again = await send({ ...req, headers: { ...req.headers, connection: 'close' } }).catch(() => undefined);
      if (again) return again;
      // A reset with no response at all is only acceptable for bodies over the limit.
      if ((req.body?.length ?? 0) > 100 * 1024)
        return {
          status: 413,
          contentType: 'application/json',
          text: JSON.stringify({ error: { status: 413, code: 'reset', message: 'connection reset after limit' } }),
        };
      throw error;
    }
  }

  const parse = <S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> => {
    const result = schema.safeParse(value);
    if (!result.success) throw new Error(`${label}: 2xx body breaks its contract: ${result.error.message}\n${JSON.stringify(value).slice(0, 500)}`);
    return result.data;
  };

  /** The endpoint's contract for a 2xx answer. */
  function check2xx(req: HostileRequest, reply: Reply): void {
    const url = new URL(req.path, 'http://x');
    // Express routing is not strict: "/movies/" is "/movies".
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (path.startsWith('/docs')) {
      expect(req.method).toBe('GET');
      return;
    }
    expect(reply.contentType).toMatch(/^application\/json/);
    const body = JSON.parse(reply.text) as Record<string, any>;
    const sent = (() => {
      try {
        return JSON.parse(req.body?.toString('utf8') ?? 'null') as Record<string, any>;
      } catch {
        return null;
      }
    })();
    const within = (r: { predicted_rating: number }) => {
      expect(r.predicted_rating).toBeGreaterThanOrEqual(0.5);
      expect(r.predicted_rating).toBeLessThanOrEqual(5);
    };
    if (req.method === 'POST' && path === '/recommendations') {
      const out = parse(schemas.recommendationsResponse, body, req.label);
      expect(out.user_id).toBe(sent?.user_id);
      expect(out.recommendations.length).toBeLessThanOrEqual(sent?.n_recommendations ?? 10);
      const excluded = new Set<number>(sent?.exclude_movie_ids ?? []);
      for (const r of out.recommendations) {
        within(r);
        expect(excluded.has(r.movie_id)).toBe(false);
        if (sent?.genres?.length) {
          const wanted = new Set((sent.genres as string[]).map((g) => g.toLowerCase()));
          expect(r.genres.some((g) => wanted.has(g.toLowerCase()))).toBe(true);
        }
      }
      expect(new Set(out.recommendations.map((r) => r.movie_id)).size).toBe(out.recommendations.length);
    } else if (req.method === 'POST' && path === '/recommendations/new-user') {
      const out = parse(schemas.newUserRecommendationsResponse, body, req.label);
      expect(out.recommendations.length).toBeLessThanOrEqual(sent?.n_recommendations ?? 10);
      const rated = new Set<number>((sent?.ratings ?? []).map((r: { movie_id: number }) => r.movie_id));
      for (const r of out.recommendations) {
        within(r);
        expect(rated.has(r.movie_id)).toBe(false);
      }
    } else if (req.method === 'POST' && path === '/predict') {
      const out = parse(schemas.predictResponse, body, req.label);
      expect(out).toMatchObject({ user_id: sent?.user_id, movie_id: sent?.movie_id });
      within(out);
    } else if (req.method === 'POST' && path === '/predict/batch') {
      const out = parse(schemas.batchPredictResponse, body, req.label);
      expect(out.predictions).toHaveLength(sent?.pairs.length);
      out.predictions.forEach((p, i) => {
        expect(p).toMatchObject({ user_id: sent?.pairs[i].user_id, movie_id: sent?.pairs[i].movie_id });
        within(p);
      });
    } else if (req.method === 'POST' && path === '/admin/reload') {
      expect(body.status === 'reloaded' || body.status === 'unchanged').toBe(true);
      expect(req.headers?.authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
    } else if (req.method === 'GET' && (path === '/movies' || path === '/movies/search')) {
      const out = parse(searchResponse, body, req.label);
      const limit = Number(url.searchParams.get('limit') ?? 20);
      expect(out.movies.length).toBeLessThanOrEqual(limit);
      expect(out.total).toBeGreaterThanOrEqual(out.movies.length);
    } else if (req.method === 'GET' && /^\/movies\/[^/]+\/similar$/.test(path)) {
      const out = parse(similarResponse, body, req.label);
      expect(out.similar.length).toBeLessThanOrEqual(Number(url.searchParams.get('n') ?? 10));
      expect(out.similar.some((s) => s.movie_id === out.movie_id)).toBe(false);
    } else if (req.method === 'GET' && /^\/movies\/[^/]+$/.test(path)) {
      const out = parse(movieDetails, body, req.label);
      expect(out.movie_id).toBe(Number(decodeURIComponent(path.slice('/movies/'.length))));
    } else if (req.method === 'GET' && path === '/health') {
      parse(healthResponse, body, req.label);
    } else if (req.method === 'GET' && path === '/ready') {
      parse(readyResponse, body, req.label);
    } else if (req.method === 'GET' && path === '/models') {
      parse(modelsResponse, body, req.label);
    } else if (req.method === 'GET' && path === '/metrics/summary') {
      parse(metricsSummaryResponse, body, req.label);
    } else if (req.method === 'GET' && path === '/openapi.json') {
      expect(body.openapi).toMatch(/^3\./);
    } else {
      throw new Error(`${req.label}: unexpected ${reply.status} for a route that should not exist: ${reply.text.slice(0, 200)}`);
    }
  }

  function checkReply(req: HostileRequest, reply: Reply): void {
    stats.cases += 1;
    stats.byStatus.set(reply.status, (stats.byStatus.get(reply.status) ?? 0) + 1);
    const context = `${req.label}\n-> ${reply.status} ${reply.contentType} ${reply.text.slice(0, 300)}`;
    if (reply.status >= 500 || reply.status < 200) throw new Error(`server error or odd status for: ${context}`);
    if (reply.status >= 300 && reply.status < 400) {
      // Only the Swagger UI folder redirects (/docs -> /docs/).
      if (!req.path.startsWith('/docs')) throw new Error(`unexpected redirect: ${context}`);
      return;
    }
    if (reply.status >= 400) {
      if (!/^application\/json/.test(reply.contentType)) throw new Error(`4xx without a JSON body: ${context}`);
      let body: unknown;
      try {
        body = JSON.parse(reply.text);
      } catch {
        throw new Error(`4xx body is not JSON: ${context}`);
      }
      const parsed = errorBody.safeParse(body);
      if (!parsed.success) throw new Error(`4xx body is not {error:{status,code,message,details}}: ${context}`);
      if (parsed.data.error.status !== reply.status) throw new Error(`error.status ${parsed.data.error.status} != HTTP ${reply.status}: ${context}`);
      if (/\n\s+at .+:\d+:\d+/.test(reply.text)) throw new Error(`stack trace leaked: ${context}`);
      return;
    }
    try {
      check2xx(req, reply);
    } catch (error) {
      throw new Error(`${context}\n${(error as Error).message}`);
    }
  }

  it(
    `answers ${RUNS} generated hostile requests with a JSON 4xx or a correct 2xx, never a 5xx`,
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileRequest, async (req) => {
          checkReply(req, await sendChecked(req));
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
    30 * 60_000,
  );

  it('answers each fixed hostile payload (deep nesting, 1 MB, invalid UTF-8, wrong types) on every POST route', async () => {
    for (const big of BIG_BODIES) {
      for (const path of POST_ROUTES) {
        const req = {
          method: 'POST',
          path,
          headers: { 'content-type': big.type ?? 'application/json' },
          body: big.body,
          label: `POST ${path} ${big.name}`,
        };
        checkReply(req, await sendChecked(req));
      }
    }
    // The 1 MB bodies must be refused as too large, and over the fast path and the fallback alike.
    const reply = await sendChecked({ method: 'POST', path: '/predict', headers: JSON_CT, body: BIG_BODIES[6].body, label: '1 MB' });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.text).error.code).toBe('payload_too_large');
  });

  it('answers chunked (no Content-Length) and lying Content-Length uploads with a 4xx or 2xx', async () => {
    const raw = (head: string, body: string) =>
      new Promise<string>((resolve) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const socket = require('node:net').connect(port, '127.0.0.1', () => socket.end(`${head}\r\n\r\n${body}`));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
        socket.setTimeout(5000, () => socket.destroy());
      });
    const cases = [
      [
        'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close',
        '1a\r\n{"user_id":1,"movie_id":1}\r\n0\r\n\r\n',
      ],
      ['POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close', '{"user_id":1,"movie_id":1}'],
      ['POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\nConnection: close', '{}'],
      ['POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close', '{}'],
      [
        'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\nConnection: close',
        '{"user_id":1,"movie_id":1}',
      ],
      ['GET /movies/%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close', ''],
      ['GET /movies/search?q=%E0%A4%A&genre=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close', ''],
    ];
    for (const [head, body] of cases) {
      const text = await raw(head, body);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      // 0: the server (or Node's parser) dropped a request it could not frame, which is acceptable.
      if (status !== 0) expect(status < 500).toBe(true);
    }
  }, 60_000);

  it('afterwards: /health and /ready still answer, a normal request works, Object.prototype is clean', async () => {
    const health = await send({ method: 'GET', path: '/health', label: 'health' });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
    const ready = await send({ method: 'GET', path: '/ready', label: 'ready' });
    expect(ready.status).toBe(200);
    const predict = await send({
      method: 'POST',
      path: '/predict',
      headers: JSON_CT,
      body: toBuf({ user_id: 1, movie_id: knownMovie }),
      label: 'predict',
    });
    expect(predict.status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeysBefore);
    const probe = {} as Record<string, unknown>;
    for (const key of ['polluted', 'x', 'rating', 'n_recommendations', 'user_id', 'movie_id']) expect(probe[key]).toBeUndefined();
    expect(stats.cases).toBeGreaterThanOrEqual(RUNS);
  });
});
