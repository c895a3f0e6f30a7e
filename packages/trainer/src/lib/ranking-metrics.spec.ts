import type { IndexedRatings } from './indexing.js';
import { groupByUser } from './indexing.js';
import { rankingMetrics, relevantItems } from './ranking-metrics.js';

function indexed(rows: Array<[number, number, number]>): IndexedRatings {
  return {
    users: Int32Array.from(rows, (r) => r[0]),
    movies: Int32Array.from(rows, (r) => r[1]),
    ratings: Float32Array.from(rows, (r) => r[2]),
    unknownUsers: rows.filter((r) => r[0] < 0).length,
    unknownMovies: rows.filter((r) => r[1] < 0).length,
  };
}

describe('rankingMetrics', () => {
  // 3 users, 6 movies. Train: user 0 rated movie 0; user 1 rated movies 1 and 2; user 2 rated movie 5.
  const train = groupByUser(
    indexed([
      [0, 0, 4],
      [1, 1, 3],
      [1, 2, 5],
      [2, 5, 4],
    ]),
    3,
  );
  // Held out: user 0 likes 2 and 4 (and a movie absent from train, -1) and dislikes 1; user 1 likes 0;
  // user 2 only has a low rating, so it has no relevant movie and is not averaged.
  const heldOut = indexed([
    [0, 2, 4.5],
    [0, 4, 4],
    [0, -1, 5],
    [0, 1, 2],
    [1, 0, 4],
    [2, 3, 3.5],
  ]);
  const scores = [
    [9, 8, 7, 6, 5, 4], // user 0: minus movie 0 -> top-3 = 1, 2, 3: one hit (movie 2) at rank 2
    [1, 1, 1, 1, 1, 1], // user 1: all tied -> lowest indices not rated: 0, 3, 4: one hit (movie 0) at rank 1
    [0, 0, 0, 0, 0, 0],
  ];

  it('when scored against a hand-made example, then P@K, R@K, NDCG@K and coverage are as computed by hand', () => {
    const relevant = relevantItems(heldOut);
    expect(Array.from(relevant.users)).toEqual([0, 1]);
    expect(Array.from(relevant.relevantCount)).toEqual([3, 1]);
    const result = rankingMetrics({ k: 3, nMovies: 6, train, relevant, batchSize: 1, score: (users) => (b) => scores[users[b]] });
    const d = (rank: number) => 1 / Math.log2(rank + 1);
    const ndcgUser0 = d(2) / (d(1) + d(2) + d(3)); // 3 relevant (one unrecommendable): ideal fills all 3 slots
    const ndcgUser1 = d(1) / d(1);
    expect(result.users).toBe(2);
    expect(result.precision).toBeCloseTo((1 / 3 + 1 / 3) / 2, 12);
    expect(result.recall).toBeCloseTo((1 / 3 + 1) / 2, 12);
    expect(result.ndcg).toBeCloseTo((ndcgUser0 + ndcgUser1) / 2, 12);
    // Recommended: {1, 2, 3} ∪ {0, 3, 4} = 5 of 6 movies.
    expect(result.coverage).toBeCloseTo(5 / 6, 12);
  });

  it('when the batch size changes, then the metrics do not', () => {
    const relevant = relevantItems(heldOut);
    const score = (users: Int32Array) => (b: number) => scores[users[b]];
    const a = rankingMetrics({ k: 2, nMovies: 6, train, relevant, batchSize: 1, score });
    const b = rankingMetrics({ k: 2, nMovies: 6, train, relevant, batchSize: 256, score });
    expect(b).toEqual(a);
  });
});
