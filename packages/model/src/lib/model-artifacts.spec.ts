import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelArtifacts, ModelLoadError, saveModelArtifacts } from './model-artifacts.js';
import { computePopularity } from './popularity.js';
import { predictRating } from './scoring.js';
import { makeTestModel } from './test-model.js';

const manifestInput = {
  dataset: 'unit',
  createdAt: '2026-01-01T00:00:00.000Z',
  dataHash: 'abc',
  backend: 'cpu',
  hyperParameters: { factors: 3 },
  training: { epochs: 1 },
  metrics: { rmse: 0.9 },
};

function saveTestModel(dir: string, seed = 1) {
  const model = makeTestModel(4, 6, 3, seed);
  const popularity = computePopularity(
    { movieIds: Int32Array.from([100, 100, 103]), ratings: Float32Array.from([4, 5, 3]) },
    { minRatings: 1, priorWeight: 1 },
  );
  const manifest = saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: { ok: true } });
  return { model, popularity, manifest };
}

describe('model artifacts', () => {
  it('when a model is saved and loaded, then predictions and popularity are identical', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    const saved = saveTestModel(dir);
    const loaded = loadModelArtifacts(dir);
    expect(loaded.manifest.version).toBe(saved.manifest.version);
    for (let u = 0; u < 4; u++) for (let i = 0; i < 6; i++) expect(predictRating(loaded.model, u, i)).toBe(predictRating(saved.model, u, i));
    expect(Array.from(loaded.popularity.movieIds)).toEqual([100, 103]);
    expect(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'))).toEqual({ modelVersion: saved.manifest.version, ok: true });
  });

  it('when the model has fallback biases, then they round-trip and drive unknown-id predictions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    const model = makeTestModel(4, 6, 3, 5);
    model.fallback = {
      globalMean: 3.1,
      userBias: Float32Array.from([0.1, 0.2, 0.3, 0.4]),
      movieBias: Float32Array.from([1, 2, 3, 4, 5, 6]).map((x) => x / 10),
    };
    const popularity = computePopularity({ movieIds: Int32Array.from([100]), ratings: Float32Array.from([4]) }, { minRatings: 1, priorWeight: 1 });
    saveModelArtifacts(dir, { model, popularity, manifest: manifestInput, metricsReport: {} });
    const loaded = loadModelArtifacts(dir).model;
    expect(loaded.fallback?.globalMean).toBeCloseTo(3.1, 6);
    expect(Array.from(loaded.fallback!.movieBias)).toEqual(Array.from(model.fallback.movieBias));
    expect(predictRating(loaded, 2, -1)).toBeCloseTo(3.1 + 0.3, 5);
  });

  it('when the same model is saved twice, then the version is the same and old weights are pruned', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    const a = saveTestModel(dir, 1).manifest;
    const b = saveTestModel(dir, 2).manifest;
    expect(a.version).not.toBe(b.version);
    expect(readdirSync(dir).filter((f) => f.startsWith('weights-'))).toEqual([b.weights.file]);
    expect(saveTestModel(dir, 2).manifest.version).toBe(b.version);
  });

  it('when the weights file is truncated or altered, then loading is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    const { manifest } = saveTestModel(dir);
    const path = join(dir, manifest.weights.file);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 8));
    expect(() => loadModelArtifacts(dir)).toThrow(/bytes, expected/);
    bytes[20] ^= 0xff;
    writeFileSync(path, bytes);
    expect(() => loadModelArtifacts(dir)).toThrow(ModelLoadError);
  });

  it('when model.json is missing or not JSON, then the error says to train first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-'));
    expect(() => loadModelArtifacts(dir)).toThrow(/run the train stage/);
    writeFileSync(join(dir, 'model.json'), '{"format": "reelrank-mf", "formatV');
    expect(() => loadModelArtifacts(dir)).toThrow(/not valid JSON/);
  });
});

describe('popularity', () => {
  it('when a movie has few ratings, then the damped mean pulls it towards the global mean', () => {
    const movieIds = Int32Array.from([1, 1, 1, 1, 2, 3, 3, 3, 3]);
    const ratings = Float32Array.from([4.5, 4.5, 4.5, 4.5, 5, 3, 3, 3, 3]);
    // Raw means rank movie 2 (one 5-star rating) first; the damped mean puts movie 1 ahead.
    const ranking = computePopularity({ movieIds, ratings }, { minRatings: 1, priorWeight: 2 });
    expect(Array.from(ranking.movieIds)).toEqual([1, 2, 3]);
    const filtered = computePopularity({ movieIds, ratings }, { minRatings: 2, priorWeight: 2 });
    expect(Array.from(filtered.movieIds)).toEqual([1, 3]);
    expect(Array.from(filtered.counts)).toEqual([4, 4]);
  });
});
