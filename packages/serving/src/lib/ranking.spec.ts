import type { ModelBundle, RankingModel } from '@reelrank/model';
import { MOVIES, plantedBundle, RATED } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender } from './recommender.js';

/**
 * With a top-N ranker in the artifact, lists are ordered by the ranker while predicted_rating stays
 * the rating model's. The planted ranker (one implicit factor) prefers comedy for everybody, the
 * opposite of user 1's sci-fi rating factors.
 */
function withRanker(): ModelBundle {
  const bundle = plantedBundle();
  const ranking: RankingModel = {
    factors: 1,
    userFactors: Float32Array.from([1, 1, 1, 1, 1]),
    movieFactors: Float32Array.from([0.1, 0.2, 0.3, 0.4, 3, 2, 1, 0]), // 10,20,30,40 | 50,60,70 | 80
    moviePrior: new Float32Array(8),
    weights: { implicit: 1, rating: 0.01, popularity: 0 },
    confidence: { alpha: 2, ratingSlope: 0, ratingPivot: 3, floor: 0.1, regularization: 1 },
  };
  bundle.manifest.ranking = { kind: 'implicit-als+rating+popularity', factors: 1, weights: ranking.weights, confidence: ranking.confidence };
  return { ...bundle, ranking };
}

describe('Recommender with a top-N ranker', () => {
  const plain = new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED));
  const ranked = new Recommender(withRanker(), inMemoryCatalog(MOVIES, RATED));
  const unprecomputed = new Recommender(withRanker(), inMemoryCatalog(MOVIES, RATED), { precomputeBudget: 0 });

  it("when user 1 asks, then the ranker orders the list and the ratings are the rating model's", () => {
    const byRating = plain.recommend(1, { n: 10 }).recommendations;
    const byRanker = ranked.recommend(1, { n: 10 }).recommendations;
    expect(byRating.map((m) => m.movie_id)).toEqual([30, 20, 40, 60, 70]);
    expect(byRanker.map((m) => m.movie_id)).toEqual([60, 70, 40, 30, 20]);
    const rating = new Map(byRating.map((m) => [m.movie_id, m.predicted_rating]));
    for (const m of byRanker) expect(m.predicted_rating).toBe(rating.get(m.movie_id));
    expect(unprecomputed.recommend(1, { n: 10 }).recommendations).toEqual(byRanker);
    expect(ranked.rankingKind).toBe('implicit-als+rating+popularity');
    expect(plain.rankingKind).toBe('rating-model');
  });

  it('when a new user is folded in, then the ranker (implicit fold-in) orders the picks and predictions come from the rating fold-in', () => {
    const ratings = [10, 20, 30, 40, 50].map((movieId) => ({ movieId, rating: 5 }));
    const a = ranked.recommendForNewUser(ratings, { n: 3 });
    // The rating model's own fold-in, asked for every unrated movie, so each of the ranker's picks is in it.
    const b = plain.recommendForNewUser(ratings, { n: 10 });
    expect(a.strategy).toBe('fold-in');
    expect(b.strategy).toBe('fold-in');
    expect(a.recommendations.map((m) => m.movie_id)).toEqual([60, 70]);
    const predicted = new Map(b.recommendations.map((m) => [m.movie_id, m.predicted_rating]));
    expect([...predicted.keys()]).toEqual(expect.arrayContaining([60, 70]));
    for (const m of a.recommendations) expect([m.movie_id, m.predicted_rating]).toEqual([m.movie_id, predicted.get(m.movie_id)]);
  });
});

/** The same ranker plus an EASE term over movies 10..50 whose B says: who rated 10 wants 20. */
function withEase(): ModelBundle {
  const bundle = withRanker();
  const ranking: RankingModel = {
    ...bundle.ranking!,
    weights: { ...bundle.ranking!.weights, ease: 1 },
    ease: { movies: Int32Array.of(0, 1, 2, 3, 4), weights: new Float32Array(25), lambda: 1 },
  };
  ranking.ease!.weights[0 * 5 + 1] = 10;
  bundle.manifest.ranking = {
    ...bundle.manifest.ranking!,
    kind: 'implicit-als+rating+popularity+ease',
    weights: ranking.weights,
    ease: { movies: 5, lambda: 1 },
  };
  return { ...bundle, ranking };
}

describe('Recommender with an EASE term in the ranker', () => {
  const ranked = new Recommender(withRanker(), inMemoryCatalog(MOVIES, RATED));
  const eased = new Recommender(withEase(), inMemoryCatalog(MOVIES, RATED));
  const unprecomputed = new Recommender(withEase(), inMemoryCatalog(MOVIES, RATED), { precomputeBudget: 0 });

  it("when user 1 (who rated 10) asks, then EASE's x_u·B lifts 20 to the top, precomputed or not", () => {
    expect(ranked.recommend(1, { n: 10 }).recommendations.map((m) => m.movie_id)).toEqual([60, 70, 40, 30, 20]);
    const list = eased.recommend(1, { n: 10 }).recommendations;
    expect(list.map((m) => m.movie_id)).toEqual([20, 60, 70, 40, 30]);
    expect(unprecomputed.recommend(1, { n: 10 }).recommendations).toEqual(list);
    expect(eased.rankingKind).toBe('implicit-als+rating+popularity+ease');
    // User 2 did not rate 10: EASE adds nothing to 20 for them.
    expect(eased.recommend(2, { n: 10 }).recommendations.map((m) => m.movie_id)).toEqual(
      ranked.recommend(2, { n: 10 }).recommendations.map((m) => m.movie_id),
    );
  });

  it('when a new user who rated 10 is folded in, then EASE needs no solve: their posted movies are x_u', () => {
    const ratings = [10, 30, 40, 50, 60].map((movieId) => ({ movieId, rating: 4 }));
    expect(ranked.recommendForNewUser(ratings, { n: 2 }).recommendations.map((m) => m.movie_id)).toEqual([70, 20]);
    const folded = eased.recommendForNewUser(ratings, { n: 2 });
    expect(folded.strategy).toBe('fold-in');
    expect(folded.recommendations.map((m) => m.movie_id)).toEqual([20, 70]);
    const without10 = [20, 30, 40, 50, 60].map((movieId) => ({ movieId, rating: 4 }));
    expect(eased.recommendForNewUser(without10, { n: 1 }).recommendations.map((m) => m.movie_id)).toEqual([70]);
  });
});

describe('Recommender with an EASE term that weighs ratings', () => {
  /** withEase, where a rating below 4 counts `otherWeight` in x_u. */
  const weighted = (otherWeight: number): ModelBundle => {
    const bundle = withEase();
    const input = { likedRating: 4, otherWeight };
    bundle.ranking!.ease = { ...bundle.ranking!.ease!, input };
    bundle.manifest.ranking = { ...bundle.manifest.ranking!, ease: { movies: 5, lambda: 1, input } };
    return bundle;
  };
  // User 1 rated 10 only 2.5 here: below the liked rating.
  const lukewarm = { ...RATED, 1: [[10, 2.5] as [number, number], 50] };

  it("when a known user rated 10 below the liked rating, then B's row of 10 counts as much as its weight, from the served ratings", () => {
    const ranked = new Recommender(withRanker(), inMemoryCatalog(MOVIES, lukewarm));
    const ignored = new Recommender(weighted(0), inMemoryCatalog(MOVIES, lukewarm));
    const counted = new Recommender(weighted(0.5), inMemoryCatalog(MOVIES, lukewarm));
    const ids = (r: Recommender) => r.recommend(1, { n: 10 }).recommendations.map((m) => m.movie_id);
    expect(ids(ignored)).toEqual(ids(ranked));
    // Half of B's 10 -> 20 weight still lifts 20 to the top.
    expect(ids(counted)).toEqual([20, 60, 70, 40, 30]);
  });

  it('when a new user is folded in, then their posted ratings weigh x_u the same way', () => {
    const eased = new Recommender(weighted(0), inMemoryCatalog(MOVIES, RATED));
    const posted = (rating10: number) => [{ movieId: 10, rating: rating10 }, ...[30, 40, 50, 60].map((movieId) => ({ movieId, rating: 4 }))];
    const ids = (rating10: number) => eased.recommendForNewUser(posted(rating10), { n: 2 }).recommendations.map((m) => m.movie_id);
    expect(ids(4.5)).toEqual([20, 70]);
    expect(ids(3)).toEqual([70, 20]);
  });
});
