import { predictBlended, predictRating, type ModelBundle, type NeighbourhoodModel } from '@reelrank/model';
import { MOVIES, plantedBundle } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender } from './recommender.js';

/** The planted model with a baseline and a neighbourhood predictor: movie 20's neighbours are 10 (0.8) and 50 (0.4). */
function bundleWithNeighbourhood(): ModelBundle & { neighbourhood: NeighbourhoodModel } {
  const bundle = plantedBundle();
  const model = {
    ...bundle.model,
    fallback: { globalMean: 3.5, userBias: new Float32Array(5), movieBias: new Float32Array(8) },
  };
  // Movie indices: 10 -> 0, 20 -> 1, 50 -> 4.
  const neighbourhood: NeighbourhoodModel = {
    offsets: Int32Array.of(0, 0, 2, 2, 2, 2, 2, 2, 2),
    neighbours: Int32Array.of(0, 4),
    similarities: Float32Array.of(0.8, 0.4),
    k: 10,
    blend: { rating: 0.8, neighbourhood: 0.6, confident: 0.2, intercept: 0.5 },
  };
  return { ...bundle, model, neighbourhood };
}

describe('served ratings with a neighbourhood predictor', () => {
  // User 1 rated 10 (2.0) and 50 (5.0): the residuals against the baseline 3.5 are -1.5 and +1.5 (and the
  // best-rated first order of the seen rows is not the movie order the lookups need).
  const rated = { 1: [[10, 2] as [number, number], [50, 5] as [number, number]] };

  it('when a known user asks for a prediction, then it is the blend over the ratings the user has in the data set', () => {
    const bundle = bundleWithNeighbourhood();
    const recommender = new Recommender(bundle, inMemoryCatalog(MOVIES, rated, 'api-fixture'));
    const user = { items: Int32Array.of(0, 4), ratings: Float32Array.of(2, 5), from: 0, to: 2 };
    const expected = predictBlended(bundle.model, bundle.neighbourhood, 0, 1, user);
    expect(recommender.predict(1, 20)).toBeCloseTo(expected, 3);
    expect(Math.abs(expected - predictRating(bundle.model, 0, 1))).toBeGreaterThan(0.05);
  });

  it('when a known user gets recommendations, then each predicted rating is the one /predict gives', () => {
    const recommender = new Recommender(bundleWithNeighbourhood(), inMemoryCatalog(MOVIES, rated, 'api-fixture'));
    for (const entry of recommender.recommend(1, { n: 5 }).recommendations)
      expect(entry.predicted_rating).toBeCloseTo(recommender.predict(1, entry.movie_id), 3);
  });

  it('when the user is unknown, then the prediction falls back through the biases as before', () => {
    const bundle = bundleWithNeighbourhood();
    const recommender = new Recommender(bundle, inMemoryCatalog(MOVIES, rated, 'api-fixture'));
    expect(recommender.predict(999, 20)).toBeCloseTo(predictRating(bundle.model, -1, 1), 3);
  });
});
