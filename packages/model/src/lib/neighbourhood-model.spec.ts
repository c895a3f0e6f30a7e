import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelArtifacts, ModelLoadError, saveModelArtifacts } from './model-artifacts.js';
import type { MfModel } from './mf-model.js';
import { neighbourhoodTerm, predictBlended, predictServedRating, type NeighbourhoodModel } from './neighbourhood-model.js';
import { computePopularity } from './popularity.js';
import { predictRating, predictRaw } from './scoring.js';
import { makeTestModel } from './test-model.js';
import { withMovieFactors } from './with-movie-factors.js';

/** 2 users, 5 movies; baseline μ' 3, b'_u (0.5, 0), b'_i 0 but movie 2 (+1). */
function modelWithBaseline(): MfModel {
  const model = makeTestModel(2, 5, 2, 3);
  model.fallback = { globalMean: 3, userBias: Float32Array.of(0.5, 0), movieBias: Float32Array.of(0, 0, 1, 0, 0) };
  return model;
}

/** Movie 0's neighbours: 1 (0.9), 2 (0.5), 3 (0.1); movie 4 has none; the others list 0 only. */
function lists(k: number, blend = { rating: 1, neighbourhood: 0, confident: 0, intercept: 0 }): NeighbourhoodModel {
  return {
    offsets: Int32Array.of(0, 3, 4, 5, 6, 6),
    neighbours: Int32Array.of(1, 2, 3, 0, 0, 0),
    similarities: Float32Array.of(0.9, 0.5, 0.1, 0.9, 0.5, 0.1),
    k,
    blend,
  };
}

/** User 0 rated movies 0 itself (1), 1 (5), 2 (3.5) and 3 (4.5): residuals -2.5, 1.5, -1, 1. */
const user0 = { items: Int32Array.of(0, 1, 2, 3), ratings: Float32Array.of(1, 5, 3.5, 4.5), from: 0, to: 4 };

describe('neighbourhood predictor', () => {
  it('when k is smaller than the rated neighbours, then the k most similar ones are averaged by similarity', () => {
    const model = modelWithBaseline();
    const two = neighbourhoodTerm(lists(2), model.fallback!, 0, 0, user0);
    expect(two.support).toBeCloseTo(1.4, 6);
    expect(two.term).toBeCloseTo((0.9 * 1.5 + 0.5 * -1) / 1.4, 6);
    const all = neighbourhoodTerm(lists(10), model.fallback!, 0, 0, user0);
    expect(all.term).toBeCloseTo((0.9 * 1.5 + 0.5 * -1 + 0.1 * 1) / 1.5, 6);
  });

  it('when the target has no list or the user rated none of its neighbours, then the term is 0', () => {
    const model = modelWithBaseline();
    expect(neighbourhoodTerm(lists(5), model.fallback!, 0, 4, user0)).toEqual({ term: 0, support: 0 });
    const onlyTarget = { items: Int32Array.of(0), ratings: Float32Array.of(5), from: 0, to: 1 };
    expect(neighbourhoodTerm(lists(5), model.fallback!, 0, 0, onlyTarget)).toEqual({ term: 0, support: 0 });
  });

  it('when predicting, then the blend of the raw rating model and both terms is clipped to the scale', () => {
    const model = modelWithBaseline();
    const blend = { rating: 0.9, neighbourhood: 0.2, confident: 0.3, intercept: 0.25 };
    const { term, support } = neighbourhoodTerm(lists(2), model.fallback!, 0, 0, user0);
    const expected = 0.9 * predictRaw(model, 0, 0) + 0.2 * term + (0.3 * term * support) / (support + 1) + 0.25;
    expect(predictBlended(model, lists(2, blend), 0, 0, user0)).toBeCloseTo(Math.min(5, Math.max(0.5, expected)), 5);
    expect(predictBlended(model, lists(2, { rating: 0, neighbourhood: 0, confident: 0, intercept: 9 }), 0, 0, user0)).toBe(5);
  });

  it('when the user or movie is unknown or no ratings are given, then the served rating is the rating model', () => {
    const model = modelWithBaseline();
    const nb = lists(2, { rating: 0.5, neighbourhood: 1, confident: 0, intercept: 1 });
    expect(predictServedRating(model, nb, -1, 0, user0)).toBe(predictRating(model, -1, 0));
    expect(predictServedRating(model, nb, 0, -1, user0)).toBe(predictRating(model, 0, -1));
    expect(predictServedRating(model, nb, 0, 0, undefined)).toBe(predictRating(model, 0, 0));
    expect(predictServedRating(model, undefined, 0, 0, user0)).toBe(predictRating(model, 0, 0));
    expect(predictServedRating(model, nb, 0, 0, user0)).toBe(predictBlended(model, nb, 0, 0, user0));
  });

  it('when movies are added to the model, then every list still names the same movies', () => {
    const model = modelWithBaseline();
    const bundle = withMovieFactors({ model, neighbourhood: lists(2) }, [
      { movieId: 50, ratings: 0, factors: { ratingFactors: Float32Array.of(0, 0), rankingFactors: new Float32Array(0), movieBias: 0 } },
    ]);
    const ids = Array.from(bundle.model.movieIds);
    const nb = bundle.neighbourhood!;
    const namesOf = (movieId: number) => {
      const i = ids.indexOf(movieId);
      return Array.from(nb.neighbours.subarray(nb.offsets[i], nb.offsets[i + 1]), (j) => ids[j]);
    };
    const original = Array.from(model.movieIds);
    expect(namesOf(original[0])).toEqual([original[1], original[2], original[3]]);
    expect(namesOf(50)).toEqual([]);
  });

  it('when saved and loaded, then the lists and the blend round-trip and a missing section is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neighbourhood-'));
    try {
      const model = modelWithBaseline();
      const popularity = computePopularity({ movieIds: Int32Array.from([100]), ratings: Float32Array.from([4]) }, { minRatings: 1, priorWeight: 1 });
      const nb = lists(2, { rating: 0.9, neighbourhood: 0.2, confident: 0.3, intercept: 0.25 });
      const manifestInput = { dataset: 'unit', createdAt: 'x', dataHash: 'h', backend: 'cpu', hyperParameters: {}, training: {}, metrics: {} };
      const plain = saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: {} });
      const saved = saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: {}, neighbourhood: nb });
      expect(saved.version).not.toBe(plain.version);
      const loaded = loadModelArtifacts(dir);
      expect(loaded.neighbourhood!.blend.intercept).toBeCloseTo(0.25, 6);
      expect(predictBlended(loaded.model, loaded.neighbourhood!, 0, 0, user0)).toBeCloseTo(predictBlended(model, nb, 0, 0, user0), 6);
      expect(() =>
        saveModelArtifacts(dir, {
          model,
          popularity,
          manifest: manifestInput,
          metricsReport: {},
          neighbourhood: { ...nb, offsets: Int32Array.of(0, 6) },
        }),
      ).toThrow(/offsets/);
      expect(() =>
        saveModelArtifacts(dir, {
          model: { ...model, fallback: undefined },
          popularity,
          manifest: manifestInput,
          metricsReport: {},
          neighbourhood: nb,
        }),
      ).toThrow(/baseline/);
      saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: {}, neighbourhood: nb });
      const manifestPath = join(dir, 'model.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
      writeFileSync(manifestPath, JSON.stringify({ ...manifest, neighbourhood: { ...manifest.neighbourhood, entries: 5 } }));
      expect(() => loadModelArtifacts(dir)).toThrow(ModelLoadError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
