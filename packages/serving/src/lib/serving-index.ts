import {
  buildModelIndex,
  createBoundScorer,
  createMovieScorer,
  easeScorer,
  implicitGram,
  neighbourScratch,
  predictRating,
  predictServedRating,
  rankingMovieModel,
  type EaseScorer,
  type NeighbourhoodModel,
  type NeighbourScratch,
  type FoldInOptions,
  type MfModel,
  type ModelBundle,
  type ModelIndex,
  type ModelManifest,
  type MovieBoundScorer,
  type MovieScorer,
  type RankingModel,
  type RankingMovieModel,
} from '@reelrank/model';
import type { Because } from './answers.js';
import type { CatalogMovie, MovieCatalog } from './catalog.js';
import { MAX_ANCHORS, SimilarMovies } from './similar-movies.js';

/**
 * Load-time work: everything about a model + catalogue that does not depend on a request, built
 * once per loaded model and read (never written) by the request-time code in recommender.ts.
 */

export interface ServingIndexOptions {
  /** Usable ratings a new user needs for pure fold-in results (fewer blend with the popular list). */
  minFoldInRatings?: number;
  foldIn?: FoldInOptions;
  /** Largest n a request may ask for (sizes the reused buffers and the precomputed lists). */
  maxRecommendations?: number;
  /**
   * Rank through int8 upper bounds with an exact 32-bit re-rank (int8-bound-scorer.ts) when the model
   * has at least this many movies (default 4,096: ml-latest-small's 9,700 yes; fewer are cheap to scan).
   */
  boundedFromMovies?: number;
}

/** The catalogue in model-index space. */
export interface CatalogueIndex {
  movies: Map<number, CatalogMovie>;
  /** Catalogue entry of each model movie index (undefined: in the model, not in the catalogue). */
  movieAt: (CatalogMovie | undefined)[];
  /** 1 where a model movie cannot be served (absent from the catalogue). */
  unservable: Uint8Array;
  /**
   * 1 where a model movie is hidden (catalogue-changes.ts): a global mask, apart from the per-request
   * exclusions, that every list (top-N, precomputed lists, popular, similar) leaves out.
   */
  hidden: Uint8Array;
  /** Every hidden movie id, in the model or not (search and GET /movies/{id} consult it). */
  hiddenIds: Set<number>;
  /** lower-case genre -> {canonical name, bit}; genreBits[i] has the bits of movie index i. */
  genreByKey: Map<string, { name: string; bit: number }>;
  genreBits: Uint32Array;
}

/** The cold-start ranking as model indices, best first, with damped means, counts and "because". */
export interface PopularList {
  index: Int32Array;
  score: Float32Array;
  count: Int32Array;
  because: Map<number, Because>;
}

/** Every user's rated movies (CSR over model movie indices, highest rating first), plus per-movie stats. */
export interface SeenRatings {
  row: Map<number, number>;
  offsets: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  /** Ratings per catalogue movie id (for GET /movies/{id}). */
  stats: Map<number, { count: number; sum: number }>;
}

export interface ServingIndex {
  manifest: ModelManifest;
  model: MfModel;
  /**
   * The movie side of the model whose scores order the lists: the ranker's combined form (each user's
   * vector written when ranked, RequestScratch), or the rating model itself.
   */
  rankModel: RankingMovieModel;
  ranking?: RankingModel;
  /** YᵀY of the ranker's implicit movie factors (fold-ins). */
  implicitGram?: Float64Array;
  /** The ranker's EASE term (added to the scorer's rows over the user's rated movies) and its weight. */
  ease?: EaseScorer;
  easeWeight: number;
  ids: ModelIndex;
  catalogue: CatalogueIndex;
  popular: PopularList;
  seen: SeenRatings;
  /** The neighbourhood predictor blended into the served rating (over the user's data-set ratings), when the model has one. */
  neighbourhood?: NeighbourhoodModel;
  /** The same ratings as `seen`, each user's movies ascending (the neighbourhood predictor's lookups). */
  neighbourRatings?: { offsets: Int32Array; items: Int32Array; ratings: Float32Array };
  neighbourScratch?: NeighbourScratch;
  similarity: SimilarMovies;
  scorer: MovieScorer;
  /** The int8 upper-bound scorer of the ranking model (undefined: every movie scored in 32 bits). */
  bounds?: MovieBoundScorer;
  foldIn: FoldInOptions;
  minFoldInRatings: number;
  maxN: number;
}

export function buildServingIndex(bundle: ModelBundle, catalog: MovieCatalog, options: ServingIndexOptions = {}): ServingIndex {
  const model = bundle.model;
  const ranking = bundle.ranking;
  const rankModel = ranking ? rankingMovieModel(model, ranking) : model;
  const ids = buildModelIndex(model);
  const scorer = createMovieScorer(rankModel);
  const catalogue = indexCatalogue(catalog.allMovies(), ids, model.movieIds.length);
  const hp = bundle.manifest.hyperParameters ?? {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const seen = indexSeenRatings(catalog, ids);
  return {
    manifest: bundle.manifest,
    model,
    rankModel,
    ranking,
    implicitGram: ranking ? implicitGram(ranking) : undefined,
    ease: ranking?.ease && ranking.weights.ease ? easeScorer(ranking.ease, model.movieIds.length) : undefined,
    easeWeight: ranking?.weights.ease ?? 0,
    ids,
    catalogue,
    popular: indexPopular(bundle.popularity, ids, catalogue.unservable),
    seen,
    ...(bundle.neighbourhood
      ? { neighbourhood: bundle.neighbourhood, neighbourRatings: byMovieIndex(seen), neighbourScratch: neighbourScratch(bundle.neighbourhood.k) }
      : {}),
    similarity: new SimilarMovies(model, MAX_ANCHORS),
    scorer,
    bounds: scorer.simd && model.movieIds.length >= (options.boundedFromMovies ?? 4096) ? createBoundScorer(rankModel) : undefined,
    foldIn: { regularization: num(hp.regularization), biasRegularization: num(hp.biasRegularization), ...options.foldIn },
    minFoldInRatings: options.minFoldInRatings ?? 5,
    maxN: Math.max(1, options.maxRecommendations ?? 100),
  };
}

function indexCatalogue(all: CatalogMovie[], ids: ModelIndex, nMovies: number): CatalogueIndex {
  const catalogue: CatalogueIndex = {
    movies: new Map(),
    movieAt: new Array(nMovies),
    unservable: new Uint8Array(nMovies).fill(1),
    hidden: new Uint8Array(nMovies),
    hiddenIds: new Set(),
    genreByKey: new Map(),
    genreBits: new Uint32Array(nMovies),
  };
  const { genreByKey, genreBits } = catalogue;
  for (const movie of all) {
    catalogue.movies.set(movie.movieId, movie);
    const i = ids.movieIndex.get(movie.movieId);
    for (const genre of movie.genres) {
      const key = genre.toLowerCase();
      let entry = genreByKey.get(key);
      if (!entry) genreByKey.set(key, (entry = { name: genre, bit: genreByKey.size < 32 ? 2 ** genreByKey.size : 0 }));
      if (i !== undefined) genreBits[i] = (genreBits[i] | entry.bit) >>> 0;
    }
    if (i === undefined) continue;
    catalogue.movieAt[i] = movie;
    catalogue.unservable[i] = 0;
  }
  if (genreByKey.size > 32) throw new Error(`the catalogue has ${genreByKey.size} genres; at most 32 are supported`);
  return catalogue;
}

function indexPopular(popular: ModelBundle['popularity'], ids: ModelIndex, unservable: Uint8Array): PopularList {
  const keep: number[] = [];
  for (let r = 0; r < popular.movieIds.length; r++) {
    const i = ids.movieIndex.get(popular.movieIds[r]);
    if (i !== undefined && !unservable[i]) keep.push(r);
  }
  const list: PopularList = {
    index: Int32Array.from(keep, (r) => ids.movieIndex.get(popular.movieIds[r]) as number),
    score: Float32Array.from(keep, (r) => popular.scores[r]),
    count: Int32Array.from(keep, (r) => popular.counts[r]),
    because: new Map(),
  };
  for (let p = 0; p < list.index.length; p++) {
    const text = `Popular: ${list.count[p]} ratings, ${list.score[p].toFixed(1)} on average`;
    list.because.set(list.index[p], { text, movie_ids: [] });
  }
  return list;
}

/**
 * The served rating of model user `u` (-1: unknown) for model movie `i`: with a neighbourhood predictor,
 * the blend over the user's data-set ratings (the ones the training read), else `predictRating`.
 */
export function servedRating(ix: ServingIndex, u: number, i: number): number {
  const nb = ix.neighbourhood;
  if (!nb || u < 0) return predictRating(ix.model, u, i);
  const row = ix.seen.row.get(ix.model.userIds[u]);
  const rated = ix.neighbourRatings!;
  const user = row === undefined ? undefined : { items: rated.items, ratings: rated.ratings, from: rated.offsets[row], to: rated.offsets[row + 1] };
  return predictServedRating(ix.model, nb, u, i, user, ix.neighbourScratch);
}

/** `seen` with each user's movies in ascending index order. */
function byMovieIndex(seen: SeenRatings): { offsets: Int32Array; items: Int32Array; ratings: Float32Array } {
  const items = new Int32Array(seen.items.length);
  const ratings = new Float32Array(seen.ratings.length);
  for (let row = 0; row + 1 < seen.offsets.length; row++) {
    const from = seen.offsets[row];
    const order = Array.from({ length: seen.offsets[row + 1] - from }, (_, p) => from + p).sort((a, b) => seen.items[a] - seen.items[b]);
    order.forEach((a, p) => {
      items[from + p] = seen.items[a];
      ratings[from + p] = seen.ratings[a];
    });
  }
  return { offsets: seen.offsets, items, ratings };
}

/** Each user's ratings in model-index space, highest rating first (ties: lower index). */
function indexSeenRatings(catalog: MovieCatalog, ids: ModelIndex): SeenRatings {
  const table = catalog.ratingTable();
  let kept = 0;
  for (let r = 0; r < table.movieIds.length; r++) if (ids.movieIndex.has(table.movieIds[r])) kept++;
  const seen: SeenRatings = {
    row: new Map(),
    offsets: new Int32Array(table.userIds.length + 1),
    items: new Int32Array(kept),
    ratings: new Float32Array(kept),
    stats: new Map(),
  };
  let at = 0;
  const order: number[] = [];
  for (let u = 0; u < table.userIds.length; u++) {
    seen.row.set(table.userIds[u], u);
    seen.offsets[u] = at;
    order.length = 0;
    for (let r = table.offsets[u]; r < table.offsets[u + 1]; r++) {
      const movieId = table.movieIds[r];
      let stats = seen.stats.get(movieId);
      if (!stats) seen.stats.set(movieId, (stats = { count: 0, sum: 0 }));
      stats.count++;
      stats.sum += table.ratings[r];
      if (ids.movieIndex.has(movieId)) order.push(r);
    }
    order.sort((a, b) => table.ratings[b] - table.ratings[a] || a - b);
    for (const r of order) {
      seen.items[at] = ids.movieIndex.get(table.movieIds[r]) as number;
      seen.ratings[at++] = table.ratings[r];
    }
  }
  seen.offsets[table.userIds.length] = at;
  return seen;
}
