import fc from 'fast-check';

/** Hostile values for tests/fuzz/hostile-requests.ts: numbers, strings, ids, JSON leaves, near-valid bodies, queries, path ids. */

/** The server's maxRecommendations in the fuzzed app (n_recommendations up to it is valid). */
export const MAX_N = 100;

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
export const anyString = fc.oneof(fc.constantFrom(...hostileStrings), fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));
const validId = fc.oneof(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 200_000 }), fc.constant(2_147_483_647));
const idLike = fc.oneof(
  { weight: 4, arbitrary: validId },
  { weight: 3, arbitrary: anyNumber },
  { weight: 1, arbitrary: anyString.map((s) => s) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [1], { id: 1 }) },
);

export const { value: jsonLeaf } = fc.letrec<{ value: unknown }>((tie) => ({
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

export const jsonBodyFor = (path: string): fc.Arbitrary<unknown> => {
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
export const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
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
export const queryArb = fc
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
export const validQuery = fc
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

export const pathIdArb = fc.oneof(
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

export const methodArb = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
