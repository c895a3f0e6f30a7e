/**
 * Item cold start from content: a linear map from a movie's content (genres, year, tags, genome scores)
 * to what the served models know of a movie: the rating model's factors q_i and bias b_i, and the
 * ranker's implicit factors y_i. The trainer fits it by ridge regression on movies with enough ratings;
 * a movie with few or none gets its factors from it, blended toward its own as ratings arrive.
 */

/** What is known of a movie before anyone rated it. */
export interface MovieContent {
  genres: readonly string[];
  year: number | null;
  /** Tag -> how many times it was applied to the movie (any case; matched lower-cased). */
  tags?: ReadonlyMap<string, number>;
  /** Genome tag id -> relevance (0..1), when the data set has a tag genome. */
  genome?: ReadonlyMap<number, number>;
}

/** The feature columns of a map: column 0 is the intercept, then the blocks in this order. */
export interface ContentFeatureSpec {
  genres: string[];
  /** One-hot year bins [from + b·width, from + (b+1)·width), the ends open; one more column for "no year". */
  yearBins: { from: number; width: number; count: number };
  /** Tag vocabulary (lower-cased), each a log(1 + count) column. */
  tags: string[];
  /** Genome tag ids, each a relevance column. */
  genomeTags: number[];
}

/** The fitted map: features (D, intercept included) -> targets [q (ratingFactors), b (1), y (rankingFactors)]. */
export interface ContentMap {
  spec: ContentFeatureSpec;
  ratingFactors: number;
  /** 0 when the model has no ranker. */
  rankingFactors: number;
  /** D × targets, row-major. */
  weights: Float32Array;
  /** The ridge weight of each target block, chosen on validation movies. */
  lambda: { ratingFactors: number; movieBias: number; rankingFactors: number };
  /** How a movie's own vectors take over as its ratings arrive (learnedShare). */
  blend: BlendSettings;
}

/** The blend of content and learned vectors: n/(n+k) of its own, rescaled to reach 1 at `fullAt` ratings. */
export interface BlendSettings {
  /** Pseudo-ratings k. */
  prior: number;
  /** Ratings from which a movie is served its own vectors only (the map's minimum: such movies train it). */
  fullAt: number;
}

/** The served per-movie vectors of one movie. */
export interface MovieFactors {
  ratingFactors: Float32Array;
  movieBias: number;
  /** Empty when the model has no ranker. */
  rankingFactors: Float32Array;
}

export function featureCount(spec: ContentFeatureSpec): number {
  return 1 + spec.genres.length + spec.yearBins.count + 1 + spec.tags.length + spec.genomeTags.length;
}

export function targetCount(map: Pick<ContentMap, 'ratingFactors' | 'rankingFactors'>): number {
  return map.ratingFactors + 1 + map.rankingFactors;
}

/** Column of each block's first feature. */
function offsets(spec: ContentFeatureSpec) {
  const genres = 1;
  const years = genres + spec.genres.length;
  const tags = years + spec.yearBins.count + 1;
  const genome = tags + spec.tags.length;
  return { genres, years, tags, genome };
}

/** Per-spec lookups, built once per spec (a map applied to many movies reuses them). */
const lookups = new WeakMap<ContentFeatureSpec, { genre: Map<string, number>; tag: Map<string, number>; genome: Map<number, number> }>();

function lookupsOf(spec: ContentFeatureSpec) {
  let entry = lookups.get(spec);
  if (!entry) {
    entry = {
      genre: new Map(spec.genres.map((g, i) => [g.toLowerCase(), i])),
      tag: new Map(spec.tags.map((t, i) => [t, i])),
      genome: new Map(spec.genomeTags.map((t, i) => [t, i])),
    };
    lookups.set(spec, entry);
  }
  return entry;
}

/** The feature row of `content` into `out` (length featureCount(spec)); content outside the spec is ignored. */
export function contentFeatures(spec: ContentFeatureSpec, content: MovieContent, out = new Float64Array(featureCount(spec))): Float64Array {
  const at = offsets(spec);
  const { genre, tag, genome } = lookupsOf(spec);
  out.fill(0);
  out[0] = 1;
  for (const g of content.genres) {
    const i = genre.get(g.toLowerCase());
    if (i !== undefined) out[at.genres + i] = 1;
  }
  const { from, width, count } = spec.yearBins;
  if (content.year === null || !Number.isFinite(content.year)) out[at.years + count] = 1;
  else out[at.years + Math.min(count - 1, Math.max(0, Math.floor((content.year - from) / width)))] = 1;
  if (content.tags) {
    const counts = new Map<number, number>();
    for (const [name, n] of content.tags) {
      const i = tag.get(name.toLowerCase());
      if (i !== undefined && n > 0) counts.set(i, (counts.get(i) ?? 0) + n);
    }
    for (const [i, n] of counts) out[at.tags + i] = Math.log1p(n);
  }
  if (content.genome) {
    for (const [id, relevance] of content.genome) {
      const i = genome.get(id);
      if (i !== undefined && Number.isFinite(relevance)) out[at.genome + i] = relevance;
    }
  }
  return out;
}

/** Factors of a movie from its content alone: the map applied to its feature row. */
export function contentFactors(map: ContentMap, content: MovieContent): MovieFactors {
  const x = contentFeatures(map.spec, content);
  const t = targetCount(map);
  if (map.weights.length !== x.length * t) throw new Error(`content map: ${map.weights.length} weights for ${x.length} features × ${t} targets`);
  const y = new Float64Array(t);
  for (let d = 0; d < x.length; d++) {
    const v = x[d];
    if (v === 0) continue;
    const row = d * t;
    for (let c = 0; c < t; c++) y[c] += v * map.weights[row + c];
  }
  const kR = map.ratingFactors;
  return {
    ratingFactors: Float32Array.from(y.subarray(0, kR)),
    movieBias: y[kR],
    rankingFactors: Float32Array.from(y.subarray(kR + 1)),
  };
}

/**
 * Share of a movie's own vectors after n ratings: n/(n+k) · (m+k)/m, capped at 1 (m = fullAt), so it
 * grows like n/(n+k) from 0 with no ratings and reaches 1, with no jump, where the map's training
 * movies begin.
 */
export function learnedShare(ratings: number, blend: BlendSettings): number {
  if (ratings <= 0) return 0;
  if (blend.prior <= 0 || ratings >= blend.fullAt) return 1;
  return Math.min(1, ((ratings / (ratings + blend.prior)) * (blend.fullAt + blend.prior)) / blend.fullAt);
}

/** The served vectors of a movie with `ratings` ratings: its own (`learned`, null with none) and its content's, mixed by learnedShare. */
export function blendMovieFactors(fromContent: MovieFactors, learned: MovieFactors | null, ratings: number, blend: BlendSettings): MovieFactors {
  const w = learned ? learnedShare(ratings, blend) : 0;
  if (w === 0) return fromContent;
  if (w === 1) return learned!;
  const mix = (a: Float32Array, b: Float32Array) => Float32Array.from(a, (v, f) => w * b[f] + (1 - w) * v);
  return {
    ratingFactors: mix(fromContent.ratingFactors, learned!.ratingFactors),
    movieBias: w * learned!.movieBias + (1 - w) * fromContent.movieBias,
    rankingFactors: mix(fromContent.rankingFactors, learned!.rankingFactors),
  };
}
