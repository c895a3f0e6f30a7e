import { contentFactors, featureCount, type ContentMap, type MfModel, type MovieContent } from '@reelrank/model';
import { evaluateColdStart, genrePopularityScores } from './cold-start-eval.js';
import { emptyColumns, type RatingsColumns } from './ratings.js';

function columns(rows: Array<[user: number, movie: number, rating: number]>): RatingsColumns {
  const out = emptyColumns(rows.length);
  rows.forEach(([u, m, r], n) => {
    out.userIds[n] = u;
    out.movieIds[n] = m;
    out.ratings[n] = r;
  });
  return out;
}

describe('genrePopularityScores', () => {
  it('when a movie shares its genre set with train movies, then it scores their mean ratings count; else the mean over its genres', () => {
    const content = new Map<number, MovieContent>([
      [1, { genres: ['Drama'], year: null }],
      [2, { genres: ['Drama'], year: null }],
      [3, { genres: ['Comedy'], year: null }],
      [10, { genres: ['Drama'], year: null }],
      [11, { genres: ['Comedy', 'Drama'], year: null }],
      [12, { genres: ['Western'], year: null }],
    ]);
    const train = columns([
      [1, 1, 4],
      [2, 1, 4],
      [3, 1, 4],
      [1, 2, 3],
      [1, 3, 5],
    ]);
    // Drama movies 1 and 2 have 3 and 1 ratings (mean 2), Comedy's movie 3 has 1; the 3 movies 5 ratings.
    expect(Array.from(genrePopularityScores(Int32Array.from([10, 11, 12]), train, content))).toEqual([2, 1.5, 5 / 3]);
  });
});

describe('evaluateColdStart', () => {
  it('when the content map places held-out movies by taste, then it ranks the movies each user liked first, where popularity cannot', () => {
    // Factor 0 is "likes Sci-Fi": user 1 loves it, user 2 hates it; held-out movies 100 (Sci-Fi) and 200 (Comedy).
    const spec = { genres: ['Comedy', 'Sci-Fi'], yearBins: { from: 2000, width: 10, count: 1 }, tags: [], genomeTags: [] };
    const weights = new Float32Array(featureCount(spec) * 2);
    weights[2 * 2 + 0] = 1; // Sci-Fi -> factor 0
    const map: ContentMap = {
      spec,
      ratingFactors: 1,
      rankingFactors: 0,
      weights,
      lambda: { ratingFactors: 1, movieBias: 1, rankingFactors: 1 },
      blend: { prior: 1, fullAt: 2 },
    };
    const content = new Map<number, MovieContent>([
      [1, { genres: ['Comedy'], year: 2001 }],
      [100, { genres: ['Sci-Fi'], year: 2001 }],
      [200, { genres: ['Comedy'], year: 2001 }],
    ]);
    const model: MfModel = {
      factors: 1,
      globalMean: 3,
      userIds: Int32Array.from([1, 2]),
      movieIds: Int32Array.from([1]),
      userBias: Float32Array.from([0, 0]),
      movieBias: Float32Array.from([0]),
      userFactors: Float32Array.from([1.5, -1.5]),
      movieFactors: Float32Array.from([0]),
    };
    const coldStart = [100, 200].map((movieId) => ({ movieId, ratings: 0, factors: contentFactors(map, content.get(movieId)!) }));
    const holdout = {
      train: columns([
        [1, 1, 3],
        [2, 1, 3],
      ]),
      heldOut: columns([
        [1, 100, 5],
        [1, 200, 2],
        [2, 100, 1],
        [2, 200, 4],
      ]),
      movies: Int32Array.from([100, 200]),
    };
    const e = evaluateColdStart({ model, contentMap: { map, coldStart } }, holdout, content, 10);
    expect(e.rankingUsers).toBe(2);
    expect(e.ndcg.contentRatingModel).toBe(1);
    expect(e.ndcg.genrePopularity).toBeLessThan(1);
    expect(e.ratedUsers).toBe(2);
    expect(e.ndcgAmongRated.contentRatingModel).toBe(1);
    // Predictions 4.5 / 3 for user 1 and 1.5 / 3 for user 2, against 5, 2, 1, 4; the bias-only one is 3 throughout.
    expect(e.rmse.content).toBeCloseTo(Math.sqrt((0.25 + 1 + 0.25 + 1) / 4), 5);
    expect(e.rmse.biasOnly).toBeCloseTo(Math.sqrt((4 + 1 + 4 + 1) / 4), 5);
  });
});
