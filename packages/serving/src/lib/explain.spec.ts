import { MOVIES, plantedBundle, plantedRecommender, RATED } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender } from './recommender.js';
import { TASTE_PROFILE, withoutRatedMovies } from './explain.js';

describe('explanations for callers who may not read the user', () => {
  const recommender = plantedRecommender();

  it('keeps the picks and their order, and replaces every reason naming a rated movie with the generic one', () => {
    const full = recommender.recommend(1, { n: 5 }).recommendations;
    expect(full.some((r) => /Because you rated Star Voyage \(1977\) \(4\.0\)/.test(r.because.text))).toBe(true);
    const redacted = withoutRatedMovies(full);
    expect(redacted.map((r) => [r.movie_id, r.predicted_rating])).toEqual(full.map((r) => [r.movie_id, r.predicted_rating]));
    for (const r of redacted) expect(r.because.movie_ids).toEqual([]);
    expect(redacted.map((r) => r.because.text).join(' ')).not.toMatch(/rated|Star Voyage|4\.0/);
    expect(redacted.filter((r, i) => full[i].because.movie_ids.length).every((r) => r.because === TASTE_PROFILE)).toBe(true);
    // The cached answer is not changed: the next full answer still names the rated movie.
    expect(recommender.recommend(1, { n: 5 }).recommendations).toEqual(full);
  });

  it('when no reason is wanted (explain false), answers exactly the redacted list, from the precomputed lists and from a ranking', () => {
    const ranked = new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED, 'api-fixture'), { precomputeBudget: 0 });
    for (const source of [recommender, ranked]) {
      for (const options of [{ n: 5 }, { n: 3, genres: ['Comedy'] }, { n: 4, diversity: 0.5 }]) {
        const full = source.recommend(1, options).recommendations;
        expect(full.some((r) => r.because.movie_ids.length > 0)).toBe(true);
        expect(source.recommend(1, { ...options, explain: false }).recommendations).toEqual(withoutRatedMovies(full));
      }
      expect(source.recommend(999, { n: 3, explain: false })).toEqual(source.recommend(999, { n: 3 }));
    }
  });

  it('leaves the popularity reasons of the cold-start list alone (they name no rated movie)', () => {
    const popular = recommender.recommend(999, { n: 3 }).recommendations;
    expect(withoutRatedMovies(popular)).toEqual(popular);
  });

  it('tells data-set users from others and gives the largest data-set user id', () => {
    expect([1, 2, 3, 4, 999].map((id) => recommender.isDataSetUser(id))).toEqual([true, true, true, false, false]);
    expect(recommender.maxDataSetUserId).toBe(3);
  });
});
