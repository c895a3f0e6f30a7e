import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelArtifacts, saveModelArtifacts } from './model-artifacts.js';
import type { MfModel } from './mf-model.js';
import { computePopularity } from './popularity.js';
import {
  foldInImplicitUser,
  implicitGram,
  rankingMovieModel,
  rankingScoringModel,
  rankingUserBias,
  scoreForRanking,
  writeRankingUserVector,
  solveImplicitRow,
  implicitSolveBuffers,
  confidenceOf,
  type RankingModel,
} from './ranking-model.js';
import { solveCholesky } from './fold-in.js';
import { scoreAllMovies } from './scoring.js';
import { makeTestModel } from './test-model.js';
import { seededRandom } from '@reelrank/random';

function makeRanking(model: MfModel, factors = 2, seed = 3): RankingModel {
  const random = seededRandom(seed);
  const rand = () => random() - 0.5;
  const nUsers = model.userIds.length;
  const nMovies = model.movieIds.length;
  return {
    factors,
    userFactors: Float32Array.from({ length: nUsers * factors }, rand),
    movieFactors: Float32Array.from({ length: nMovies * factors }, rand),
    moviePrior: Float32Array.from({ length: nMovies }, (_, i) => Math.log1p(i)),
    weights: { implicit: 1, rating: 0.15, popularity: 0.02 },
    confidence: { alpha: 2, ratingSlope: 0.5, ratingPivot: 3, floor: 0.1, regularization: 0.7 },
  };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
};

describe('ranking model (blend of implicit ALS, rating model and popularity)', () => {
  const model = makeTestModel(4, 6, 3, 1);
  const ranking = makeRanking(model);
  const nMovies = model.movieIds.length;

  it('when only the rating weight is 1, then the blend equals the rating model scores', () => {
    const only = { ...ranking, weights: { implicit: 0, rating: 1, popularity: 0 } };
    for (let u = 0; u < 4; u++)
      close(scoreForRanking({ model, ranking: only }, u, new Float32Array(nMovies)), scoreAllMovies(model, u, new Float32Array(nMovies)));
  });

  it('when only the implicit weight is 1, then the blend is x_u·y_i; only popularity, then the prior', () => {
    const implicit = { ...ranking, weights: { implicit: 1, rating: 0, popularity: 0 } };
    const popular = { ...ranking, weights: { implicit: 0, rating: 0, popularity: 1 } };
    const k = ranking.factors;
    for (let u = 0; u < 4; u++) {
      const expected = Array.from({ length: nMovies }, (_, i) => {
        let dot = 0;
        for (let f = 0; f < k; f++) dot += ranking.userFactors[u * k + f] * ranking.movieFactors[i * k + f];
        return dot;
      });
      close(scoreForRanking({ model, ranking: implicit }, u, new Float32Array(nMovies)), expected);
      close(scoreForRanking({ model, ranking: popular }, u, new Float32Array(nMovies)), ranking.moviePrior);
    }
  });

  it('when the blend is flattened into one MfModel, then scoreAllMovies on it equals scoreForRanking', () => {
    const flat = rankingScoringModel(model, ranking);
    expect(flat.factors).toBe(model.factors + ranking.factors);
    for (let u = 0; u < 4; u++)
      close(scoreAllMovies(flat, u, new Float32Array(nMovies)), scoreForRanking({ model, ranking }, u, new Float32Array(nMovies)));
  });

  it('when only the movie side is kept, then each user vector written on demand equals the flattened row bit for bit', () => {
    const flat = rankingScoringModel(model, ranking);
    const movies = rankingMovieModel(model, ranking);
    expect(movies).not.toHaveProperty('userFactors');
    expect(movies.factors).toBe(flat.factors);
    expect(movies.globalMean).toBe(flat.globalMean);
    expect(Array.from(movies.movieBias)).toEqual(Array.from(flat.movieBias));
    expect(Array.from(movies.movieFactors)).toEqual(Array.from(flat.movieFactors));
    const vector = new Float32Array(movies.factors);
    for (let u = 0; u < model.userIds.length; u++) {
      writeRankingUserVector(ranking, model, ranking.userFactors, u * ranking.factors, model.userFactors, u * model.factors, vector);
      expect(Array.from(vector)).toEqual(Array.from(flat.userFactors.subarray(u * flat.factors, (u + 1) * flat.factors)));
      expect(rankingUserBias(model, ranking, u)).toBe(flat.userBias[u]);
    }
  });

  it('when there is no ranking model (an older artifact), then scoreForRanking is the rating model', () => {
    close(scoreForRanking({ model }, 2, new Float32Array(nMovies)), scoreAllMovies(model, 2, new Float32Array(nMovies)));
  });

  it('when a new user is folded in, then x equals the direct solve of the implicit normal equations', () => {
    const rated = [
      { movieIndex: 1, rating: 5 },
      { movieIndex: 4, rating: 2 },
      { movieIndex: 5, rating: 3.5 },
    ];
    const x = foldInImplicitUser(ranking, rated);
    // Dense form: (Yᵀ C Y + λI) x = Yᵀ C p over every movie (c = 1, p = 0 where unrated).
    const k = ranking.factors;
    const A = new Float64Array(k * k);
    const b = new Float64Array(k);
    for (let i = 0; i < nMovies; i++) {
      const hit = rated.find((r) => r.movieIndex === i);
      const c = hit ? confidenceOf(ranking.confidence, hit.rating) : 1;
      const p = hit ? 1 : 0;
      for (let a = 0; a < k; a++) {
        b[a] += c * p * ranking.movieFactors[i * k + a];
        for (let d = 0; d < k; d++) A[a * k + d] += c * ranking.movieFactors[i * k + a] * ranking.movieFactors[i * k + d];
      }
    }
    for (let a = 0; a < k; a++) A[a * k + a] += ranking.confidence.regularization;
    close(x, solveCholesky(A, b, k), 1e-5);
    // And it is the same row solve training uses.
    const out = new Float32Array(k);
    solveImplicitRow(
      implicitGram(ranking),
      ranking.movieFactors,
      k,
      [1, 4, 5],
      rated.map((r) => confidenceOf(ranking.confidence, r.rating)),
      0,
      3,
      ranking.confidence.regularization,
      out,
      0,
      implicitSolveBuffers(k),
    );
    close(out, x, 1e-7);
  });

  it('when saved with a ranker and loaded, then the ranking sections and settings round-trip; without one, none is loaded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ranking-artifacts-'));
    try {
      const popularity = computePopularity(
        { movieIds: Int32Array.from([100, 103]), ratings: Float32Array.from([4, 5]) },
        { minRatings: 1, priorWeight: 1 },
      );
      const manifestInput = {
        dataset: 'unit',
        createdAt: '2026-01-01T00:00:00.000Z',
        dataHash: 'abc',
        backend: 'cpu',
        hyperParameters: {},
        training: {},
        metrics: {},
      };
      const saved = saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: {}, ranking });
      expect(saved.ranking).toEqual({ kind: 'implicit-als+rating+popularity', factors: 2, weights: ranking.weights, confidence: ranking.confidence });
      const loaded = loadModelArtifacts(dir);
      expect(loaded.ranking).toBeDefined();
      expect(Array.from(loaded.ranking!.userFactors)).toEqual(Array.from(ranking.userFactors));
      expect(Array.from(loaded.ranking!.movieFactors)).toEqual(Array.from(ranking.movieFactors));
      expect(Array.from(loaded.ranking!.moviePrior)).toEqual(Array.from(ranking.moviePrior));
      expect(loaded.ranking!.weights).toEqual(ranking.weights);
      expect(Array.from(scoreForRanking(loaded, 1, new Float32Array(nMovies)))).toEqual(
        Array.from(scoreForRanking({ model, ranking }, 1, new Float32Array(nMovies))),
      );
      // With an EASE term: its sections and size round-trip, and the manifest names it.
      const ease = { movies: Int32Array.of(0, 2, 5), weights: Float32Array.from({ length: 9 }, (_, j) => (j % 4 === 0 ? 0 : j / 10)), lambda: 250 };
      const withEase = { ...ranking, weights: { ...ranking.weights, ease: 1.5 }, ease };
      const savedEase = saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: {}, ranking: withEase });
      expect(savedEase.ranking).toMatchObject({
        kind: 'implicit-als+rating+popularity+ease',
        ease: { movies: 3, lambda: 250 },
        weights: { ease: 1.5 },
      });
      const loadedEase = loadModelArtifacts(dir).ranking!;
      expect(Array.from(loadedEase.ease!.movies)).toEqual([0, 2, 5]);
      expect(Array.from(loadedEase.ease!.weights)).toEqual(Array.from(ease.weights));
      expect(loadedEase.ease!.lambda).toBe(250);
      expect(loadedEase.ease!.input).toBeUndefined();
      // What a rating counts in x_u round-trips with it.
      const input = { likedRating: 4, otherWeight: 0.5 };
      const savedWeighted = saveModelArtifacts(dir, {
        model,
        popularity,
        manifest: manifestInput,
        metricsReport: {},
        ranking: { ...withEase, ease: { ...ease, input } },
      });
      expect(savedWeighted.ranking!.ease).toEqual({ movies: 3, lambda: 250, input });
      expect(loadModelArtifacts(dir).ranking!.ease!.input).toEqual(input);
      expect(() =>
        saveModelArtifacts(dir, {
          model,
          popularity,
          manifest: manifestInput,
          metricsReport: {},
          ranking: { ...withEase, ease: { ...ease, movies: Int32Array.of(0, 2, 99) } },
        }),
      ).toThrow(/outside the model/);
      saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: {} });
      const plain = loadModelArtifacts(dir);
      expect(plain.ranking).toBeUndefined();
      expect(plain.manifest.ranking).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
