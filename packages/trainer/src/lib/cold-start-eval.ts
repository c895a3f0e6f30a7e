import {
  clipRating,
  predictRating,
  scoreForRanking,
  withMovieFactors,
  type ContentMapArtifact,
  type MfModel,
  type MovieContent,
  type RankingModel,
} from '@reelrank/model';
import type { MovieHoldout } from './movie-holdout.js';
import { RELEVANCE_THRESHOLD } from './ranking-metrics.js';

/** A model trained without the held-out movies, with the content map fitted in the same training. */
export interface ColdStartBundle {
  model: MfModel;
  ranking?: RankingModel;
  contentMap: ContentMapArtifact;
}

export interface NdcgRow {
  contentRanker: number;
  contentRatingModel: number;
  genrePopularity: number;
}

export interface ColdStartEvaluation {
  k: number;
  heldOutMovies: number;
  heldOutRatings: number;
  /** Users with a relevant (>= 4.0) held-out rating who are in the model: NDCG@k averages over them. */
  rankingUsers: number;
  /** Held-out ratings of users the model knows: the RMSE rows. */
  ratedRows: number;
  /** Held-out ratings of users the model does not know (all their ratings were of held-out movies). */
  skippedUnknownUserRows: number;
  /** Every held-out movie a candidate; relevant = rated >= 4.0 (will the user rate it, and like it). */
  ndcg: NdcgRow;
  /** Only the held-out movies the user rated, gain = the rating (which of them the user likes most); users with 2+ of them. */
  ndcgAmongRated: NdcgRow;
  ratedUsers: number;
  rmse: { content: number; biasOnly: number };
}

/** Mean train ratings per movie of the same genre set (else the mean over its genres, else over all movies): "most popular of the same genres". */
export function genrePopularityScores(movies: Int32Array, train: { movieIds: Int32Array }, content: ReadonlyMap<number, MovieContent>): Float64Array {
  const counts = new Map<number, number>();
  for (const id of train.movieIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const bySet = new Map<string, { sum: number; n: number }>();
  const byGenre = new Map<string, { sum: number; n: number }>();
  let total = 0;
  const add = (map: Map<string, { sum: number; n: number }>, key: string, value: number) => {
    const entry = map.get(key) ?? { sum: 0, n: 0 };
    entry.sum += value;
    entry.n += 1;
    map.set(key, entry);
  };
  const genresOf = (id: number) => [...(content.get(id)?.genres ?? [])].map((g) => g.toLowerCase()).sort();
  for (const [id, count] of counts) {
    const genres = genresOf(id);
    add(bySet, genres.join('|'), count);
    for (const g of genres) add(byGenre, g, count);
    total += count;
  }
  const overall = counts.size ? total / counts.size : 0;
  return Float64Array.from(movies, (id) => {
    const genres = genresOf(id);
    const same = bySet.get(genres.join('|'));
    if (same) return same.sum / same.n;
    const known = genres.map((g) => byGenre.get(g)).filter((e) => e !== undefined);
    return known.length ? known.reduce((s, e) => s + e.sum / e.n, 0) / known.length : overall;
  });
}

/** NDCG@k of `scores` (aligned with `candidates`, higher first, ties by lower movie id) against each movie id's gain (absent: 0). */
function ndcgAt(k: number, candidates: ArrayLike<number>, scores: ArrayLike<number>, gain: ReadonlyMap<number, number>): number {
  const order = Array.from({ length: candidates.length }, (_, c) => c).sort((a, b) => scores[b] - scores[a] || candidates[a] - candidates[b]);
  let dcg = 0;
  for (let r = 0; r < Math.min(k, order.length); r++) dcg += (gain.get(candidates[order[r]]) ?? 0) / Math.log2(r + 2);
  const best = [...gain.values()].sort((a, b) => b - a);
  let ideal = 0;
  for (let r = 0; r < Math.min(k, best.length); r++) ideal += best[r] / Math.log2(r + 2);
  return ideal > 0 ? dcg / ideal : 0;
}

/**
 * The item cold-start figures: the held-out movies get their vectors from the content map as served
 * (the artifact's cold-start entries set into the model), then, for each user who rated some of them,
 * every held-out movie is ranked (NDCG@k, relevant = rated >= 4.0) against the genre-popularity
 * baseline, and their ratings predicted (RMSE) against the bias-only baseline μ + b_u (the model's
 * baseline predictor when it has one).
 */
export function evaluateColdStart(
  bundle: ColdStartBundle,
  holdout: MovieHoldout,
  content: ReadonlyMap<number, MovieContent>,
  k = 10,
): ColdStartEvaluation {
  const served = withMovieFactors(bundle, bundle.contentMap.coldStart);
  const { model } = served;
  const userIndex = new Map<number, number>();
  model.userIds.forEach((id, u) => userIndex.set(id, u));
  const movieIndex = new Map<number, number>();
  model.movieIds.forEach((id, i) => movieIndex.set(id, i));
  const candidates = holdout.movies.filter((id) => movieIndex.has(id));
  if (candidates.length < holdout.movies.length)
    throw new Error(`${holdout.movies.length - candidates.length} held-out movie(s) got no content vectors (absent from the content)`);
  const candidateIndex = Int32Array.from(candidates, (id) => movieIndex.get(id)!);
  const popularity = genrePopularityScores(candidates, holdout.train, content);

  const byUser = new Map<number, Array<{ movieId: number; rating: number }>>();
  const { userIds, movieIds, ratings } = holdout.heldOut;
  for (let r = 0; r < ratings.length; r++) {
    let list = byUser.get(userIds[r]);
    if (!list) byUser.set(userIds[r], (list = []));
    list.push({ movieId: movieIds[r], rating: ratings[r] });
  }
  const fallback = model.fallback;
  const scores = new Float32Array(model.movieIds.length);
  const rankerScores = new Float64Array(candidates.length);
  const ratingScores = new Float64Array(candidates.length);
  const sums = { contentRanker: 0, contentRatingModel: 0, genrePopularity: 0 };
  const amongRated = { contentRanker: 0, contentRatingModel: 0, genrePopularity: 0 };
  const popularityOf = new Map<number, number>();
  candidates.forEach((id, c) => popularityOf.set(id, popularity[c]));
  let rankingUsers = 0;
  let ratedUsers = 0;
  let squared = 0;
  let squaredBias = 0;
  let ratedRows = 0;
  let skipped = 0;
  for (const [userId, list] of byUser) {
    const u = userIndex.get(userId);
    if (u === undefined) {
      skipped += list.length;
      continue;
    }
    const baseline = fallback ? fallback.globalMean + fallback.userBias[u] : model.globalMean + model.userBias[u];
    for (const { movieId, rating } of list) {
      squared += (predictRating(model, u, movieIndex.get(movieId)!) - rating) ** 2;
      squaredBias += (clipRating(baseline) - rating) ** 2;
      ratedRows++;
    }
    const relevant = new Map(list.filter((x) => x.rating >= RELEVANCE_THRESHOLD).map((x) => [x.movieId, 1]));
    if (relevant.size === 0 && list.length < 2) continue;
    scoreForRanking(served, u, scores);
    const kR = model.factors;
    candidateIndex.forEach((i, c) => {
      rankerScores[c] = scores[i];
      let dot = 0;
      for (let f = 0; f < kR; f++) dot += model.userFactors[u * kR + f] * model.movieFactors[i * kR + f];
      ratingScores[c] = model.movieBias[i] + dot;
    });
    if (relevant.size > 0) {
      sums.contentRanker += ndcgAt(k, candidates, rankerScores, relevant);
      sums.contentRatingModel += ndcgAt(k, candidates, ratingScores, relevant);
      sums.genrePopularity += ndcgAt(k, candidates, popularity, relevant);
      rankingUsers++;
    }
    if (list.length >= 2) {
      const own = list.map((x) => x.movieId);
      const position = new Map<number, number>();
      candidates.forEach((id, c) => position.set(id, c));
      const pick = (values: ArrayLike<number>) => own.map((id) => values[position.get(id)!]);
      const gains = new Map(list.map((x) => [x.movieId, x.rating]));
      amongRated.contentRanker += ndcgAt(k, own, pick(rankerScores), gains);
      amongRated.contentRatingModel += ndcgAt(k, own, pick(ratingScores), gains);
      amongRated.genrePopularity += ndcgAt(
        k,
        own,
        own.map((id) => popularityOf.get(id)!),
        gains,
      );
      ratedUsers++;
    }
  }
  const mean = (s: number) => (rankingUsers ? s / rankingUsers : 0);
  const meanRated = (s: number) => (ratedUsers ? s / ratedUsers : 0);
  return {
    k,
    heldOutMovies: holdout.movies.length,
    heldOutRatings: ratings.length,
    rankingUsers,
    ratedRows,
    skippedUnknownUserRows: skipped,
    ndcg: { contentRanker: mean(sums.contentRanker), contentRatingModel: mean(sums.contentRatingModel), genrePopularity: mean(sums.genrePopularity) },
    ndcgAmongRated: {
      contentRanker: meanRated(amongRated.contentRanker),
      contentRatingModel: meanRated(amongRated.contentRatingModel),
      genrePopularity: meanRated(amongRated.genrePopularity),
    },
    ratedUsers,
    rmse: { content: Math.sqrt(squared / Math.max(1, ratedRows)), biasOnly: Math.sqrt(squaredBias / Math.max(1, ratedRows)) },
  };
}
