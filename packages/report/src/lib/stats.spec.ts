import { coldStartShares, coldStartThresholds } from './cold-start.js';
import { densityGrid } from './density.js';
import {
  countById,
  genreStats,
  logBinnedHistogram,
  longTail,
  meanOf,
  ratingDistribution,
  ratingsOverTime,
  sparsity,
  type RatingColumns,
} from './stats.js';

/** 3 users, 4 movies, 6 ratings: user 1 rated 3 movies, user 2 two, user 3 one; movie 40 unrated in the catalogue. */
const columns: RatingColumns = {
  userIds: Int32Array.from([1, 1, 1, 2, 2, 3]),
  movieIds: Int32Array.from([10, 20, 30, 10, 20, 10]),
  ratings: Float32Array.from([5, 4, 0.5, 4, 3.5, 3]),
  // 2000-01-15, 2000-01-20, 2000-02-01, 2001-06-01, 2001-06-02, 2001-06-03 (UTC)
  timestamps: Float64Array.from([947894400, 948326400, 949363200, 991353600, 991440000, 991526400]),
};
const movies = [
  { movieId: 10, title: 'A', year: 2000, genres: ['Drama', 'Comedy'] },
  { movieId: 20, title: 'B', year: 2000, genres: ['Drama'] },
  { movieId: 30, title: 'C', year: null, genres: [] },
  { movieId: 40, title: 'D', year: 1999, genres: ['Horror'] },
];

describe('dataset statistics', () => {
  it('when counting half stars, then every value 0.5..5 has a bin with the right count and share', () => {
    const bins = ratingDistribution(columns.ratings);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.rating)).toEqual([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
    expect(bins.find((b) => b.rating === 4)).toEqual({ rating: 4, count: 2, share: 2 / 6 });
    expect(bins.reduce((s, b) => s + b.count, 0)).toBe(6);
    expect(meanOf(columns.ratings)).toBeCloseTo(20 / 6);
  });

  it('when binning ratings per user and per movie, then the power-of-two bins hold the right users and ratings', () => {
    expect(logBinnedHistogram(countById(columns.userIds).values())).toEqual([
      { lower: 1, upper: 1, entities: 1, ratings: 1 },
      { lower: 2, upper: 3, entities: 2, ratings: 5 },
    ]);
    expect(logBinnedHistogram([9, 2])).toEqual([
      { lower: 2, upper: 3, entities: 1, ratings: 2 },
      { lower: 4, upper: 7, entities: 0, ratings: 0 },
      { lower: 8, upper: 15, entities: 1, ratings: 9 },
    ]);
  });

  it('when measuring the long tail, then the top decile share, the half point and the median are exact', () => {
    // 10 users: one with 91 ratings, nine with 1 each.
    const tail = longTail([91, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(tail.topDecileShare).toBeCloseTo(0.91);
    expect(tail.shareForHalf).toBeCloseTo(0.1);
    expect(tail.median).toBe(1);
    expect(tail.max).toBe(91);
    expect(tail.curve[0]).toEqual({ entityShare: 0, ratingShare: 0 });
    expect(tail.curve[tail.curve.length - 1]).toEqual({ entityShare: 1, ratingShare: 1 });
    expect(longTail([4, 2, 2]).median).toBe(2);
  });

  it('when computing sparsity, then density is ratings over users times rated movies', () => {
    expect(sparsity(columns, movies.length)).toEqual({ users: 3, ratedMovies: 3, catalogMovies: 4, ratings: 6, density: 6 / 9 });
    const grid = densityGrid(columns, 3, 3);
    expect(grid).toHaveLength(9);
    // Most active user (1) x most rated movie (10) is rated; least active user (3) x least rated movie (30) is not.
    expect(grid.find((c) => c.userBlock === 0 && c.movieBlock === 0)?.density).toBe(1);
    expect(grid.find((c) => c.userBlock === 2 && c.movieBlock === 2)?.density).toBe(0);
  });

  it('when grouping by genre, then a movie counts in each of its genres and genre-less movies get their own row', () => {
    const genres = genreStats(columns, movies);
    expect(genres[0]).toEqual({ genre: 'Drama', movies: 2, ratings: 5, meanRating: (5 + 4 + 4 + 3.5 + 3) / 5 });
    expect(genres.find((g) => g.genre === 'Comedy')).toEqual({ genre: 'Comedy', movies: 1, ratings: 3, meanRating: 4 });
    expect(genres.find((g) => g.genre === '(no genres listed)')).toMatchObject({ movies: 1, ratings: 1, meanRating: 0.5 });
    expect(genres.find((g) => g.genre === 'Horror')).toMatchObject({ movies: 1, ratings: 0 });
  });

  it('when bucketing by time, then years and months are UTC and in order', () => {
    expect(ratingsOverTime(columns, 'year').map((p) => [p.period, p.ratings])).toEqual([
      ['2000', 3],
      ['2001', 3],
    ]);
    expect(ratingsOverTime(columns, 'month').map((p) => [p.period, p.ratings])).toEqual([
      ['2000-01', 2],
      ['2000-02', 1],
      ['2001-06', 3],
    ]);
    expect(ratingsOverTime(columns, 'year')[1].meanRating).toBeCloseTo((4 + 3.5 + 3) / 3);
  });

  it('when counting cold users and movies, then shares use "fewer than" and unrated catalogue movies count as cold', () => {
    expect(coldStartThresholds(20)).toEqual([5, 10, 20]);
    expect(coldStartThresholds(7)).toEqual([5, 7, 10, 20]);
    const userCounts = [...countById(columns.userIds).values()]; // 3, 2, 1
    const movieCounts = [...countById(columns.movieIds).values()]; // 3, 2, 1
    const rows = coldStartShares(userCounts, movieCounts, [2, 3], 1);
    expect(rows).toEqual([
      { entity: 'users', threshold: 2, count: 1, share: 1 / 3 },
      { entity: 'users', threshold: 3, count: 2, share: 2 / 3 },
      { entity: 'movies', threshold: 2, count: 2, share: 2 / 4 },
      { entity: 'movies', threshold: 3, count: 3, share: 3 / 4 },
    ]);
  });
});
