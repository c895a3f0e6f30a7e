import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@reelrank/artifacts';
import { blendMovieFactors, contentFactors, contentFeatures, featureCount, targetCount, type ContentMap } from './content-map.js';
import { loadModelArtifacts, ModelLoadError, saveModelArtifacts } from './model-artifacts.js';
import { computePopularity } from './popularity.js';
import type { RankingModel } from './ranking-model.js';
import { makeTestModel } from './test-model.js';
import { movieFactorsAt, withMovieFactors } from './with-movie-factors.js';

const spec = { genres: ['Comedy', 'Drama', 'Sci-Fi'], yearBins: { from: 1980, width: 10, count: 4 }, tags: ['space', 'funny'], genomeTags: [7] };

/** A map whose weights say: Sci-Fi -> rating factor 0 = 1, "space" tag -> ranking factor 1 = 2, every movie bias 0.5 (intercept). */
function plantedMap(): ContentMap {
  const partial = { ratingFactors: 2, rankingFactors: 2 };
  const t = targetCount(partial);
  const weights = new Float32Array(featureCount(spec) * t);
  weights[0 * t + 2] = 0.5; // intercept -> bias
  weights[3 * t + 0] = 1; // Sci-Fi (column 1 + 2) -> q_0
  const spaceColumn = 1 + spec.genres.length + spec.yearBins.count + 1;
  weights[spaceColumn * t + 4] = 2; // log(1 + count) of "space" -> y_1
  return { spec, ...partial, weights, lambda: { ratingFactors: 1, movieBias: 1, rankingFactors: 1 }, blend: { prior: 10, fullAt: 20 } };
}

function rankingFor(nUsers: number, nMovies: number, k: number): RankingModel {
  return {
    factors: k,
    userFactors: Float32Array.from({ length: nUsers * k }, (_, i) => (i % 5) / 10),
    movieFactors: Float32Array.from({ length: nMovies * k }, (_, i) => (i % 7) / 10),
    moviePrior: Float32Array.from({ length: nMovies }, (_, i) => Math.log1p(i + 1)),
    weights: { implicit: 1, rating: 0.1, popularity: 0.02, ease: 1 },
    confidence: { alpha: 2, ratingSlope: 0, ratingPivot: 3, floor: 0.1, regularization: 10 },
    ease: { movies: Int32Array.from([1, nMovies - 2]), weights: Float32Array.from([0, 0.3, 0.2, 0]), lambda: 100 },
  };
}

describe('content features', () => {
  it('when a movie has genres, a year, tags and genome scores, then each lands in its own column', () => {
    const x = contentFeatures(spec, { genres: ['sci-fi', 'Western'], year: 1995, tags: new Map([['Space', 3]]), genome: new Map([[7, 0.25]]) });
    expect(Array.from(x)).toEqual([1, 0, 0, 1, 0, 1, 0, 0, 0, Math.log1p(3), 0, 0.25]);
  });

  it('when a movie has no year or a year outside the bins, then the no-year column or the edge bin is set', () => {
    expect(contentFeatures(spec, { genres: [], year: null })[1 + 3 + 4]).toBe(1);
    expect(contentFeatures(spec, { genres: [], year: 1900 })[1 + 3]).toBe(1);
    expect(contentFeatures(spec, { genres: [], year: 2030 })[1 + 3 + 3]).toBe(1);
  });
});

describe('contentFactors', () => {
  it('when a movie has no ratings, then its factors come from its content alone', () => {
    const map = plantedMap();
    const scifi = contentFactors(map, { genres: ['Sci-Fi'], year: 2001, tags: new Map([['space', 1]]) });
    expect(Array.from(scifi.ratingFactors)).toEqual([1, 0]);
    expect(scifi.movieBias).toBeCloseTo(0.5, 6);
    expect(scifi.rankingFactors[1]).toBeCloseTo(2 * Math.log1p(1), 6);
    const drama = contentFactors(map, { genres: ['Drama'], year: 1985 });
    expect(Array.from(drama.ratingFactors)).toEqual([0, 0]);
    expect(Array.from(drama.rankingFactors)).toEqual([0, 0]);
  });

  it('when ratings arrive, then the blend moves from the content factors toward the learned ones', () => {
    const fromContent = { ratingFactors: Float32Array.from([1, 0]), movieBias: 0, rankingFactors: Float32Array.from([0, 0]) };
    const learned = { ratingFactors: Float32Array.from([0, 1]), movieBias: 1, rankingFactors: Float32Array.from([1, 1]) };
    const blend = { prior: 10, fullAt: 40 };
    const distances = [0, 1, 5, 10, 20, 39].map((n) => {
      const b = blendMovieFactors(fromContent, learned, n, blend);
      return Math.hypot(b.ratingFactors[0] - 0, b.ratingFactors[1] - 1, b.movieBias - 1);
    });
    for (let s = 1; s < distances.length; s++) expect(distances[s]).toBeLessThan(distances[s - 1]);
    expect(blendMovieFactors(fromContent, learned, 0, blend)).toBe(fromContent);
    expect(blendMovieFactors(fromContent, null, 25, blend)).toBe(fromContent);
    expect(blendMovieFactors(fromContent, learned, 40, blend)).toBe(learned);
    expect(blendMovieFactors(fromContent, learned, 1000, blend)).toBe(learned);
    // n/(n+k) rescaled by (m+k)/m: 10 ratings -> 0.5 · 50/40.
    expect(blendMovieFactors(fromContent, learned, 10, blend).movieBias).toBeCloseTo(0.625, 6);
  });
});

describe('withMovieFactors', () => {
  it('when a new movie is set, then it is inserted at its id and the later movies keep their vectors', () => {
    const model = makeTestModel(3, 6, 2, 5); // movie ids 100, 103, ..., 115
    const ranking = rankingFor(3, 6, 2);
    const bundle = { model, ranking };
    const factors = { ratingFactors: Float32Array.from([0.7, -0.7]), movieBias: 0.25, rankingFactors: Float32Array.from([0.3, 0.4]) };
    const next = withMovieFactors(bundle, [{ movieId: 104, factors, ratings: 0 }]);
    expect(Array.from(next.model.movieIds)).toEqual([100, 103, 104, 106, 109, 112, 115]);
    expect(movieFactorsAt(next, 2)).toEqual(factors);
    expect(movieFactorsAt(next, 3)).toEqual(movieFactorsAt(bundle, 2));
    expect(next.ranking!.moviePrior[2]).toBe(0);
    expect(next.ranking!.moviePrior[6]).toBe(ranking.moviePrior[5]);
    // EASE covered old indices 1 and 4 (ids 103, 112): now 1 and 5.
    expect(Array.from(ranking.ease!.movies)).toEqual([1, 4]);
    expect(Array.from(next.ranking!.ease!.movies)).toEqual([1, 5]);
    expect(next.model.userFactors).toBe(model.userFactors);
    expect(model.movieIds.length).toBe(6);
  });

  it('when a known movie is set, then only its vectors change and its popularity prior stays', () => {
    const model = makeTestModel(3, 4, 2, 6);
    const ranking = rankingFor(3, 4, 2);
    const factors = { ratingFactors: Float32Array.from([1, 1]), movieBias: -1, rankingFactors: Float32Array.from([2, 2]) };
    const next = withMovieFactors({ model, ranking }, [{ movieId: 103, factors, ratings: 2 }]);
    expect(Array.from(next.model.movieIds)).toEqual(Array.from(model.movieIds));
    expect(movieFactorsAt(next, 1)).toEqual(factors);
    expect(next.ranking!.moviePrior[1]).toBe(ranking.moviePrior[1]);
    expect(movieFactorsAt(next, 0)).toEqual(movieFactorsAt({ model, ranking }, 0));
  });

  it('when the factors do not fit the model, then it refuses', () => {
    const model = makeTestModel(2, 2, 3, 1);
    const factors = { ratingFactors: new Float32Array(2), movieBias: 0, rankingFactors: new Float32Array(0) };
    expect(() => withMovieFactors({ model }, [{ movieId: 1, factors, ratings: 0 }])).toThrow(/2 rating factors, the model has 3/);
  });
});

describe('content map artifact', () => {
  const manifest = {
    dataset: 'unit',
    createdAt: '2026-01-01T00:00:00.000Z',
    dataHash: 'abc',
    backend: 'cpu',
    hyperParameters: {},
    training: {},
    metrics: {},
  };
  const popularity = computePopularity({ movieIds: Int32Array.from([100]), ratings: Float32Array.from([4]) }, { minRatings: 1, priorWeight: 1 });

  it('when a model is saved with a content map, then the weights file and version are those saved without it, and the map round-trips', () => {
    const model = makeTestModel(3, 4, 2, 9);
    const ranking = rankingFor(3, 4, 2);
    const plain = mkdtempSync(join(tmpdir(), 'content-plain-'));
    const withMap = mkdtempSync(join(tmpdir(), 'content-map-'));
    const a = saveModelArtifacts(plain, { model, popularity, manifest, metricsReport: {}, ranking });
    const map = plantedMap();
    const coldStart = [{ movieId: 500, ratings: 0, factors: contentFactors(map, { genres: ['Sci-Fi'], year: 2001 }) }];
    const b = saveModelArtifacts(withMap, { model, popularity, manifest, metricsReport: {}, ranking, contentMap: { map, coldStart } });
    expect(b.version).toBe(a.version);
    expect(sha256(readFileSync(join(withMap, b.weights.file)))).toBe(sha256(readFileSync(join(plain, a.weights.file))));
    expect(b.contentMap).toMatchObject({ file: `content-map-${b.version}.json`, features: featureCount(spec), coldStartMovies: 1 });
    const loaded = loadModelArtifacts(withMap);
    expect(loaded.contentMap!.map).toEqual(map);
    expect(loaded.contentMap!.coldStart).toEqual(coldStart);
    expect(loadModelArtifacts(plain).contentMap).toBeUndefined();
  });

  it('when the content map file was altered, then loading refuses the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'content-bad-'));
    const model = makeTestModel(3, 4, 2, 9);
    const saved = saveModelArtifacts(dir, {
      model,
      popularity,
      manifest,
      metricsReport: {},
      contentMap: { map: { ...plantedMap(), rankingFactors: 0, weights: new Float32Array(featureCount(spec) * 3) }, coldStart: [] },
    });
    const file = join(dir, saved.contentMap!.file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"prior":10', '"prior":11'));
    expect(() => loadModelArtifacts(dir)).toThrow(ModelLoadError);
    expect(readdirSync(dir).filter((f) => f.startsWith('content-map-'))).toHaveLength(1);
  });
});
