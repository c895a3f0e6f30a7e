import { computePopularity, dampedMean } from './popularity.js';

describe('computePopularity', () => {
  const ratings = {
    movieIds: Int32Array.from([7, 3, 7, 3, 9, 7, 3, 9, 2]),
    ratings: Float32Array.from([5, 4, 4, 4, 5, 3, 4, 5, 1]),
  };
  const mean = 35 / 9;

  it('when movies have enough ratings, then they are ranked by the damped mean, ties by more ratings then the lower id', () => {
    const ranked = computePopularity(ratings, { minRatings: 2, priorWeight: 1 });
    expect(Array.from(ranked.movieIds)).toEqual([9, 3, 7]);
    expect(Array.from(ranked.counts)).toEqual([2, 3, 3]);
    expect(ranked.scores[0]).toBeCloseTo(dampedMean(10, 2, mean, 1), 6);
    expect(ranked.scores[1]).toBeCloseTo(dampedMean(12, 3, mean, 1), 6);
    const tied = computePopularity(
      { movieIds: Int32Array.from([4, 1, 4, 1, 6]), ratings: Float32Array.from([3, 3, 3, 3, 3]) },
      { minRatings: 1, priorWeight: 0 },
    );
    expect(Array.from(tied.movieIds)).toEqual([1, 4, 6]);
  });

  it('when movie ids are negative or huge, then the list is the same as with small ids', () => {
    const small = computePopularity(ratings, { minRatings: 1, priorWeight: 2 });
    const shift = (id: number) => (id === 2 ? -5 : id * 100_000_000);
    const shifted = computePopularity({ movieIds: ratings.movieIds.map(shift), ratings: ratings.ratings }, { minRatings: 1, priorWeight: 2 });
    expect(Array.from(shifted.movieIds)).toEqual(Array.from(small.movieIds, shift));
    expect(Array.from(shifted.scores)).toEqual(Array.from(small.scores));
  });
});
