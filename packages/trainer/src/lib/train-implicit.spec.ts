import {
  confidenceOf,
  foldInImplicitUser,
  gramOf,
  implicitSolveBuffers,
  initTensorFlow,
  scoreForRanking,
  solveImplicitRow,
  topN,
} from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { emptyColumns } from './ratings.js';
import { buildIndexing, indexRatings } from './indexing.js';
import { prepareEvaluation } from './evaluate.js';
import { evaluateRanker, fitRanker, tuneBlendWeights } from './ranking-blend.js';
import { solveHalfSweep, trainImplicitAls } from './train-implicit.js';
import { implicitSettings } from './training-plan.js';
import { loadConfig } from '@reelrank/config';
import { trainMf } from './train-mf.js';
import { seededRandom } from '@reelrank/random';

/** The committed ranker settings (config/training.json), without env overrides. */
const COMMITTED = loadConfig({ env: {} }).training;
const DEFAULT_IMPLICIT = implicitSettings(COMMITTED);

/**
 * Planted co-occurrence: two taste groups. Users of group g rate each movie of block g (10 movies
 * each) with probability 0.7, plus now and then one movie of the other block. The implicit model
 * must rank the unseen movies of the user's own block above every movie of the other block.
 */
function plantedCooccurrence(seed = 1) {
  const random = seededRandom(seed);
  const rows: Array<[number, number, number]> = [];
  for (let u = 0; u < 40; u++) {
    const group = u % 2;
    for (let m = group * 10; m < group * 10 + 10; m++) if (random() < 0.7) rows.push([u + 1, m + 1, 4]);
    if (random() < 0.3) rows.push([u + 1, (1 - group) * 10 + Math.floor(random() * 10) + 1, 3]);
  }
  const columns = emptyColumns(rows.length);
  rows.forEach(([u, m, r], n) => {
    columns.userIds[n] = u;
    columns.movieIds[n] = m;
    columns.ratings[n] = r;
  });
  return { columns };
}

describe('implicit ALS', () => {
  it('when trained on planted co-occurrence, then each user ranks the unseen movies of their own block first', () => {
    const { columns } = plantedCooccurrence();
    const indexing = buildIndexing(columns);
    const data = indexRatings(columns, indexing);
    const nMovies = indexing.movies.ids.length;
    const hyper = { ...DEFAULT_IMPLICIT, factors: 2, sweeps: 8, regularization: 1 };
    const f = trainImplicitAls(data, indexing.users.ids.length, nMovies, hyper);
    const ranking = {
      factors: f.factors,
      userFactors: f.userFactors,
      movieFactors: f.movieFactors,
      moviePrior: new Float32Array(nMovies),
      weights: { implicit: 1, rating: 0, popularity: 0 },
      confidence: hyper,
    };
    const model = trainMf(columns, null, {
      seed: 1,
      factors: 2,
      maxEpochs: 1,
      learningRate: 0.01,
      learningRateDecay: 1,
      regularization: 0.1,
      biasRegularization: 0.1,
      initStd: 0.1,
      patience: 1,
    }).model;
    const block = (index: number) => ((indexing.movies.ids[index] - 1) / 10) | 0;
    let checked = 0;
    for (let u = 0; u < 40; u++) {
      const seen = new Uint8Array(nMovies);
      for (let r = 0; r < data.users.length; r++) if (data.users[r] === u) seen[data.movies[r]] = 1;
      let unseenOwn = 0;
      for (let i = 0; i < nMovies; i++) if (!seen[i] && block(i) === u % 2) unseenOwn++;
      const scores = scoreForRanking({ model, ranking }, u, new Float32Array(nMovies));
      const top = topN(scores, unseenOwn, seen);
      for (const i of top) expect(block(i)).toBe(u % 2);
      checked += top.length;
    }
    expect(checked).toBeGreaterThan(60);
  });

  it('when the rows come grouped by user or with an unknown row among them (which is skipped), then the CG fit gives the same factors', () => {
    const { columns } = plantedCooccurrence(3);
    const indexing = buildIndexing(columns);
    const data = indexRatings(columns, indexing);
    const nUsers = indexing.users.ids.length;
    const nMovies = indexing.movies.ids.length;
    // A rating slope, so each entry's confidence depends on its own rating.
    const hyper = { ...DEFAULT_IMPLICIT, factors: 3, sweeps: 3, cgSteps: 3, ratingSlope: 0.5 };
    const withUnknown = {
      ...data,
      users: Int32Array.from([...data.users, -1]),
      movies: Int32Array.from([...data.movies, 0]),
      ratings: Float32Array.from([...data.ratings, 5]),
    };
    const grouped = trainImplicitAls(data, nUsers, nMovies, hyper, undefined, { threads: 1 });
    const general = trainImplicitAls(withUnknown, nUsers, nMovies, hyper, undefined, { threads: 1 });
    expect(grouped.userFactors.some((v) => v !== 0)).toBe(true);
    expect(grouped.userFactors).toEqual(general.userFactors);
    expect(grouped.movieFactors).toEqual(general.movieFactors);
  });

  it('when rows are solved by the Woodbury shortcut, then they equal the direct solves', () => {
    const k = 8;
    const random = seededRandom(5);
    const V = Float32Array.from({ length: 30 * k }, () => random() - 0.5);
    const G = gramOf(V, k);
    const confidence = { ...DEFAULT_IMPLICIT, ratingSlope: 0.5 };
    const offsets = Int32Array.from([0, 1, 3, 3, 15]);
    const others = Int32Array.from({ length: 15 }, (_, n) => (n * 7) % 30);
    const conf = Float64Array.from({ length: 15 }, (_, n) => confidenceOf(confidence, 1 + (n % 5)));
    const fast = new Float32Array(4 * k);
    solveHalfSweep(G, V, k, others, conf, offsets, 0.3, fast);
    const direct = new Float32Array(4 * k);
    for (let g = 0; g < 4; g++) solveImplicitRow(G, V, k, others, conf, offsets[g], offsets[g + 1], 0.3, direct, g * k, implicitSolveBuffers(k));
    for (let j = 0; j < fast.length; j++) expect(Math.abs(fast[j] - direct[j])).toBeLessThan(1e-5);
  });

  it('when a trained user is folded in again from their own ratings, then the implicit vector is the same (one more user step)', () => {
    const { columns } = plantedCooccurrence(2);
    const indexing = buildIndexing(columns);
    const data = indexRatings(columns, indexing);
    const hyper = { ...DEFAULT_IMPLICIT, factors: 3, sweeps: 4, regularization: 0.5 };
    const f = trainImplicitAls(data, indexing.users.ids.length, indexing.movies.ids.length, hyper);
    const ranking = {
      factors: 3,
      userFactors: f.userFactors,
      movieFactors: f.movieFactors,
      moviePrior: new Float32Array(indexing.movies.ids.length),
      weights: { implicit: 1, rating: 0, popularity: 0 },
      confidence: hyper,
    };
    // The last half-sweep updated the movies, so recompute user 0's step and compare with fold-in.
    const rated = [];
    for (let r = 0; r < data.users.length; r++) if (data.users[r] === 0) rated.push({ movieIndex: data.movies[r], rating: data.ratings[r] });
    const x = foldInImplicitUser(ranking, rated);
    const out = new Float32Array(3);
    solveImplicitRow(
      gramOf(f.movieFactors, 3),
      f.movieFactors,
      3,
      rated.map((r) => r.movieIndex),
      rated.map((r) => confidenceOf(hyper, r.rating)),
      0,
      rated.length,
      hyper.regularization,
      out,
      0,
      implicitSolveBuffers(3),
    );
    for (let j = 0; j < 3; j++) expect(x[j]).toBeCloseTo(out[j], 6);
  });
});

describe('served ranker evaluation', () => {
  const planted = plantedData({ nUsers: 40, nMovies: 30, seed: 3 });
  const mf = trainMf(planted.observed, null, {
    seed: 1,
    factors: 4,
    maxEpochs: 20,
    learningRate: 0.02,
    learningRateDecay: 1,
    regularization: 0.02,
    biasRegularization: 0.01,
    initStd: 0.1,
    patience: 5,
  }).model;

  it('when the ranker is scored in TF.js batches or per user by scoreForRanking, then the metrics agree', async () => {
    const { tf } = await initTensorFlow();
    const data = prepareEvaluation(planted.observed, planted.heldOut);
    const { ranking } = fitRanker(data, mf, { ...DEFAULT_IMPLICIT, factors: 4, sweeps: 3 }, { implicit: 1, rating: 0.1, popularity: 0.05 });
    const batched = evaluateRanker('r', mf, ranking, data, { tf, k: 5, fitSeconds: 0, batchSize: 7 });
    const single = evaluateRanker('r', mf, ranking, data, { tf, k: 5, fitSeconds: 0, scorer: 'typed-array' });
    expect(batched.ndcgAtK).toBeCloseTo(single.ndcgAtK!, 10);
    expect(batched.precisionAtK).toBeCloseTo(single.precisionAtK!, 10);
    expect(batched.coverage).toBeCloseTo(single.coverage!, 10);
    expect(batched.rmse).toBe(single.rmse);
  });

  it('when blend weights are tuned, then the chosen point is the best of the grid', async () => {
    const { tf } = await initTensorFlow();
    const data = prepareEvaluation(planted.observed, planted.heldOut);
    const { ranking } = fitRanker(data, mf, { ...DEFAULT_IMPLICIT, factors: 4, sweeps: 3 }, { implicit: 1, rating: 0, popularity: 0 });
    const tuning = tuneBlendWeights(tf, data, mf, ranking, 5, COMMITTED.ranker);
    expect(tuning.grid[0]).toMatchObject(tuning.weights);
    for (const g of tuning.grid) expect(g.ndcg).toBeLessThanOrEqual(tuning.grid[0].ndcg);
    // The grid point equals a direct evaluation of that blend.
    const direct = evaluateRanker('r', mf, { ...ranking, weights: tuning.weights }, data, { tf, k: 5, fitSeconds: 0, scorer: 'typed-array' });
    expect(direct.ndcgAtK).toBeCloseTo(tuning.grid[0].ndcg, 5);
  });
});
