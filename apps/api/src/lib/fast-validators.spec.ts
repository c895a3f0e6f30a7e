import fc from 'fast-check';
import { fastPredict, fastRecommendations } from './fast-validators.js';
import { buildSchemas, MAX_ID } from './schemas.js';

/**
 * The hot routes' fast body checks may only take a shortcut zod would take too: whatever they
 * accept, the zod schema accepts with the same value; whatever else, zod decides (and words the error).
 */
const schemas = buildSchemas({ maxRecommendations: 100, foldMaxRatings: 1000, foldMaxUsers: 64 });
const fastRecs = fastRecommendations(100);

/** Ids and counts around the edges, and values of other types. */
const value = fc.oneof(
  fc.constantFrom(0, 1, 10, 100, 101, MAX_ID, MAX_ID + 1, -1, 1.5, Number.NaN, Infinity, '1', null, true, [], {}),
  fc.integer({ min: -5, max: MAX_ID + 5 }),
  fc.anything(),
);
const body = fc.oneof(
  fc.record({ user_id: value, movie_id: value }, { requiredKeys: [] }),
  fc.record({ user_id: value, n_recommendations: value }, { requiredKeys: [] }),
  fc.dictionary(fc.constantFrom('user_id', 'movie_id', 'n_recommendations', 'genres', 'extra'), value),
  fc.anything(),
);

describe('fast body checks', () => {
  it('when a body passes a fast check, then zod accepts it with the same value', () => {
    fc.assert(
      fc.property(body, (candidate) => {
        const predict = fastPredict(candidate);
        if (predict !== undefined) expect(schemas.predictRequest.parse(candidate)).toEqual(predict);
        const recs = fastRecs(candidate);
        if (recs !== undefined) expect(schemas.recommendationsRequest.parse(candidate)).toEqual(recs);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('when a body is the plain valid one, then the fast check takes it (the hot path skips zod)', () => {
    expect(fastPredict({ user_id: 1, movie_id: MAX_ID })).toEqual({ user_id: 1, movie_id: MAX_ID });
    expect(fastRecs({ user_id: 7 })).toEqual({ user_id: 7, n_recommendations: 10 });
    expect(fastRecs({ user_id: 7, n_recommendations: 100 })).toEqual({ user_id: 7, n_recommendations: 100 });
  });

  it('when a body has anything more or anything out of range, then the fast check leaves it to zod', () => {
    expect(fastPredict({ user_id: 1, movie_id: 2, extra: 1 })).toBeUndefined();
    expect(fastPredict({ user_id: 0, movie_id: 2 })).toBeUndefined();
    expect(fastPredict([1, 2])).toBeUndefined();
    expect(fastRecs({ user_id: 7, n_recommendations: 101 })).toBeUndefined();
    expect(fastRecs({ user_id: 7, genres: ['Comedy'] })).toBeUndefined();
    expect(fastRecs({ user_id: MAX_ID + 1 })).toBeUndefined();
  });
});
