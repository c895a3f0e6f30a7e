import { randomServingSet } from '../testing/random-bundle.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender } from './recommender.js';

/**
 * The int8-bounded ranking (int8-bound-scorer.ts + bounded-top-n.ts) against every movie scored in
 * 32 bits, on a seeded random model with an EASE term: the answers must be the same, not close.
 */
describe('rankings read through bounds (norm, int8) with an exact re-rank', () => {
  // Long factor vectors for often-rated movies only, as trained models have: both bounds get used.
  const set = randomServingSet({ lengthPower: 3 });
  const open = (boundedFromMovies: number) =>
    new Recommender(set.bundle, inMemoryCatalog(set.movies, set.rated), { boundedFromMovies, precomputeBudget: 0 });
  const bounded = open(0);
  const exact = open(Number.POSITIVE_INFINITY);

  it('when 2,000 sampled users are ranked, then every served top 10 equals the exact 32-bit one, none scoring every movie', () => {
    expect(bounded.bounded).toBe(true);
    expect(exact.bounded).toBe(false);
    const users = Int32Array.from({ length: 2000 }, (_, p) => (p * 7919) % bounded.knownUsers);
    const agreement = bounded.rankingAgreement(users, 10);
    expect(agreement.users).toBe(2000);
    expect(agreement.identical).toBe(1);
    expect(agreement.recall).toBe(1);
    expect(agreement.normBounded).toBeGreaterThan(0.5);
    expect(agreement.bounded).toBeGreaterThan(0.1);
    expect(agreement.normBounded + agreement.bounded).toBe(1);
    expect(agreement.scoredPerUser).toBeLessThan(set.movies.length / 4);
    // Without bounds the served ranking is the exact one by definition.
    expect(exact.rankingAgreement(users, 10)).toMatchObject({ identical: 1, normBounded: 0, bounded: 0 });
  });

  it('when users ask with genres, exclusions and the largest n, then the answers equal the exact path', () => {
    for (let userId = 1; userId <= 60; userId++) {
      const options = [
        { n: 10 },
        { n: 100 },
        { n: 5, genres: ['Horror'] },
        { n: 20, genres: ['comedy', 'Romance'], excludeIds: [set.movies[0].movieId, set.movies[3].movieId] },
      ];
      for (const o of options) expect(bounded.recommend(userId, o)).toEqual(exact.recommend(userId, o));
    }
  });

  it('when new users are folded in, then their lists (with EASE over their posted movies) equal the exact path', () => {
    for (let trial = 0; trial < 20; trial++) {
      const ratings = Array.from({ length: 8 }, (_, r) => ({
        movieId: set.movies[(trial * 37 + r * 11) % 400].movieId,
        rating: 1 + ((trial + r) % 5),
      }));
      expect(bounded.recommendForNewUser(ratings, { n: 10 })).toEqual(exact.recommendForNewUser(ratings, { n: 10 }));
      expect(bounded.recommendForNewUser(ratings, { n: 10, genres: ['Drama'] })).toEqual(
        exact.recommendForNewUser(ratings, { n: 10, genres: ['Drama'] }),
      );
    }
  });

  it('when the model is below the movie threshold, then every movie is scored in 32 bits', () => {
    const small = new Recommender(set.bundle, inMemoryCatalog(set.movies, set.rated), { precomputeBudget: 0 });
    expect(small.bounded).toBe(false);
  });
});

describe('rankings read through int8 bounds, when the bounds list too many movies', () => {
  it('when every movie scores the same, then the ranking falls back to every movie and breaks ties by the lower id', () => {
    const set = randomServingSet({ users: 20, movies: 5000, seed: 3 });
    const { model, ranking } = set.bundle;
    for (let i = 1; i < 5000; i++) {
      model.movieFactors.copyWithin(i * model.factors, 0, model.factors);
      ranking!.movieFactors.copyWithin(i * ranking!.factors, 0, ranking!.factors);
      model.movieBias[i] = model.movieBias[0];
      ranking!.moviePrior[i] = ranking!.moviePrior[0];
    }
    ranking!.weights.ease = 0;
    const open = (boundedFromMovies: number) =>
      new Recommender(set.bundle, inMemoryCatalog(set.movies, set.rated), { boundedFromMovies, precomputeBudget: 0 });
    const bounded = open(0);
    const agreement = bounded.rankingAgreement(
      Int32Array.from({ length: 20 }, (_, u) => u),
      10,
    );
    expect(agreement).toMatchObject({ identical: 1, normBounded: 0, bounded: 0 });
    expect(bounded.recommend(1, { n: 10 })).toEqual(open(Number.POSITIVE_INFINITY).recommend(1, { n: 10 }));
  });
});
