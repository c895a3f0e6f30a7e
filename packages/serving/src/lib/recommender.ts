import { clipRating, finish, predictRating, type ModelBundle, type ModelManifest, type MovieContent, type Steps } from '@reelrank/model';
import type { Because, MovieDetails, MovieRecommendation, SearchResponse, SimilarResponse } from './answers.js';
import type { CatalogMovie, CatalogRating, MovieCatalog } from './catalog.js';
import { movieNotFound, ServingError } from './errors.js';
import { becauseOf, keptReason, TASTE_PROFILE } from './explain.js';
import { MAX_ANCHORS } from './similar-movies.js';
import { foldUserSteps, mergedRatings, type FoldedUser } from './folded-user.js';
import { DiversePicks } from './diverse-picks.js';
import { rankingAgreement, type RankingAgreement } from './ranking-agreement.js';
import { RequestScratch } from './request-scratch.js';
import { contentMovieEntry, servedBundle } from './served-bundle.js';
import { buildServingIndex, servedRating, type ServingIndex, type ServingIndexOptions } from './serving-index.js';
import { applyMovieChange, resolveMovie, type MovieChange } from './catalogue-changes.js';
import { TitleSearchIndex } from './title-search-index.js';
import { topListPicks, topListsBuilder, type TopLists, type TopListsBuilder } from './top-lists.js';

/**
 * Request-time work: answers recommendation, prediction, similar-movie and search requests from a
 * ServingIndex (serving-index.ts builds it once per loaded model: id maps, the catalogue by model
 * index, genre bit sets, each user's rated movies as CSR arrays, the cold-start list, a WebAssembly
 * SIMD scorer) and, when the model is small enough, every known user's precomputed top list. Lists
 * are ordered by the artifact's top-N ranker when it has one (implicit ALS + rating model +
 * popularity as one dot product), else by the rating model; `predicted_rating` is always the rating
 * model's clipped prediction. A request scores into reused buffers, sets its exclusions in one reused
 * mask and clears them again afterwards; the only allocations are the response objects.
 *
 * Not re-entrant by design: handlers are synchronous, so one request uses the buffers at a time.
 * Every answer path shares the private scratch buffers and the entry builders, so they live in one class.
 */

export interface RecommendOptions {
  n: number;
  genres?: string[];
  excludeIds?: number[];
  /** 0..1: trade predicted score for dissimilarity to the picks before (diverse-picks.ts); 0 or absent: the plain top n. */
  diversity?: number;
  /**
   * false: a known user's picks carry the generic reason instead of naming their rated movies (what a
   * caller who may not read the user's ratings is shown), and no reason is worked out. Default true.
   */
  explain?: boolean;
}

export interface NewUserRating {
  movieId: number;
  rating: number;
}

export interface RecommenderOptions extends ServingIndexOptions {
  /**
   * Precompute every known user's top list at load when users × movies × factors is at most this
   * (default 3e9: ml-latest-small yes, ml-20m no). 0 disables it.
   */
  precomputeBudget?: number;
  /** Movies given content after the training (withMovieContent): their content-derived vectors, set after the artifact's. */
  addedMovies?: ReadonlyMap<number, MovieContent>;
  /** Build without the precomputed top lists; buildDeferredTopLists() builds them later, between requests. */
  deferTopLists?: boolean;
  /** The catalogue's overlay (movies added or changed through the API), applied over the data set's movies at load. */
  catalogueChanges?: readonly MovieChange[];
}

/** Which path answered a folded-in user (see recommendFolded). */
export type FoldedStrategy = 'fold-in' | 'popular-blend' | 'popular';

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export class Recommender {
  readonly manifest: ModelManifest;
  private readonly ix: ServingIndex;
  private readonly scratch: RequestScratch;
  private topLists?: TopLists;
  /** The top lists still to build (deferTopLists): requests rank on the fly until buildDeferredTopLists is done. */
  private deferredLists?: TopListsBuilder;
  private readonly diverse: DiversePicks;
  private maxUserId?: number;
  /** False once a successor built by withMovieContent took the catalogue over (close() then leaves it open). */
  private ownsCatalog = true;
  private readonly titles: TitleSearchIndex;
  private revision = 0;
  /** Every catalogue change applied (at load and since): a successor built by withMoviesContent applies them too. */
  private readonly appliedChanges: MovieChange[] = [];
  /** The data set's movies (the catalogue before any change): what each change's fields apply to. */
  private readonly dataSetMovies: ReadonlyMap<number, CatalogMovie>;
  /** The largest movie id of the data set's catalogue (0 without any): ids above it are free for new movies. */
  readonly maxDataSetMovieId: number;

  constructor(
    private readonly bundle: ModelBundle,
    private readonly catalog: MovieCatalog,
    private readonly options: RecommenderOptions = {},
  ) {
    this.ix = buildServingIndex(servedBundle(bundle, options.addedMovies), catalog, options);
    this.manifest = bundle.manifest;
    this.scratch = new RequestScratch(this.ix);
    this.diverse = new DiversePicks(this.ix, bundle.ranking);
    const { catalogue, seen } = this.ix;
    let maxMovieId = 0;
    for (const id of catalogue.movies.keys()) if (id > maxMovieId) maxMovieId = id;
    this.maxDataSetMovieId = maxMovieId;
    this.dataSetMovies = new Map(catalogue.movies);
    this.titles = new TitleSearchIndex(
      catalogue.movies.values(),
      (id) => seen.stats.get(id)?.count ?? 0,
      (id) => catalogue.hiddenIds.has(id),
    );
    // Every changed movie's entry first, shown: the top lists then rank each servable movie (one added
    // with vectors from its content too), and a hidden one is skipped when picked, so showing it again
    // needs no new lists.
    const changes = options.catalogueChanges ?? [];
    for (const change of changes) this.catalogueEntry({ ...change, hidden: false });
    const lists = topListsBuilder(this.ix, this.scratch, options.precomputeBudget);
    if (options.deferTopLists) this.deferredLists = lists;
    else this.topLists = lists?.step();
    for (const change of changes) this.applyMovieChange(change);
  }

  /**
   * Builds the top lists deferred at construction (deferTopLists) `sliceMs` at a time, yielding to
   * the event loop between slices, so a model swapped in while they build never holds a request up
   * for long (until then requests rank on the fly: the same answers, each a little slower). Resolves
   * true once they serve, false when `abandon()` said the model was replaced first.
   */
  async buildDeferredTopLists(sliceMs = 8, abandon: () => boolean = () => false): Promise<boolean> {
    const builder = this.deferredLists;
    if (!builder) return true;
    for (;;) {
      if (abandon()) return false;
      const lists = builder.step(performance.now() + sliceMs);
      if (lists) {
        this.topLists = lists;
        this.deferredLists = undefined;
        return true;
      }
      await new Promise((next) => setImmediate(next));
    }
  }

  /**
   * A movie added, changed or hidden (or shown again) in the catalogue, applied at once between
   * requests: its entry, its genres, search, and the hidden mask every list consults. A movie the
   * model has no factors for is catalogued (rated, searched, shown) but not ranked.
   */
  applyMovieChange(change: MovieChange): CatalogMovie | undefined {
    const movie = this.catalogueEntry(change);
    if (!movie) return undefined;
    this.revision++;
    this.appliedChanges.push(change);
    return movie;
  }

  /** The change in the catalogue, the request mask at rest and search. */
  private catalogueEntry(change: MovieChange): CatalogMovie | undefined {
    const movie = resolveMovie(this.dataSetMovies.get(change.movieId), change);
    if (!movie) return undefined;
    const moved = applyMovieChange(this.ix.catalogue, this.ix.ids, movie, change.hidden);
    if (moved !== undefined) this.scratch.rest(moved);
    this.titles.put(movie);
    return movie;
  }

  /** Counts the catalogue changes applied: answers cached under one revision are stale under the next. */
  get catalogueRevision(): number {
    return this.revision;
  }

  /** Whether the movie is hidden (never recommended, similar or listed by default). */
  isHidden(movieId: number): boolean {
    return this.ix.catalogue.hiddenIds.has(movieId);
  }

  /** The catalogue's movie of that id, as served now (undefined when unknown). */
  catalogueMovie(movieId: number): CatalogMovie | undefined {
    return this.ix.catalogue.movies.get(movieId);
  }

  get catalogueSize(): number {
    return this.ix.catalogue.movies.size;
  }

  get genres(): string[] {
    return [...this.ix.catalogue.genreByKey.values()].map((g) => g.name).sort();
  }

  /** The top-N ranker in use: the artifact's blend, or the rating model alone. */
  get rankingKind(): string {
    return this.manifest.ranking?.kind ?? 'rating-model';
  }

  /** Whether the SIMD kernel scores (false: the JS fallback). */
  get simd(): boolean {
    return this.ix.scorer.simd;
  }

  /** Users the model knows (model user indices run 0..knownUsers-1). */
  get knownUsers(): number {
    return this.ix.model.userIds.length;
  }

  /** Whether rankings are read through the int8 bounds with an exact re-rank (false: every movie scored in 32 bits). */
  get bounded(): boolean {
    return this.scratch.bounded !== undefined;
  }

  /** The served top n against the exact 32-bit ranking for the model user indices `users` (ranking-agreement.ts). */
  rankingAgreement(users: ArrayLike<number>, n: number): RankingAgreement {
    return rankingAgreement(this.ix, this.scratch, users, n);
  }

  /** Top-n unseen movies: personalised for a user the model knows, the cold-start list otherwise. */
  recommend(userId: number, options: RecommendOptions): { strategy: 'personalized' | 'popular'; recommendations: MovieRecommendation[] } {
    const n = Math.min(options.n, this.ix.maxN);
    const wanted = this.wantedGenres(options.genres);
    const row = this.ix.seen.row.get(userId);
    const u = this.ix.ids.userIndex.get(userId);
    const excludeIds = options.excludeIds;

    if (u !== undefined && options.diversity) {
      const { scratch } = this;
      scratch.exclude(row, excludeIds);
      try {
        const picks = this.diverse.pick(scratch.knownUserScores(u), scratch.mask, n, wanted, options.diversity);
        return {
          strategy: 'personalized',
          recommendations: this.entries(
            picks.map((i) => [i, servedRating(this.ix, u, i)]),
            row,
            options.explain,
          ),
        };
      } finally {
        scratch.restore(row, excludeIds);
      }
    }

    if (u !== undefined && this.topLists) {
      const hit = this.fromTopList(u, n, wanted, excludeIds, row, options.explain);
      if (hit) return { strategy: 'personalized', recommendations: hit };
    }

    const { scratch } = this;
    scratch.exclude(row, excludeIds);
    try {
      if (u === undefined) return { strategy: 'popular', recommendations: this.popularList(n, wanted) };
      const count = scratch.rankKnownUser(u, n, wanted);
      const picks: [number, number][] = [];
      for (let p = 0; p < count; p++) picks.push([scratch.pickIndex[p], servedRating(this.ix, u, scratch.pickIndex[p])]);
      return { strategy: 'personalized', recommendations: this.entries(picks, row, options.explain) };
    } finally {
      scratch.restore(row, excludeIds);
    }
  }

  /** Clipped prediction; an unknown user or a movie the model never saw falls back through the biases. */
  predict(userId: number, movieId: number): number {
    if (!this.ix.catalogue.movies.has(movieId)) throw movieNotFound([movieId]);
    return round3(servedRating(this.ix, this.ix.ids.userIndex.get(userId) ?? -1, this.ix.ids.movieIndex.get(movieId) ?? -1));
  }

  predictMany(pairs: { userId: number; movieId: number }[]): number[] {
    const unknown = [...new Set(pairs.map((p) => p.movieId).filter((id) => !this.ix.catalogue.movies.has(id)))];
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
  ): { strategy: FoldedStrategy; ratingsUsed: number; recommendations: MovieRecommendation[] } {
    return finish(this.recommendForNewUserSteps(ratings, options));
  }

  /** recommendForNewUser, pausable inside its fold-in (a server runs it a slice at a time). */
  *recommendForNewUserSteps(
    ratings: NewUserRating[],
    options: Omit<RecommendOptions, 'excludeIds'>,
  ): Steps<{ strategy: FoldedStrategy; ratingsUsed: number; recommendations: MovieRecommendation[] }> {
    const { ix } = this;
    const unknown = ratings.map((r) => r.movieId).filter((id) => !ix.catalogue.movies.has(id));
    if (unknown.length) throw movieNotFound(unknown, 'ratings.movie_id');
    const usable = ratings.flatMap((r) => {
      const movieIndex = ix.ids.movieIndex.get(r.movieId);
      return movieIndex === undefined ? [] : [{ movieIndex, rating: r.rating }];
    });
    const folded = yield* foldUserSteps(
      ix,
      usable,
      ratings.map((r) => r.movieId),
    );
    return { ...this.recommendFolded(folded, options), ratingsUsed: usable.length };
  }

  /**
   * User `userId` solved again from all of their ratings: the data set's (as served) plus `fresh`
   * ones posted since (a fresh rating of a movie replaces the data-set one). Unknown movies are a not-found
   * error naming `field`. Keep the result for as long as the user's ratings stay the same; pass it as
   * `previous` to the next fold-in of the user, which then starts from it. `alsoRated`: movies the user
   * rated that the fold leaves out (beyond a caller's bound on its input), still never recommended.
   */
  foldUser(
    userId: number,
    fresh: readonly NewUserRating[],
    field = 'movie_id',
    previous?: FoldedUser,
    alsoRated: readonly number[] = [],
  ): FoldedUser {
    return finish(this.foldUserSteps(userId, fresh, field, previous, alsoRated));
  }

  /** foldUser, pausable inside its solve (a server runs it a slice at a time). */
  *foldUserSteps(
    userId: number,
    fresh: readonly NewUserRating[],
    field = 'movie_id',
    previous?: FoldedUser,
    alsoRated: readonly number[] = [],
  ): Steps<FoldedUser> {
    const unknown = fresh.map((r) => r.movieId).filter((id) => !this.ix.catalogue.movies.has(id));
    if (unknown.length) throw movieNotFound(unknown, field);
    const { usable, ratedIds, seenRow, trained } = mergedRatings(this.ix, userId, fresh);
    ratedIds.push(...alsoRated);
    return yield* foldUserSteps(this.ix, usable, ratedIds, seenRow, { previous: previous?.solution, trained });
  }

  /**
   * Top-n for a folded-in user, none of their rated movies (nor `excludeIds`). With
   * `minFoldInRatings` usable ratings or more: ranked by the fold-in ("fold-in"); fewer: the
   * cold-start list re-ranked by w·fold-in + (1-w)·damped mean, w = usable / minFoldInRatings
   * ("popular-blend"); none: the cold-start list ("popular").
   */
  recommendFolded(folded: FoldedUser, options: RecommendOptions): { strategy: FoldedStrategy; recommendations: MovieRecommendation[] } {
    const { ix, scratch } = this;
    const n = Math.min(options.n, ix.maxN);
    const wanted = this.wantedGenres(options.genres);
    const because = (i: number) =>
      becauseOf(ix, i, folded.anchorItems, folded.anchorRatings, 0, folded.anchorItems.length) ?? ix.popular.because.get(i);
    if (folded.usable >= ix.minFoldInRatings && !options.diversity) {
      // Like a known user's precomputed list: the unfiltered top maxN once per folded user, then lookups.
      const lists = (folded.top ??= this.topListOf(folded));
      const hit = topListPicks(ix, lists, 0, n, wanted, options.excludeIds);
      if (hit)
        return {
          strategy: 'fold-in',
          recommendations: hit.map((at) =>
            this.entry(lists.index[at], lists.score[at], (lists.because[at] = keptReason(ix, lists.because[at], () => because(lists.index[at])))),
          ),
        };
    }
    const ids = options.excludeIds?.length ? [...folded.ratedIds, ...options.excludeIds] : folded.ratedIds;
    scratch.exclude(folded.seenRow, ids);
    try {
      if (folded.usable === 0) return { strategy: 'popular', recommendations: this.popularList(n, wanted) };
      const { view } = folded;
      const explain = (picks: [number, number][]) => picks.map(([i, score]) => this.entry(i, score, because(i)));
      if (folded.usable >= ix.minFoldInRatings) {
        const { rated } = folded;
        if (options.diversity) {
          const scores = scratch.rankScores(folded.scoreVector, 0, folded.scoreBias, rated);
          const diverse = this.diverse.pick(scores, scratch.mask, n, wanted, options.diversity);
          return { strategy: 'fold-in', recommendations: explain(diverse.map((i) => [i, predictRating(view, 0, i)])) };
        }
        const count = scratch.rankTop(folded.scoreVector, 0, folded.scoreBias, rated, n, wanted);
        const picks: [number, number][] = [];
        for (let p = 0; p < count; p++) picks.push([scratch.pickIndex[p], predictRating(view, 0, scratch.pickIndex[p])]);
        return { strategy: 'fold-in', recommendations: explain(picks) };
      }
      const w = folded.usable / ix.minFoldInRatings;
      const blended: { index: number; rank: number; predicted: number; blend: number }[] = [];
      for (let rank = 0; rank < ix.popular.index.length; rank++) {
        const index = ix.popular.index[rank];
        if (scratch.mask[index] || (wanted !== 0 && (ix.catalogue.genreBits[index] & wanted) === 0)) continue;
        const predicted = predictRating(view, 0, index);
        blended.push({ index, rank, predicted, blend: w * predicted + (1 - w) * ix.popular.score[rank] });
      }
      blended.sort((a, b) => b.blend - a.blend || a.rank - b.rank);
      const picks = blended.slice(0, n).map((p): [number, number] => [p.index, p.predicted]);
      return { strategy: 'popular-blend', recommendations: explain(picks) };
    } finally {
      scratch.restore(folded.seenRow, ids);
    }
  }

  /** A folded-in user's top maxN unrated movies with the rating model's predictions: one user's TopLists. */
  private topListOf(folded: FoldedUser): TopLists {
    const { scratch, ix } = this;
    scratch.exclude(folded.seenRow, folded.ratedIds);
    try {
      const count = scratch.rankTop(folded.scoreVector, 0, folded.scoreBias, folded.rated, ix.maxN, 0);
      const index = scratch.pickIndex.slice(0, count);
      return {
        index,
        score: Float32Array.from(index, (i) => predictRating(folded.view, 0, i)),
        count: Uint16Array.of(count),
        because: new Array(count),
      };
    } finally {
      scratch.restore(folded.seenRow, folded.ratedIds);
    }
  }

  /** A folded-in user's clipped prediction (a movie the model never saw falls back through the biases). */
  predictFolded(folded: FoldedUser, movieId: number): number {
    if (!this.ix.catalogue.movies.has(movieId)) throw movieNotFound([movieId]);
    // No usable rating: the view is the trained model itself, and user -1 means biases only.
    return round3(predictRating(folded.view, folded.usable === 0 ? -1 : 0, this.ix.ids.movieIndex.get(movieId) ?? -1));
  }

  /** Whether `userId` has ratings in the data set the catalogue was built from (not only posted ones). */
  isDataSetUser(userId: number): boolean {
    return this.ix.seen.row.has(userId);
  }

  /** The largest data-set user id (0 without any): ids above it are free for new users. */
  get maxDataSetUserId(): number {
    if (this.maxUserId === undefined) {
      let max = 0;
      for (const id of this.ix.seen.row.keys()) if (id > max) max = id;
      this.maxUserId = max;
    }
    return this.maxUserId;
  }

  /** Whether the catalogue has the movie (the ratings a client posts must name one). */
  hasMovie(movieId: number): boolean {
    return this.ix.catalogue.movies.has(movieId);
  }

  /** The user's ratings in the data set the catalogue was built from, by movie id. */
  dataSetRatings(userId: number): CatalogRating[] {
    return this.catalog.userRatings(userId);
  }

  /** Movies closest to `movieId` by item-factor cosine; empty for a catalogued movie the model never saw. */
  similar(movieId: number, n: number): SimilarResponse {
    if (!this.ix.catalogue.movies.has(movieId) || this.isHidden(movieId)) throw movieNotFound([movieId]);
    const i = this.ix.ids.movieIndex.get(movieId);
    // The request mask at rest: the unservable and the hidden movies.
    const hits = i === undefined ? [] : this.ix.similarity.similarTo(i, n, this.scratch.mask);
    return { movie_id: movieId, similar: hits.map((h) => ({ ...this.describe(h.index), similarity: round3(h.similarity) })) };
  }

  /** One catalogue movie with its rating count and mean (a not-found error when unknown, or hidden unless `includeHidden`). */
  movie(movieId: number, includeHidden = false): MovieDetails {
    const movie = this.ix.catalogue.movies.get(movieId);
    if (!movie || (!includeHidden && this.isHidden(movieId))) throw movieNotFound([movieId]);
    const stats = this.ix.seen.stats.get(movieId);
    return {
      movie_id: movie.movieId,
      title: movie.title,
      genres: movie.genres,
      year: movie.year,
      ratings_count: stats?.count ?? 0,
      mean_rating: stats ? round3(stats.sum / stats.count) : null,
      in_model: this.ix.ids.movieIndex.has(movieId),
      hidden: this.isHidden(movieId),
    };
  }

  /**
   * Title search by relevance (title-search-index.ts) and/or genre filter (genre case-insensitive; an
   * unknown genre is an invalid-input error naming `field`); hidden movies only with `includeHidden`.
   */
  search(options: { query?: string; genre?: string; limit: number; offset: number; includeHidden?: boolean }, field = 'genre'): SearchResponse {
    let genre = options.genre;
    if (genre !== undefined) {
      const entry = this.ix.catalogue.genreByKey.get(genre.toLowerCase());
      if (!entry) throw this.unknownGenre(genre, field);
      genre = entry.name;
    }
    const { total, movies } = this.titles.search({ ...options, genre });
    return { total, movies: movies.map((m) => ({ movie_id: m.movieId, title: m.title, genres: m.genres, year: m.year })) };
  }

  /** Releases the catalogue (called after a reload has swapped in a successor). */
  close(): void {
    if (this.ownsCatalog) this.catalog.close();
  }

  /** Whether the model has a content map, so a movie new to the catalogue can be served from its content. */
  get servesContent(): boolean {
    return this.bundle.contentMap !== undefined;
  }

  /** The movies given content since the training (what withMovieContent added), by id. */
  get addedMovies(): ReadonlyMap<number, MovieContent> {
    return this.options.addedMovies ?? new Map();
  }

  /**
   * The same model with `movieId` served from `content` (a movie posted or changed since the
   * training): its vectors from the content map, blended toward its own when the training saw its
   * ratings, so it reaches recommendations and `similar` before any retrain. Built completely (the
   * catalogue read again), then it owns the catalogue: swap it in and close this one. Throws when the
   * model has no content map.
   */
  withMovieContent(movieId: number, content: MovieContent): Recommender {
    return this.withMoviesContent(new Map([[movieId, content]]));
  }

  /** withMovieContent for several movies at once (one build); `deferTopLists`: see RecommenderOptions. */
  withMoviesContent(movies: ReadonlyMap<number, MovieContent>, build: { deferTopLists?: boolean } = {}): Recommender {
    for (const [movieId, content] of movies) contentMovieEntry(this.bundle, movieId, content); // refuses before the build
    const addedMovies = new Map([...(this.options.addedMovies ?? []), ...movies]);
    const next = new Recommender(this.bundle, this.catalog, {
      ...this.options,
      addedMovies,
      catalogueChanges: this.appliedChanges,
      deferTopLists: build.deferTopLists ?? false,
    });
    this.ownsCatalog = false;
    return next;
  }

  /** Whether the served model has vectors for the movie (learned, or from its content). */
  servesMovie(movieId: number): boolean {
    return this.ix.ids.movieIndex.has(movieId);
  }

  // ---------------------------------------------------------------------------------------------

  private unknownGenre(genre: string, field: string): ServingError {
    return new ServingError('invalid-input', 'unknown_genre', `Unknown genre "${genre}"`, [
      { field, message: `unknown genre "${genre}"; known genres: ${this.genres.join(', ')}` },
    ]);
  }

  /** Requested genres as a bit set (0: no filter). */
  private wantedGenres(genres: string[] | undefined): number {
    if (!genres?.length) return 0;
    let bits = 0;
    genres.forEach((genre, position) => {
      const entry = this.ix.catalogue.genreByKey.get(genre.toLowerCase());
      if (!entry) throw this.unknownGenre(genre, `genres.${position}`);
      bits = (bits | entry.bit) >>> 0;
    });
    return bits;
  }

  /** User u's answer from the precomputed top list, or undefined when the list cannot answer it. */
  private fromTopList(
    u: number,
    n: number,
    wanted: number,
    excludeIds: number[] | undefined,
    row: number | undefined,
    explain = true,
  ): MovieRecommendation[] | undefined {
    const lists = this.topLists!;
    const picks = topListPicks(this.ix, lists, u, n, wanted, excludeIds);
    if (!picks) return undefined;
    if (!explain) return picks.map((at) => this.entry(lists.index[at], lists.score[at], undefined));
    const { seen } = this.ix;
    const from = row === undefined ? 0 : seen.offsets[row];
    const to = row === undefined ? 0 : Math.min(seen.offsets[row + 1], from + MAX_ANCHORS);
    return picks.map((at) => {
      const i = lists.index[at];
      // The explanation depends only on (user, movie): computed once, then reused.
      const because = (lists.because[at] = keptReason(this.ix, lists.because[at], () => becauseOf(this.ix, i, seen.items, seen.ratings, from, to)));
      return this.entry(i, lists.score[at], because);
    });
  }

  /** The first n cold-start movies not masked, rated by their bias-only prediction. */
  private popularList(n: number, wanted: number): MovieRecommendation[] {
    const { popular, catalogue } = this.ix;
    const out: MovieRecommendation[] = [];
    for (let p = 0; p < popular.index.length && out.length < n; p++) {
      const index = popular.index[p];
      if (this.scratch.mask[index] || (wanted !== 0 && (catalogue.genreBits[index] & wanted) === 0)) continue;
      out.push(this.entry(index, predictRating(this.ix.model, -1, index), popular.because.get(index)));
    }
    return out;
  }

  private entries(picks: [number, number][], row: number | undefined, explain = true): MovieRecommendation[] {
    if (!explain) return picks.map(([i, score]) => this.entry(i, score, undefined));
    const { seen } = this.ix;
    const from = row === undefined ? 0 : seen.offsets[row];
    const to = row === undefined ? 0 : Math.min(seen.offsets[row + 1], from + MAX_ANCHORS);
    return picks.map(([i, score]) => this.entry(i, score, becauseOf(this.ix, i, seen.items, seen.ratings, from, to)));
  }

  private describe(index: number) {
    const movie = this.ix.catalogue.movieAt[index] as CatalogMovie;
    return { movie_id: movie.movieId, title: movie.title, genres: movie.genres, year: movie.year };
  }

  private entry(index: number, score: number, because: Because | undefined): MovieRecommendation {
    const movie = this.ix.catalogue.movieAt[index] as CatalogMovie;
    return {
      movie_id: movie.movieId,
      title: movie.title,
      genres: movie.genres,
      year: movie.year,
      predicted_rating: round3(clipRating(score)),
      because: because ?? TASTE_PROFILE,
    };
  }
}
