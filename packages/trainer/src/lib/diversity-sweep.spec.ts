import { initTensorFlow, type MfModel, type RankingModel } from '@reelrank/model';
import { diversitySweep } from './diversity-sweep';
import { prepareEvaluation } from './evaluate';
import { emptyColumns, type RatingsColumns } from './ratings';

function columns(rows: [number, number, number][]): RatingsColumns {
  const out = emptyColumns(rows.length);
  rows.forEach(([u, m, r], n) => {
    out.userIds[n] = u;
    out.movieIds[n] = m;
    out.ratings[n] = r;
    out.timestamps[n] = n;
  });
  return out;
}

/**
 * Movies 1-6 are one taste (factor (1, 0)), 7-12 another ((0, 1)); user 1 leans to the first but likes
 * both; every movie was rated in train by user 2, user 1 rated only movie 1. Held out: user 1 loved 2 and 7.
 */
const TRAIN = columns([[1, 1, 5], ...Array.from({ length: 12 }, (_, i): [number, number, number] => [2, i + 1, 4])]);
const TEST = columns([
  [1, 2, 5],
  [1, 7, 5],
]);

function plantedModels(): { model: MfModel; ranking: RankingModel } {
  const nMovies = 12;
  const movieFactors = new Float32Array(nMovies * 2);
  for (let i = 0; i < nMovies; i++) movieFactors.set(i < 6 ? [1 - i * 0.01, 0.05] : [0.05, 0.8 - (i - 6) * 0.01], i * 2);
  const model: MfModel = {
    factors: 2,
    globalMean: 0,
    userIds: Int32Array.of(1, 2),
    movieIds: Int32Array.from({ length: nMovies }, (_, i) => i + 1),
    userBias: new Float32Array(2),
    movieBias: new Float32Array(nMovies),
    userFactors: Float32Array.of(1, 0.7, 0.5, 0.5),
    movieFactors,
  };
  const ranking: RankingModel = {
    factors: 2,
    userFactors: model.userFactors,
    movieFactors,
    moviePrior: new Float32Array(nMovies),
    weights: { implicit: 1, rating: 0, popularity: 0 },
    confidence: { alpha: 1, ratingSlope: 0, ratingPivot: 3, floor: 0.1, regularization: 0.1 },
  };
  return { model, ranking };
}

describe('diversitySweep', () => {
  it('at 0 keeps one taste in the top 4; at 0.75 mixes in the other: more intra-list diversity and the second held-out hit', async () => {
    const { tf } = await initTensorFlow();
    const { model, ranking } = plantedModels();
    const data = prepareEvaluation(TRAIN, TEST);
    const [plain, , , diverse] = diversitySweep(model, ranking, data, { tf, k: 4 });
    expect([plain.diversity, diverse.diversity]).toEqual([0, 0.75]);
    expect(plain.users).toBe(1);
    expect(diverse.intraListDiversity).toBeGreaterThan(plain.intraListDiversity + 0.3);
    // At 0 the top 4 are movies 2-5 (one hit, 2, at rank 1); at 0.75 movie 7 joins them.
    const idcg = 1 + 1 / Math.log2(3);
    expect(plain.ndcg).toBeCloseTo(1 / idcg, 6);
    expect(diverse.ndcg).toBeGreaterThan(plain.ndcg);
    expect(diverse.coverage).toBeCloseTo(plain.coverage, 6); // one user: four movies either way
  });
});
