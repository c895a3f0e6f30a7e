import { buildModelIndex, predictRating } from '@reelrank/model';
import { COMEDY, plantedBundle, plantedRecommender, RATED, SCI_FI } from '../testing/planted.js';
import { ServingError } from './errors.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

describe('Recommender.recommend', () => {
  const recommender = plantedRecommender();

  it('when the model knows the user, then the top unseen catalogued movies come back best first', () => {
    const result = recommender.recommend(1, { n: 3 });
    expect(result.strategy).toBe('personalized');
    // Scores: 10 and 30 = 5.0, 80 = 4.6 (not in the catalogue), 20 = 4.7, 40 = 4.4; 10 and 50 were rated.
    expect(ids(result.recommendations)).toEqual([30, 20, 40]);
    expect(result.recommendations[0]).toEqual({
      movie_id: 30,
      title: 'Galaxy, The (1999)',
      genres: ['Sci-Fi'],
      year: 1999,
      predicted_rating: 5,
      because: { text: 'Because you rated Star Voyage (1977) (4.0)', movie_ids: [10] },
    });
    expect(result.recommendations[1].predicted_rating).toBeCloseTo(4.7, 3);
  });

  it('when movies are excluded, then neither they nor rated movies appear', () => {
    const result = recommender.recommend(1, { n: 10, excludeIds: [30, 12345] });
    expect(ids(result.recommendations)).toEqual([20, 40, 60, 70]);
    for (const seen of [...RATED[1], 30]) expect(ids(result.recommendations)).not.toContain(seen);
  });

  it('when a genre filter is given, then only movies of those genres come back, case-insensitively', () => {
    expect(ids(recommender.recommend(1, { n: 10, genres: ['comedy'] }).recommendations)).toEqual([60, 70]);
    const mixed = ids(recommender.recommend(2, { n: 10, genres: ['COMEDY', 'drama'] }).recommendations);
    expect(mixed.sort()).toEqual([40, 70]);
  });

  it('when a genre is unknown, then an invalid-input error names it and lists the known ones', () => {
    try {
      recommender.recommend(1, { n: 3, genres: ['Sci-Fi', 'Scifi'] });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ServingError);
      expect((error as ServingError).kind).toBe('invalid-input');
      expect((error as ServingError).details[0].field).toBe('genres.1');
      expect((error as ServingError).details[0].message).toMatch(/known genres: .*Sci-Fi/);
    }
  });

  it('when n is smaller than the candidates, then exactly n come back', () => {
    expect(recommender.recommend(2, { n: 1 }).recommendations).toHaveLength(1);
    expect(recommender.recommend(999, { n: 2 }).recommendations).toHaveLength(2);
  });

  it('when the user is unknown, then the popular list comes back with bias-only predictions', () => {
    const { model } = plantedBundle();
    const index = buildModelIndex(model);
    const result = recommender.recommend(999, { n: 3 });
    expect(result.strategy).toBe('popular');
    // Popularity order 80 (not catalogued), 50, 10, 60, ...
    expect(ids(result.recommendations)).toEqual([50, 10, 60]);
    for (const r of result.recommendations) {
      expect(r.predicted_rating).toBeCloseTo(predictRating(model, -1, index.movieIndex.get(r.movie_id)!), 3);
    }
  });

  it('when an unknown user excludes and filters, then the popular list honours both', () => {
    const result = recommender.recommend(999, { n: 10, genres: ['Sci-Fi'], excludeIds: [10] });
    expect(ids(result.recommendations)).toEqual([30, 20, 40]);
  });
});

describe('Recommender.predict', () => {
  const recommender = plantedRecommender();
  const { model } = plantedBundle();
  const index = buildModelIndex(model);

  it('when user and movie are known, then the prediction equals predictRating for the same indices', () => {
    for (const userId of [1, 2, 3, 4, 5]) {
      for (const movieId of [...SCI_FI, ...COMEDY]) {
        const value = recommender.predict(userId, movieId);
        expect(value).toBeGreaterThanOrEqual(0.5);
        expect(value).toBeLessThanOrEqual(5);
        expect(value).toBeCloseTo(predictRating(model, index.userIndex.get(userId)!, index.movieIndex.get(movieId)!), 3);
      }
    }
  });

  it('when the user or the movie is unknown to the model, then it falls back through the biases', () => {
    expect(recommender.predict(999, 10)).toBeCloseTo(3.5 + 0.3, 3);
    expect(recommender.predict(1, 90)).toBeCloseTo(3.5 + 0.2, 3);
  });

  it('when the movie is not in the catalogue, then a not-found ServingError is thrown', () => {
    expect(() => recommender.predict(1, 80)).toThrow(expect.objectContaining({ kind: 'not-found', code: 'movie_not_found' }));
    expect(() =>
      recommender.predictMany([
        { userId: 1, movieId: 10 },
        { userId: 1, movieId: 4242 },
      ]),
    ).toThrow(/4242/);
  });
});

describe('Recommender.recommendForNewUser', () => {
  const recommender = plantedRecommender();

  it('when a new user rates five movies loving sci-fi, then unseen sci-fi comes first and rated movies never', () => {
    const ratings = [
      { movieId: 10, rating: 5 },
      { movieId: 20, rating: 5 },
      { movieId: 50, rating: 1 },
      { movieId: 60, rating: 1 },
      { movieId: 70, rating: 1.5 },
    ];
    const result = recommender.recommendForNewUser(ratings, { n: 5 });
    expect(result.strategy).toBe('fold-in');
    expect(result.ratingsUsed).toBe(5);
    expect(ids(result.recommendations)).toEqual([30, 40]);
    expect(result.recommendations[0].predicted_rating).toBeGreaterThan(4);
  });

  it('when a new user loves comedy instead, then the ranking flips to comedy first', () => {
    const ratings = [
      { movieId: 10, rating: 1 },
      { movieId: 20, rating: 1 },
      { movieId: 30, rating: 1.5 },
      { movieId: 50, rating: 5 },
      { movieId: 60, rating: 5 },
    ];
    expect(ids(recommender.recommendForNewUser(ratings, { n: 2 }).recommendations)).toEqual([70, 40]);
  });

  it('when fewer than five ratings are usable, then the popular list is blended and rated movies are skipped', () => {
    const result = recommender.recommendForNewUser([{ movieId: 30, rating: 5 }], { n: 4 });
    expect(result.strategy).toBe('popular-blend');
    expect(result.ratingsUsed).toBe(1);
    expect(result.recommendations).toHaveLength(4);
    expect(ids(result.recommendations)).not.toContain(30);
    expect(ids(result.recommendations)).not.toContain(80);
  });

  it('when no rated movie is known to the model, then the cold-start list is returned', () => {
    const result = recommender.recommendForNewUser([{ movieId: 90, rating: 4 }], { n: 2 });
    expect(result).toMatchObject({ strategy: 'popular', ratingsUsed: 0 });
    expect(ids(result.recommendations)).toEqual([50, 10]);
  });

  it('when a rated movie is not in the catalogue, then a not-found error names it', () => {
    expect(() => recommender.recommendForNewUser([{ movieId: 31337, rating: 4 }], { n: 2 })).toThrow(
      expect.objectContaining({ kind: 'not-found', details: [{ field: 'ratings.movie_id', message: 'unknown movie_id 31337' }] }),
    );
  });
});
