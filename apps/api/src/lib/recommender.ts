import {
  buildModelIndex,
  clipRating,
  createMovieScorer,
  foldInImplicitUser,
  foldInModel,
  foldInUserDual,
  implicitGram,
  predictRating,
  rankingScoringModel,
  writeRankingUserVector,
  topNInto,
  type FoldInOptions,
  type MfModel,
  type ModelBundle,
  type ModelIndex,
  type ModelManifest,
  type MovieScorer,
  type RankingModel,
} from '@reelrank/model';
import type { CatalogMovie, MovieCatalog } from './catalog.js';
import { ApiError, movieNotFound } from './errors.js';
import type { MovieDetails, SearchResponse, SimilarResponse } from './movie-schemas.js';
import type { Because, MovieRecommendation } from './schemas.js';
import { SimilarMovies } from './similar-movies.js';

/**
 * Answers recommendation and prediction requests from memory. Everything that does not depend on
 * the request is built once per loaded model: id -> index maps, the catalogue by model index, one
 * genre bit set per movie, each user's rated movies as CSR arrays (the exclusion set and the
 * "because" anchors), the cold-start list, a WebAssembly SIMD scorer over the movie factors and,
 * when the model is small enough, every known user's top list. Lists are ordered by the artifact's
 * top-N ranker when it has one (rankingScoringModel: implicit ALS + rating model + popularity as one
 * dot product), else by the rating model; `predicted_rating` is always the rating model's clipped
 * prediction. A request then scores into reused
 * buffers, sets its exclusions in one reused mask and clears them again afterwards; the only
 * allocations are the response objects. Every score is the model package's formula.
 *
 * Not re-entrant by design: handlers are synchronous, so one request uses the buffers at a time.
 */

export interface RecommendOptions {
  n: number;
  genres?: string[];
  excludeIds?: number[];
}

export interface NewUserRating {
  movieId: number;
  rating: number;
}

export interface RecommenderOptions {
  /** Usable ratings a new user needs for pure fold-in results (fewer blend with the popular list). */
  minFoldInRatings?: number;
  foldIn?: FoldInOptions;
  /** Largest n a request may ask for (sizes the reused buffers and the precomputed lists). */
  maxRecommendations?: number;
  /**
   * Precompute every known user's top list at load when users × movies × factors is at most this
   * (default 3e9: ml-latest-small yes, ml-20m no). 0 disables it.
   */
  precomputeBudget?: number;
}

/** Highest-rated movies of a user considered as "because" anchors. */
const MAX_ANCHORS = 50;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const formatRating = (r: number) => (Number.isInteger(r) ? r.toFixed(1) : String(r));

export class Recommender {
  readonly manifest: ModelManifest;
  private readonly model: MfModel;
  /** The model whose scores order the lists: the ranker's combined form, or the rating model itself. */
  private readonly rankModel: MfModel;
  private readonly ranking?: RankingModel;
  /** YᵀY of the ranker's implicit movie factors (fold-ins), computed at load. */
  private readonly implicitGram?: Float64Array;
  private readonly index: ModelIndex;
  private readonly movies = new Map<number, CatalogMovie>();
  /** Catalogue entry of each model movie index (undefined: in the model, not in the catalogue). */
  private readonly movieAt: (CatalogMovie | undefined)[];
  /** 1 where a model movie cannot be served (absent from the catalogue): the mask's resting state. */
  private readonly unservable: Uint8Array;
  /** Exclusion mask reused by every request: set, used, then restored to `unservable`. */
  private readonly mask: Uint8Array;
  /** lower-case genre -> {canonical name, bit}; genreBits[i] has the bits of movie index i. */
  private readonly genreByKey = new Map<string, { name: string; bit: number }>();
  private readonly genreBits: Uint32Array;
  /** Cold-start ranking as model indices, best first, with damped means and rating counts. */
  private readonly popularIndex: Int32Array;
  private readonly popularScore: Float32Array;
  private readonly popularCount: Int32Array;
  /** Cold-start "because" of each model movie index on the popular list. */
  private readonly popularBecause = new Map<number, Because>();
  /** Rated movies per user (CSR over model movie indices, highest rating first). */
  private readonly seenRow = new Map<number, number>();
  private readonly seenOffsets: Int32Array;
  private readonly seenItems: Int32Array;
  private readonly seenRatings: Float32Array;
  /** Ratings per catalogue movie id (for GET /movies/{id}). */
  private readonly ratingStats = new Map<number, { count: number; sum: number }>();
  private readonly scorer: MovieScorer;
  private readonly pickIndex: Int32Array;
  private readonly pickScore: Float64Array;
  private readonly maxN: number;
  /** Optional per-user top lists (nUsers × maxN) with their scores; count per user. */
  private readonly topLists?: { index: Int32Array; score: Float32Array; count: Uint8Array | Uint16Array; because: (Because | undefined)[] };
  private readonly minFoldInRatings: number;
  private readonly similarity: SimilarMovies;
  private readonly foldInOptions: FoldInOptions;

  constructor(bundle: ModelBundle, private readonly catalog: MovieCatalog, options: RecommenderOptions = {}) {
    this.model = bundle.model;
    this.manifest = bundle.manifest;
    this.ranking = bundle.ranking;
    this.rankModel = this.ranking ? rankingScoringModel(this.model, this.ranking) : this.model;
    if (this.ranking) this.implicitGram = implicitGram(this.ranking);
    this.index = buildModelIndex(this.model);
    const nMovies = this.model.movieIds.length;
    this.maxN = Math.max(1, options.maxRecommendations ?? 100);
    this.movieAt = new Array(nMovies);
    this.unservable = new Uint8Array(nMovies).fill(1);
    this.genreBits = new Uint32Array(nMovies);
    for (const movie of catalog.allMovies()) {
      this.movies.set(movie.movieId, movie);
      const i = this.index.movieIndex.get(movie.movieId);
      for (const genre of movie.genres) {
        const key = genre.toLowerCase();
        let entry = this.genreByKey.get(key);
        if (!entry) this.genreByKey.set(key, (entry = { name: genre, bit: this.genreByKey.size < 32 ? 2 ** this.genreByKey.size : 0 }));
        if (i !== undefined) this.genreBits[i] = (this.genreBits[i] | entry.bit) >>> 0;
      }
      if (i === undefined) continue;
      this.movieAt[i] = movie;
      this.unservable[i] = 0;
    }
    if (this.genreByKey.size > 32) throw new Error(`the catalogue has ${this.genreByKey.size} genres; at most 32 are supported`);
    this.mask = Uint8Array.from(this.unservable);

    const popular = bundle.popularity;
    const keep: number[] = [];
    for (let r = 0; r < popular.movieIds.length; r++) {
      const i = this.index.movieIndex.get(popular.movieIds[r]);
      if (i !== undefined && !this.unservable[i]) keep.push(r);
    }
    this.popularIndex = Int32Array.from(keep, (r) => this.index.movieIndex.get(popular.movieIds[r]) as number);
    this.popularScore = Float32Array.from(keep, (r) => popular.scores[r]);
    this.popularCount = Int32Array.from(keep, (r) => popular.counts[r]);
    for (let p = 0; p < this.popularIndex.length; p++) {
      const text = `Popular: ${this.popularCount[p]} ratings, ${this.popularScore[p].toFixed(1)} on average`;
      this.popularBecause.set(this.popularIndex[p], { text, movie_ids: [] });
    }

    // Each user's ratings in model-index space, highest rating first (ties: lower index).
    const table = catalog.ratingTable();
    let kept = 0;
    for (let r = 0; r < table.movieIds.length; r++) if (this.index.movieIndex.has(table.movieIds[r])) kept++;
    this.seenOffsets = new Int32Array(table.userIds.length + 1);
    this.seenItems = new Int32Array(kept);
    this.seenRatings = new Float32Array(kept);
    let at = 0;
    const order: number[] = [];
    for (let u = 0; u < table.userIds.length; u++) {
      this.seenRow.set(table.userIds[u], u);
      this.seenOffsets[u] = at;
      order.length = 0;
      for (let r = table.offsets[u]; r < table.offsets[u + 1]; r++) {
        const movieId = table.movieIds[r];
        let stats = this.ratingStats.get(movieId);
        if (!stats) this.ratingStats.set(movieId, (stats = { count: 0, sum: 0 }));
        stats.count++;
        stats.sum += table.ratings[r];
        if (this.index.movieIndex.has(movieId)) order.push(r);
      }
      order.sort((a, b) => table.ratings[b] - table.ratings[a] || a - b);
      for (const r of order) {
        this.seenItems[at] = this.index.movieIndex.get(table.movieIds[r]) as number;
        this.seenRatings[at++] = table.ratings[r];
      }
    }
    this.seenOffsets[table.userIds.length] = at;

    const hp = bundle.manifest.hyperParameters ?? {};
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
    this.foldInOptions = { regularization: num(hp.regularization), biasRegularization: num(hp.biasRegularization), ...options.foldIn };
    this.minFoldInRatings = options.minFoldInRatings ?? 5;
    this.similarity = new SimilarMovies(this.model);
    this.scorer = createMovieScorer(this.rankModel);
    this.pickIndex = new Int32Array(this.maxN);
    this.pickScore = new Float64Array(this.maxN);

    const nUsers = this.model.userIds.length;
    const budget = options.precomputeBudget ?? 3e9;
    if (nUsers * nMovies * this.rankModel.factors <= budget && nUsers * this.maxN <= 5e7) this.topLists = this.precomputeTopLists();
  }

  get catalogueSize(): number {
    return this.movies.size;
  }

  get genres(): string[] {
    return [...this.genreByKey.values()].map((g) => g.name).sort();
  }

  /** The top-N ranker in use: the artifact's blend, or the rating model alone. */
  get rankingKind(): string {
    return this.manifest.ranking?.kind ?? 'rating-model';
  }

  /** Whether the SIMD kernel scores (false: the JS fallback). */
  get simd(): boolean {
    return this.scorer.simd;
  }

  /** Top-n unseen movies: personalised for a user the model knows, the cold-start list otherwise. */
  recommend(userId: number, options: RecommendOptions): { strategy: 'personalized' | 'popular'; recommendations: MovieRecommendation[] } {
    const n = Math.min(options.n, this.maxN);
    const wanted = this.wantedGenres(options.genres);
    const row = this.seenRow.get(userId);
    const u = this.index.userIndex.get(userId);
    const excludeIds = options.excludeIds;

    if (u !== undefined && this.topLists) {
      const hit = this.fromTopList(u, n, wanted, excludeIds, row);
      if (hit) return { strategy: 'personalized', recommendations: hit };
    }

    this.setExclusions(row, excludeIds);
    try {
      if (u === undefined) return { strategy: 'popular', recommendations: this.popularList(n, wanted) };
      const count = this.rankKnownUser(u, n, wanted);
      const picks: [number, number][] = [];
      for (let p = 0; p < count; p++) picks.push([this.pickIndex[p], predictRating(this.model, u, this.pickIndex[p])]);
      return { strategy: 'personalized', recommendations: this.entries(picks, row) };
    } finally {
      this.clearExclusions(row, excludeIds);
    }
  }

  /** Clipped prediction; an unknown user or a movie the model never saw falls back through the biases. */
  predict(userId: number, movieId: number): number {
    if (!this.movies.has(movieId)) throw movieNotFound([movieId]);
    return round3(predictRating(this.model, this.index.userIndex.get(userId) ?? -1, this.index.movieIndex.get(movieId) ?? -1));
  }

  predictMany(pairs: { userId: number; movieId: number }[]): number[] {
    const unknown = [...new Set(pairs.map((p) => p.movieId).filter((id) => !this.movies.has(id)))];
    if (unknown.length) throw movieNotFound(unknown, 'pairs.movie_id');
    return pairs.map((p) => this.predict(p.userId, p.movieId));
  }

  /**
   * A brand-new user's ratings folded in (item factors fixed). With `minFoldInRatings` usable ratings
   * or more: ranked by the fold-in prediction. With fewer: the cold-start list re-ranked by
   * w·fold-in + (1-w)·damped mean, w = usable / minFoldInRatings. Rated movies never come back.
   * "because" names the posted ratings most similar to each pick.
   */
  recommendForNewUser(
    ratings: NewUserRating[],
    options: Omit<RecommendOptions, 'excludeIds'>,
  ): { strategy: 'fold-in' | 'popular-blend' | 'popular'; ratingsUsed: number; recommendations: MovieRecommendation[] } {
    const unknown = ratings.map((r) => r.movieId).filter((id) => !this.movies.has(id));
    if (unknown.length) throw movieNotFound(unknown, 'ratings.movie_id');
    const n = Math.min(options.n, this.maxN);
    const wanted = this.wantedGenres(options.genres);
    const usable = ratings.flatMap((r) => {
      const movieIndex = this.index.movieIndex.get(r.movieId);
      return movieIndex === undefined ? [] : [{ movieIndex, rating: r.rating }];
    });
    const anchors = [...usable].sort((a, b) => b.rating - a.rating || a.movieIndex - b.movieIndex).slice(0, MAX_ANCHORS);
    const anchorItems = Int32Array.from(anchors, (a) => a.movieIndex);
    const anchorRatings = Float32Array.from(anchors, (a) => a.rating);
    const ids = ratings.map((r) => r.movieId);
    this.setExclusions(undefined, ids);
    try {
      if (usable.length === 0) return { strategy: 'popular', ratingsUsed: 0, recommendations: this.popularList(n, wanted) };
      const user = foldInUserDual(this.model, usable, this.foldInOptions);
      const view = foldInModel(this.model, user); // the rating model's view of this user: predicted_rating
      let scores: Float32Array;
      if (this.ranking) {
        const implicit = foldInImplicitUser(this.ranking, usable, this.implicitGram);
        const vector = writeRankingUserVector(this.ranking, this.model, implicit, 0, user.factors, 0, new Float32Array(this.rankModel.factors));
        scores = this.scorer.score(vector, 0, this.rankModel.globalMean + this.ranking.weights.rating * user.bias);
      } else scores = this.scorer.score(user.factors, 0, this.model.globalMean + user.bias);
      const explain = (picks: [number, number][]) =>
        picks.map(([i, score]) => this.entry(i, score, this.because(i, anchorItems, anchorRatings, 0, anchors.length) ?? this.popularBecause.get(i)));
      if (usable.length >= this.minFoldInRatings) {
        const count = topNInto(scores, n, this.mask, this.pickIndex, this.pickScore, wanted === 0 ? undefined : this.genreBits, wanted);
        const picks: [number, number][] = [];
        for (let p = 0; p < count; p++) picks.push([this.pickIndex[p], predictRating(view, 0, this.pickIndex[p])]);
        return { strategy: 'fold-in', ratingsUsed: usable.length, recommendations: explain(picks) };
      }
      const w = usable.length / this.minFoldInRatings;
      const blended: { index: number; rank: number; predicted: number; blend: number }[] = [];
      for (let rank = 0; rank < this.popularIndex.length; rank++) {
        const index = this.popularIndex[rank];
        if (this.mask[index] || (wanted !== 0 && (this.genreBits[index] & wanted) === 0)) continue;
        const predicted = predictRating(view, 0, index);
        blended.push({ index, rank, predicted, blend: w * predicted + (1 - w) * this.popularScore[rank] });
      }
      blended.sort((a, b) => b.blend - a.blend || a.rank - b.rank);
      const picks = blended.slice(0, n).map((p): [number, number] => [p.index, p.predicted]);
      return { strategy: 'popular-blend', ratingsUsed: usable.length, recommendations: explain(picks) };
    } finally {
      this.clearExclusions(undefined, ids);
    }
  }

  /** Movies closest to `movieId` by item-factor cosine; empty for a catalogued movie the model never saw. */
  similar(movieId: number, n: number): SimilarResponse {
    if (!this.movies.has(movieId)) throw movieNotFound([movieId]);
    const i = this.index.movieIndex.get(movieId);
    const hits = i === undefined ? [] : this.similarity.similarTo(i, n, this.unservable);
    return { movie_id: movieId, similar: hits.map((h) => ({ ...this.describe(h.index), similarity: round3(h.similarity) })) };
  }

  /** One catalogue movie with its rating count and mean (404 when unknown). */
  movie(movieId: number): MovieDetails {
    const movie = this.movies.get(movieId);
    if (!movie) throw movieNotFound([movieId]);
    const stats = this.ratingStats.get(movieId);
    const i = this.index.movieIndex.get(movieId);
    return {
      movie_id: movie.movieId,
      title: movie.title,
      genres: movie.genres,
      year: movie.year,
      ratings_count: stats?.count ?? 0,
      mean_rating: stats ? round3(stats.sum / stats.count) : null,
      in_model: i !== undefined,
    };
  }

  /** Title search and/or genre filter (genre case-insensitive; an unknown genre is a 400 naming `field`). */
  search(options: { query?: string; genre?: string; limit: number; offset: number }, field = 'genre'): SearchResponse {
    let genre = options.genre;
    if (genre !== undefined) {
      const entry = this.genreByKey.get(genre.toLowerCase());
      if (!entry) throw this.unknownGenre(genre, field);
      genre = entry.name;
    }
    const { total, movies } = this.catalog.searchMovies({ ...options, genre });
    return { total, movies: movies.map((m) => ({ movie_id: m.movieId, title: m.title, genres: m.genres, year: m.year })) };
  }

  /** Releases the catalogue (called after a reload has swapped in a successor). */
  close(): void {
    this.catalog.close();
  }

  // ---------------------------------------------------------------------------------------------

  private unknownGenre(genre: string, field: string): ApiError {
    return new ApiError(400, 'unknown_genre', `Unknown genre "${genre}"`, [
      { field, message: `unknown genre "${genre}"; known genres: ${this.genres.join(', ')}` },
    ]);
  }

  /** Requested genres as a bit set (0: no filter). */
  private wantedGenres(genres: string[] | undefined): number {
    if (!genres?.length) return 0;
    let bits = 0;
    genres.forEach((genre, position) => {
      const entry = this.genreByKey.get(genre.toLowerCase());
      if (!entry) throw this.unknownGenre(genre, `genres.${position}`);
      bits = (bits | entry.bit) >>> 0;
    });
    return bits;
  }

  private setExclusions(row: number | undefined, ids: readonly number[] | undefined): void {
    if (row !== undefined) for (let p = this.seenOffsets[row]; p < this.seenOffsets[row + 1]; p++) this.mask[this.seenItems[p]] = 1;
    if (ids) {
      for (const id of ids) {
        const i = this.index.movieIndex.get(id);
        if (i !== undefined) this.mask[i] = 1;
      }
    }
  }

  /** Restores the mask to its resting state (only unservable movies set). */
  private clearExclusions(row: number | undefined, ids: readonly number[] | undefined): void {
    if (row !== undefined) for (let p = this.seenOffsets[row]; p < this.seenOffsets[row + 1]; p++) this.mask[this.seenItems[p]] = this.unservable[this.seenItems[p]];
    if (ids) {
      for (const id of ids) {
        const i = this.index.movieIndex.get(id);
        if (i !== undefined) this.mask[i] = this.unservable[i];
      }
    }
  }

  /** Ranks every candidate for known user u into pickIndex/pickScore (mask already set); returns the count. */
  private rankKnownUser(u: number, n: number, wanted: number): number {
    const m = this.rankModel;
    const scores = this.scorer.score(m.userFactors, u * m.factors, m.globalMean + m.userBias[u]);
    return topNInto(scores, n, this.mask, this.pickIndex, this.pickScore, wanted === 0 ? undefined : this.genreBits, wanted);
  }

  /** Every known user's top maxN unseen servable movies, at load time (small models only). */
  private precomputeTopLists(): { index: Int32Array; score: Float32Array; count: Uint8Array | Uint16Array; because: (Because | undefined)[] } {
    const nUsers = this.model.userIds.length;
    const K = this.maxN;
    const index = new Int32Array(nUsers * K);
    const score = new Float32Array(nUsers * K); // the rating model's prediction of each pick
    const count = K < 256 ? new Uint8Array(nUsers) : new Uint16Array(nUsers);
    for (let u = 0; u < nUsers; u++) {
      const row = this.seenRow.get(this.model.userIds[u]);
      this.setExclusions(row, undefined);
      const c = this.rankKnownUser(u, K, 0);
      this.clearExclusions(row, undefined);
      count[u] = c;
      for (let p = 0; p < c; p++) {
        index[u * K + p] = this.pickIndex[p];
        score[u * K + p] = predictRating(this.model, u, this.pickIndex[p]);
      }
    }
    return { index, score, count, because: new Array(nUsers * K) };
  }

  /**
   * The first n entries of user u's precomputed list that pass the filters, or undefined when the
   * list (complete top-K of the unfiltered candidates) cannot prove they are the filtered top n.
   */
  private fromTopList(u: number, n: number, wanted: number, excludeIds: number[] | undefined, row: number | undefined): MovieRecommendation[] | undefined {
    const lists = this.topLists!;
    const K = this.maxN;
    const c = lists.count[u];
    const picks: number[] = [];
    for (let p = 0; p < c && picks.length < n; p++) {
      const i = lists.index[u * K + p];
      if (wanted !== 0 && (this.genreBits[i] & wanted) === 0) continue;
      if (excludeIds?.length && excludeIds.includes(this.model.movieIds[i])) continue;
      picks.push(p);
    }
    if (picks.length !== n && c >= K) return undefined;
    const from = row === undefined ? 0 : this.seenOffsets[row];
    const to = row === undefined ? 0 : Math.min(this.seenOffsets[row + 1], from + MAX_ANCHORS);
    return picks.map((p) => {
      const at = u * K + p;
      const i = lists.index[at];
      // The explanation depends only on (user, movie): computed once, then reused.
      const because = (lists.because[at] ??= this.because(i, this.seenItems, this.seenRatings, from, to));
      return this.entry(i, lists.score[at], because);
    });
  }

  /** The first n cold-start movies not masked, rated by their bias-only prediction. */
  private popularList(n: number, wanted: number): MovieRecommendation[] {
    const out: MovieRecommendation[] = [];
    for (let p = 0; p < this.popularIndex.length && out.length < n; p++) {
      const index = this.popularIndex[p];
      if (this.mask[index] || (wanted !== 0 && (this.genreBits[index] & wanted) === 0)) continue;
      out.push(this.entry(index, predictRating(this.model, -1, index), this.popularBecause.get(index)));
    }
    return out;
  }

  private entries(picks: [number, number][], row: number | undefined): MovieRecommendation[] {
    const from = row === undefined ? 0 : this.seenOffsets[row];
    const to = row === undefined ? 0 : Math.min(this.seenOffsets[row + 1], from + MAX_ANCHORS);
    return picks.map(([i, score]) => this.entry(i, score, this.because(i, this.seenItems, this.seenRatings, from, to)));
  }

  /**
   * The (up to two) anchors most similar to movie i by item-factor cosine, among the user's
   * highest-rated movies anchors[from..to) (sorted by rating, best first): the top-rated tier
   * (rating >= the best rating - 1) is searched first, so a 5-star movie beats a similar 2-star one.
   */
  private because(i: number, items: Int32Array, ratings: Float32Array, from: number, to: number): Because | undefined {
    if (to <= from) return undefined;
    const tierFloor = Math.min(ratings[from] - 1, 4);
    let best = -1;
    let bestSim = 0;
    let second = -1;
    let secondSim = 0;
    for (let p = from; p < to; p++) {
      if (ratings[p] < tierFloor && best >= 0) break;
      const sim = this.similarity.cosine(i, items[p]);
      if (sim > bestSim) {
        second = best;
        secondSim = bestSim;
        best = p;
        bestSim = sim;
      } else if (sim > secondSim) {
        second = p;
        secondSim = sim;
      }
    }
    if (best < 0) return undefined;
    const name = (p: number) => `${(this.movieAt[items[p]] as CatalogMovie | undefined)?.title ?? `movie ${this.model.movieIds[items[p]]}`} (${formatRating(ratings[p])})`;
    const picked = second >= 0 && secondSim > 0.2 ? [best, second] : [best];
    return {
      text: `Because you rated ${picked.map(name).join(' and ')}`,
      movie_ids: picked.map((p) => this.model.movieIds[items[p]]),
    };
  }

  private describe(index: number) {
    const movie = this.movieAt[index] as CatalogMovie;
    return { movie_id: movie.movieId, title: movie.title, genres: movie.genres, year: movie.year };
  }

  private entry(index: number, score: number, because: Because | undefined): MovieRecommendation {
    const movie = this.movieAt[index] as CatalogMovie;
    return {
      movie_id: movie.movieId,
      title: movie.title,
      genres: movie.genres,
      year: movie.year,
      predicted_rating: round3(clipRating(score)),
      because: because ?? { text: 'Matches the taste profile of your ratings', movie_ids: [] },
    };
  }
}
