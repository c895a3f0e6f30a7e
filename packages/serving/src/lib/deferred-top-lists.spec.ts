import { MOVIES, plantedBundle, RATED } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender, type RecommenderOptions } from './recommender.js';

/**
 * A model built with its top lists deferred (what a content rebuild swaps in) answers exactly as one
 * built whole, before its lists are built (ranking on the fly), while they are built a slice at a
 * time, and after; movies hidden while they build come back to the lists when shown again.
 */
const build = (options: RecommenderOptions = {}) => new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED), options);
const answers = (r: Recommender) =>
  [1, 2, 3, 4, 5].map((user) => [
    r.recommend(user, { n: 3 }).recommendations.map((m) => m.movie_id),
    r.recommend(user, { n: 2, genres: ['Sci-Fi'] }).recommendations.map((m) => m.movie_id),
  ]);

describe('top lists deferred at construction', () => {
  it('when built with deferTopLists, then answers equal the whole build before, and after the lists are built slice by slice', async () => {
    const whole = build();
    const deferred = build({ deferTopLists: true });
    expect(answers(deferred)).toEqual(answers(whole));
    let slices = 0;
    expect(await deferred.buildDeferredTopLists(0, () => (slices++, false))).toBe(true);
    expect(slices).toBeGreaterThan(0);
    expect(answers(deferred)).toEqual(answers(whole));
  });

  it('when the model is replaced before its lists are built, then the build stops and it keeps ranking on the fly', async () => {
    const deferred = build({ deferTopLists: true });
    expect(await deferred.buildDeferredTopLists(0, () => true)).toBe(false);
    expect(answers(deferred)).toEqual(answers(build()));
  });

  it('when a movie is hidden while the lists build, then it is never recommended, and shown again it is, as in a whole build', async () => {
    const top = build().recommend(1, { n: 1 }).recommendations[0].movie_id;
    const deferred = build({ deferTopLists: true });
    deferred.applyMovieChange({ movieId: top, fields: {}, hidden: true });
    await deferred.buildDeferredTopLists();
    expect(deferred.recommend(1, { n: 3 }).recommendations.map((m) => m.movie_id)).not.toContain(top);
    deferred.applyMovieChange({ movieId: top, fields: {}, hidden: false });
    expect(answers(deferred)).toEqual(answers(build()));
  });
});
