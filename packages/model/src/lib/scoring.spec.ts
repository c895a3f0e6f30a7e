import { clipRating, predictRating, predictRaw, scoreAllMovies } from './scoring.js';
import { topN } from './top-n.js';
import { makeTestModel } from './test-model.js';
import { initTensorFlow } from './tf-backend.js';
import { TensorScorer } from './tensor-scoring.js';

describe('scoring', () => {
  const model = makeTestModel(5, 7, 4);

  it('when a prediction leaves the rating scale, then it is clipped to 0.5..5.0', () => {
    expect(clipRating(7)).toBe(5);
    expect(clipRating(-1)).toBe(0.5);
    expect(clipRating(3.25)).toBe(3.25);
  });

  it('when user and movie are known, then the prediction is mu + b_u + b_i + p_u.q_i', () => {
    const u = 2;
    const i = 3;
    let dot = 0;
    for (let f = 0; f < 4; f++) dot += model.userFactors[u * 4 + f] * model.movieFactors[i * 4 + f];
    const expected = model.globalMean + model.userBias[u] + model.movieBias[i] + dot;
    expect(predictRaw(model, u, i)).toBeCloseTo(expected, 6);
    expect(predictRating(model, u, i)).toBeCloseTo(clipRating(expected), 6);
  });

  it('when the user or movie is unknown, then the prediction falls back through the biases', () => {
    expect(predictRating(model, -1, 2)).toBeCloseTo(model.globalMean + model.movieBias[2], 6);
    expect(predictRating(model, 1, -1)).toBeCloseTo(model.globalMean + model.userBias[1], 6);
    expect(predictRating(model, -1, -1)).toBeCloseTo(model.globalMean, 6);
  });

  it('when the model carries a baseline fallback, then unknown users or movies use it and known pairs do not', () => {
    const fallback = {
      globalMean: 3.2,
      userBias: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5]),
      movieBias: Float32Array.from([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]),
    };
    const withFallback = { ...model, fallback };
    expect(predictRating(withFallback, 3, -1)).toBeCloseTo(3.2 + 0.4, 6);
    expect(predictRating(withFallback, -1, 0)).toBeCloseTo(3.2 - 0.3, 6);
    expect(predictRating(withFallback, -1, -1)).toBeCloseTo(3.2, 6);
    expect(predictRating(withFallback, 2, 3)).toBe(predictRating(model, 2, 3));
  });

  it('when scoring all movies, then each score equals predictRaw', () => {
    const out = scoreAllMovies(model, 4, new Float32Array(7));
    out.forEach((s, i) => expect(s).toBeCloseTo(predictRaw(model, 4, i), 5));
  });

  it('when scoring a batch on the TF.js backend, then it matches the per-user typed-array scores', async () => {
    const { tf, backend } = await initTensorFlow();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    const scorer = new TensorScorer(tf, model);
    const batch = scorer.scoreUsers([0, 3, 4]);
    scorer.dispose();
    [0, 3, 4].forEach((u, b) => {
      const single = scoreAllMovies(model, u, new Float32Array(7));
      single.forEach((s, i) => expect(batch[b * 7 + i]).toBeCloseTo(s, 4));
    });
  });
});

describe('topN', () => {
  it('when scores tie, then the lower index comes first', () => {
    expect(topN([1, 3, 3, 2, 3], 3)).toEqual([1, 2, 4]);
  });

  it('when indices are excluded, then they never appear', () => {
    expect(topN([5, 4, 3, 2, 1], 2, new Set([0, 2]))).toEqual([1, 3]);
    expect(topN([5, 4, 3, 2, 1], 2, Uint8Array.from([0, 1, 0, 0, 0]))).toEqual([0, 2]);
  });

  it('when n exceeds the candidates, then all candidates come back sorted', () => {
    expect(topN([0.1, 0.9, NaN, 0.5], 10)).toEqual([1, 3, 0]);
    expect(topN([1, 2], 0)).toEqual([]);
  });

  it('when compared with a full sort on random scores, then the result is identical', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const scores = Array.from({ length: 500 }, () => Math.round(rand() * 50) / 10);
    const excluded = new Set(Array.from({ length: 40 }, () => Math.floor(rand() * 500)));
    const expected = scores
      .map((s, i) => ({ s, i }))
      .filter(({ i }) => !excluded.has(i))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .slice(0, 25)
      .map(({ i }) => i);
    expect(topN(scores, 25, excluded)).toEqual(expected);
  });
});
