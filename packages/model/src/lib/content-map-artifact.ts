import type { ContentMap } from './content-map.js';
import { featureCount, targetCount } from './content-map.js';
import type { MovieFactorsEntry } from './with-movie-factors.js';

/**
 * The content map as saved next to the weights (content-map-<version>.json): the map, and the served
 * vectors of the movies with few or no ratings (content factors blended toward their own), which a
 * loader sets into the model before serving. Arrays are little-endian float32 in base64.
 */
export interface ContentMapArtifact {
  map: ContentMap;
  coldStart: MovieFactorsEntry[];
}

export const CONTENT_MAP_FORMAT = 'reelrank-content-map';
export const CONTENT_MAP_FORMAT_VERSION = 1;

const encode = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function decode(text: unknown, length: number, what: string): Float32Array {
  if (typeof text !== 'string') throw new Error(`content map: ${what} is missing`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength !== length * 4) throw new Error(`content map: ${what} has ${bytes.byteLength / 4} floats, expected ${length}`);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

export function serialiseContentMap(artifact: ContentMapArtifact): string {
  const { map, coldStart } = artifact;
  const kR = map.ratingFactors;
  const kI = map.rankingFactors;
  const ratingFactors = new Float32Array(coldStart.length * kR);
  const rankingFactors = new Float32Array(coldStart.length * kI);
  coldStart.forEach((e, n) => {
    ratingFactors.set(e.factors.ratingFactors, n * kR);
    rankingFactors.set(e.factors.rankingFactors, n * kI);
  });
  return `${JSON.stringify({
    format: CONTENT_MAP_FORMAT,
    formatVersion: CONTENT_MAP_FORMAT_VERSION,
    spec: map.spec,
    ratingFactors: kR,
    rankingFactors: kI,
    lambda: map.lambda,
    blend: map.blend,
    weights: encode(map.weights),
    coldStart: {
      movieIds: coldStart.map((e) => e.movieId),
      ratings: coldStart.map((e) => e.ratings),
      movieBias: encode(Float32Array.from(coldStart, (e) => e.factors.movieBias)),
      ratingFactors: encode(ratingFactors),
      rankingFactors: encode(rankingFactors),
    },
  })}\n`;
}

export function parseContentMap(text: string): ContentMapArtifact {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const raw = JSON.parse(text) as any;
  if (raw?.format !== CONTENT_MAP_FORMAT || raw.formatVersion !== CONTENT_MAP_FORMAT_VERSION) {
    throw new Error(`not a ${CONTENT_MAP_FORMAT} v${CONTENT_MAP_FORMAT_VERSION} file`);
  }
  const kR = raw.ratingFactors as number;
  const kI = raw.rankingFactors as number;
  const partial = { spec: raw.spec, ratingFactors: kR, rankingFactors: kI };
  const map: ContentMap = {
    ...partial,
    lambda: raw.lambda,
    blend: raw.blend,
    weights: decode(raw.weights, featureCount(raw.spec) * targetCount(partial), 'weights'),
  };
  const ids = raw.coldStart?.movieIds as number[];
  const ratings = raw.coldStart?.ratings as number[];
  if (!Array.isArray(ids) || !Array.isArray(ratings) || ids.length !== ratings.length)
    throw new Error('content map: coldStart movie list is malformed');
  const bias = decode(raw.coldStart.movieBias, ids.length, 'coldStart.movieBias');
  const q = decode(raw.coldStart.ratingFactors, ids.length * kR, 'coldStart.ratingFactors');
  const y = decode(raw.coldStart.rankingFactors, ids.length * kI, 'coldStart.rankingFactors');
  const coldStart = ids.map((movieId, n) => ({
    movieId,
    ratings: ratings[n],
    factors: { ratingFactors: q.slice(n * kR, n * kR + kR), movieBias: bias[n], rankingFactors: y.slice(n * kI, n * kI + kI) },
  }));
  return { map, coldStart };
}
