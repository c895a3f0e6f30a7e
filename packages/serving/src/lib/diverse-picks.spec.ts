import { MOVIES, plantedBundle, plantedRecommender, RATED } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender } from './recommender.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

/** The planted model: user 1 loves sci-fi (30, 20, 40 unseen), comedies 60 and 70 rank below them; the two genres' factors are orthogonal. */
describe('Recommender: the diversity re-ranking', () => {
  it('when diversity is high, then a comedy comes second for the sci-fi fan; low or 0 keeps the score order', () => {
    const recommender = plantedRecommender();
    expect(ids(recommender.recommend(1, { n: 3 }).recommendations)).toEqual([30, 20, 40]);
    expect(ids(recommender.recommend(1, { n: 3, diversity: 0.25 }).recommendations)).toEqual([30, 20, 40]);
    const diverse = recommender.recommend(1, { n: 3, diversity: 0.75 });
    expect(diverse.strategy).toBe('personalized');
    expect(ids(diverse.recommendations)).toEqual([30, 60, 20]);
    expect(diverse.recommendations[1].predicted_rating).toBeCloseTo(3.75, 2);
  });

  it('keeps the exclusions and the genre filter, and never a rated movie', () => {
    const recommender = plantedRecommender();
    const picks = ids(recommender.recommend(1, { n: 10, diversity: 0.9, excludeIds: [60] }).recommendations);
    expect(picks).not.toContain(60);
    for (const rated of [10, 50]) expect(picks).not.toContain(rated);
    expect(new Set(picks)).toEqual(new Set([20, 30, 40, 70]));
    expect(ids(recommender.recommend(1, { n: 2, diversity: 0.9, genres: ['Sci-Fi'] }).recommendations)).toEqual([30, 20]);
  });

  it('re-ranks a folded-in user the same way (strategy fold-in)', () => {
    const recommender = new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED, 'diverse'), { minFoldInRatings: 1 });
    const folded = recommender.foldUser(1, []);
    const plain = recommender.recommendFolded(folded, { n: 3 });
    const diverse = recommender.recommendFolded(folded, { n: 3, diversity: 0.75 });
    expect([plain.strategy, diverse.strategy]).toEqual(['fold-in', 'fold-in']);
    expect(ids(plain.recommendations).slice(0, 2)).toEqual([30, 20]);
    const picks = ids(diverse.recommendations);
    expect(picks[0]).toBe(30);
    expect(picks.slice(0, 2).some((id) => [60, 70].includes(id))).toBe(true);
  });
});
