import { COMEDY, MOVIES, plantedBundle, plantedRecommender, RATED, SCI_FI } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender } from './recommender.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

describe('Recommender.foldUser + recommendFolded / predictFolded (ratings posted to the running service)', () => {
  const recommender = plantedRecommender();

  it('when a known user posts nothing new, then the fold-in of their data-set ratings excludes them all', () => {
    const folded = recommender.foldUser(1, []);
    expect(folded.usable).toBe(RATED[1].length);
    const result = recommender.recommendFolded(folded, { n: 10 });
    expect(result.strategy).toBe('popular-blend'); // 2 usable ratings < minFoldInRatings (5)
    for (const seen of RATED[1]) expect(ids(result.recommendations)).not.toContain(seen);
  });

  it('when the sci-fi fan re-rates sci-fi low and rates comedy high, then comedy comes first and every rated movie stays out', () => {
    const loose = new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED), { minFoldInRatings: 2 });
    const before = loose.recommendFolded(loose.foldUser(1, []), { n: 3 });
    expect(before.strategy).toBe('fold-in');
    expect(SCI_FI).toContain(before.recommendations[0].movie_id);

    // 10 was rated 4 in the data set; the fresh 0.5 replaces it.
    const fresh = [
      { movieId: 10, rating: 0.5 },
      { movieId: 20, rating: 0.5 },
      { movieId: 60, rating: 5 },
    ];
    const folded = loose.foldUser(1, fresh);
    expect(folded.usable).toBe(4); // 10, 50 from the data set (10 replaced) + 20, 60
    const after = loose.recommendFolded(folded, { n: 3 });
    expect(after.strategy).toBe('fold-in');
    expect(COMEDY).toContain(after.recommendations[0].movie_id);
    for (const rated of [10, 20, 50, 60]) expect(ids(after.recommendations)).not.toContain(rated);
    expect(loose.predictFolded(folded, 70)).toBeGreaterThan(loose.predictFolded(folded, 30));
    expect(loose.predict(1, 70)).toBeLessThan(loose.predict(1, 30)); // the trained vector said the opposite
    expect(ids(loose.recommendFolded(folded, { n: 10, excludeIds: [70] }).recommendations)).not.toContain(70);
  });

  it('when a user the model never saw posts ratings, then the answer is the same as the new-user route for the same ratings', () => {
    const ratings = [
      { movieId: 30, rating: 5 },
      { movieId: 50, rating: 2 },
    ];
    const folded = recommender.foldUser(4242, ratings);
    const viaStore = recommender.recommendFolded(folded, { n: 4 });
    const viaNewUser = recommender.recommendForNewUser(ratings, { n: 4 });
    expect(viaStore.strategy).toBe('popular-blend');
    expect(viaStore.recommendations).toEqual(viaNewUser.recommendations);
    expect(recommender.predictFolded(folded, 40)).not.toBe(recommender.predict(4242, 40));
  });

  it('when the only posted rating is of a movie the model lacks, then the cold-start list answers and predictions use the biases', () => {
    const folded = recommender.foldUser(4242, [{ movieId: 90, rating: 4 }]);
    expect(recommender.recommendFolded(folded, { n: 2 }).strategy).toBe('popular');
    expect(recommender.predictFolded(folded, 10)).toBe(recommender.predict(4242, 10));
  });

  it('when a posted movie is not in the catalogue, then a not-found error names the field', () => {
    expect(() => recommender.foldUser(1, [{ movieId: 31337, rating: 4 }], 'ratings.movie_id')).toThrow(
      expect.objectContaining({ kind: 'not-found', details: [{ field: 'ratings.movie_id', message: 'unknown movie_id 31337' }] }),
    );
    expect(() => recommender.predictFolded(recommender.foldUser(1, []), 31337)).toThrow(expect.objectContaining({ kind: 'not-found' }));
  });

  it('lists the data-set ratings of a user with their timestamps', () => {
    expect(recommender.dataSetRatings(1)).toEqual([
      { movieId: 10, rating: 4, timestamp: 0 },
      { movieId: 50, rating: 4, timestamp: 0 },
    ]);
    expect(recommender.dataSetRatings(4242)).toEqual([]);
  });

  it('when the same folded user asks again, then the memoised top list answers exactly like full scoring (and falls back when it cannot)', () => {
    const fresh = [
      { movieId: 10, rating: 0.5 },
      { movieId: 60, rating: 5 },
    ];
    const wide = new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED), { minFoldInRatings: 2, maxRecommendations: 100 });
    const narrow = new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED), { minFoldInRatings: 2, maxRecommendations: 2 });
    const a = wide.foldUser(1, fresh);
    const b = narrow.foldUser(1, fresh);
    for (const options of [{ n: 2 }, { n: 2, genres: ['Comedy'] }, { n: 2, genres: ['drama'] }, { n: 1, excludeIds: [70] }]) {
      const first = wide.recommendFolded(a, options);
      expect(a.top).toBeDefined();
      expect(wide.recommendFolded(a, options)).toEqual(first);
      expect(narrow.recommendFolded(b, options)).toEqual(first); // a 2-long list cannot prove filtered answers: full scoring
    }
  });
});
