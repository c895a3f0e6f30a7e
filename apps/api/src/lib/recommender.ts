import {
  buildModelIndex,
  clipRating,
  foldInModel,
  foldInUser,
  predictRating,
  scoreAllMovies,
  topN,
  type FoldInOptions,
  type MfModel,
  type ModelBundle,
  type ModelIndex,
  type ModelManifest,
} from '@reelrank/model';
import type { CatalogMovie, MovieCatalog } from './catalog.js';
import { ApiError, movieNotFound } from './errors.js';
import type { SearchResponse, SimilarResponse } from './movie-schemas.js';
import type { MovieRecommendation } from './schemas.js';
import { SimilarMovies } from './similar-movies.js';

/**
 * Answers recommendation and prediction requests from memory. Built once per loaded model: the
 * catalogue, id -> index maps, genre masks and the cold-start list are precomputed; every score
 * comes from @reelrank/model (scoreAllMovies / predictRating / topN), never a local formula.
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
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export class Recommender {
  readonly manifest: ModelManifest;
  private readonly model: MfModel;
  private readonly index: ModelIndex;
  private readonly movies = new Map<number, CatalogMovie>();
  /** Catalogue entry of each model movie index (undefined: in the model, not in the catalogue). */
  private readonly movieAt: (CatalogMovie | undefined)[];
  /** 1 where a model movie cannot be served (absent from the catalogue). */
  private readonly unservable: Uint8Array;
  /** lower-case genre -> {canonical name, model-index membership}. */
  private readonly genreMasks = new Map<string, { name: string; members: Uint8Array }>();
  /** Cold-start ranking as model indices with their damped means, best first. */
  private readonly popular: { index: number; score: number }[] = [];
  /** Reused by every request (handlers are synchronous, so never shared concurrently). */
  private readonly scores: Float32Array;
  private readonly minFoldInRatings: number;
  private readonly similarity: SimilarMovies;
  private readonly foldInOptions: FoldInOptions;

  constructor(bundle: ModelBundle, private readonly catalog: MovieCatalog, options: RecommenderOptions = {}) {
    this.model = bundle.model;
    this.manifest = bundle.manifest;
    this.index = buildModelIndex(this.model);
    const nMovies = this.model.movieIds.length;
    this.scores = new Float32Array(nMovies);
    this.movieAt = new Array(nMovies);
    this.unservable = new Uint8Array(nMovies).fill(1);
    for (const movie of catalog.allMovies()) {
      this.movies.set(movie.movieId, movie);
      const i = this.index.movieIndex.get(movie.movieId);
      if (i === undefined) continue;
      this.movieAt[i] = movie;
      this.unservable[i] = 0;
      for (const genre of movie.genres) {
        const key = genre.toLowerCase();
        let entry = this.genreMasks.get(key);
        if (!entry) this.genreMasks.set(key, (entry = { name: genre, members: new Uint8Array(nMovies) }));
        entry.members[i] = 1;
      }
    }
    const { movieIds, scores } = bundle.popularity;
    for (let r = 0; r < movieIds.length; r++) {
      const i = this.index.movieIndex.get(movieIds[r]);
      if (i !== undefined && !this.unservable[i]) this.popular.push({ index: i, score: scores[r] });
    }
    const hp = bundle.manifest.hyperParameters ?? {};
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
    this.foldInOptions = {
      regularization: num(hp.regularization),
      biasRegularization: num(hp.biasRegularization),
      ...options.foldIn,
    };
    this.minFoldInRatings = options.minFoldInRatings ?? 5;
    this.similarity = new SimilarMovies(this.model);
  }

  get catalogueSize(): number {
    return this.movies.size;
  }

  get genres(): string[] {
    return [...this.genreMasks.values()].map((g) => g.name).sort();
  }

  /** Top-n unseen movies: personalised for a user the model knows, the cold-start list otherwise. */
  recommend(userId: number, options: RecommendOptions): { strategy: 'personalized' | 'popular'; recommendations: MovieRecommendation[] } {
    const excluded = this.exclusionMask(options.genres, [...this.catalog.ratedMovieIds(userId), ...(options.excludeIds ?? [])]);
    const u = this.index.userIndex.get(userId);
    if (u === undefined) return { strategy: 'popular', recommendations: this.popularList(options.n, excluded) };
    scoreAllMovies(this.model, u, this.scores);
    const picks = topN(this.scores, options.n, excluded);
    return { strategy: 'personalized', recommendations: picks.map((i) => this.entry(i, clipRating(this.scores[i]))) };
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
   */
  recommendForNewUser(
    ratings: NewUserRating[],
    options: Omit<RecommendOptions, 'excludeIds'>,
  ): { strategy: 'fold-in' | 'popular-blend' | 'popular'; ratingsUsed: number; recommendations: MovieRecommendation[] } {
    const unknown = ratings.map((r) => r.movieId).filter((id) => !this.movies.has(id));
    if (unknown.length) throw movieNotFound(unknown, 'ratings.movie_id');
    const excluded = this.exclusionMask(options.genres, ratings.map((r) => r.movieId));
    const usable = ratings.flatMap((r) => {
      const movieIndex = this.index.movieIndex.get(r.movieId);
      return movieIndex === undefined ? [] : [{ movieIndex, rating: r.rating }];
    });
    if (usable.length === 0) return { strategy: 'popular', ratingsUsed: 0, recommendations: this.popularList(options.n, excluded) };

    const view = foldInModel(this.model, foldInUser(this.model, usable, this.foldInOptions));
    scoreAllMovies(view, 0, this.scores);
    if (usable.length >= this.minFoldInRatings) {
      const picks = topN(this.scores, options.n, excluded);
      return { strategy: 'fold-in', ratingsUsed: usable.length, recommendations: picks.map((i) => this.entry(i, clipRating(this.scores[i]))) };
    }
    const w = usable.length / this.minFoldInRatings;
    const blended = this.popular
      .map((p, rank) => ({ ...p, rank, predicted: clipRating(this.scores[p.index]) }))
      .filter((p) => !excluded[p.index])
      .map((p) => ({ ...p, blend: w * p.predicted + (1 - w) * p.score }))
      .sort((a, b) => b.blend - a.blend || a.rank - b.rank)
      .slice(0, options.n);
    return { strategy: 'popular-blend', ratingsUsed: usable.length, recommendations: blended.map((p) => this.entry(p.index, p.predicted)) };
  }

  /** Movies closest to `movieId` by item-factor cosine; empty for a catalogued movie the model never saw. */
  similar(movieId: number, n: number): SimilarResponse {
    if (!this.movies.has(movieId)) throw movieNotFound([movieId]);
    const i = this.index.movieIndex.get(movieId);
    const hits = i === undefined ? [] : this.similarity.similarTo(i, n, this.unservable);
    return { movie_id: movieId, similar: hits.map((h) => ({ ...this.describe(h.index), similarity: round3(h.similarity) })) };
  }

  search(options: { query?: string; genre?: string; limit: number; offset: number }): SearchResponse {
    const { total, movies } = this.catalog.searchMovies(options);
    return { total, movies: movies.map((m) => ({ movie_id: m.movieId, title: m.title, genres: m.genres, year: m.year })) };
  }

  /** Unservable movies, movies outside the requested genres and the given ids, as a topN mask. */
  private exclusionMask(genres: string[] | undefined, excludeIds: number[]): Uint8Array {
    const mask = Uint8Array.from(this.unservable);
    if (genres?.length) {
      const masks = genres.map((genre, position) => {
        const entry = this.genreMasks.get(genre.toLowerCase());
        if (!entry) {
          throw new ApiError(400, 'unknown_genre', `Unknown genre "${genre}"`, [
            { field: `genres.${position}`, message: `unknown genre "${genre}"; known genres: ${this.genres.join(', ')}` },
          ]);
        }
        return entry.members;
      });
      for (let i = 0; i < mask.length; i++) if (!masks.some((m) => m[i])) mask[i] = 1;
    }
    for (const id of excludeIds) {
      const i = this.index.movieIndex.get(id);
      if (i !== undefined) mask[i] = 1;
    }
    return mask;
  }

  /** The first n cold-start movies not masked, rated by their bias-only prediction. */
  private popularList(n: number, excluded: Uint8Array): MovieRecommendation[] {
    const out: MovieRecommendation[] = [];
    for (const { index } of this.popular) {
      if (out.length >= n) break;
      if (!excluded[index]) out.push(this.entry(index, predictRating(this.model, -1, index)));
    }
    return out;
  }

  private describe(index: number) {
    const movie = this.movieAt[index] as CatalogMovie;
    return { movie_id: movie.movieId, title: movie.title, genres: movie.genres, year: movie.year };
  }

  private entry(index: number, rating: number): MovieRecommendation {
    return { ...this.describe(index), predicted_rating: round3(rating) };
  }
}
