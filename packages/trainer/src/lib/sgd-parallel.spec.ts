import { heldOutRmse as rmseOn, initialisedModel, plantedData } from '../testing/planted-data.js';
import { buildIdIndex, indexRatings } from './indexing.js';
import { ratingMetrics } from './rating-metrics.js';
import { loadSgdWasm, ParallelSgd } from './sgd-parallel.js';
import { trainMf, type MfHyperParameters } from './train-mf.js';

const hyper: MfHyperParameters = {
  seed: 5,
  factors: 4,
  maxEpochs: 150,
  learningRate: 0.03,
  learningRateDecay: 0.995,
  regularization: 0.005,
  biasRegularization: 0.001,
  initStd: 0.1,
  patience: 10,
};

describe('parallel SGD kernel', () => {
  const planted = plantedData({ nUsers: 200, nMovies: 120, rank: 3, observedShare: 0.5, noise: 0.05, seed: 11 });
  const heldOutRmse = (model: Parameters<typeof rmseOn>[0]) => rmseOn(model, planted.heldOut);

  const prepared = (factors = 4) => initialisedModel(planted.observed, factors);

  async function epochs(threads: number, kernel: 'wasm' | 'js', count: number, factors = 4) {
    const { model, data } = prepared(factors);
    const sgd = new ParallelSgd(model, data, { threads, seed: 77, kernel });
    try {
      const sse: number[] = [];
      for (let e = 0; e < count; e++) sse.push(sgd.epoch({ learningRate: 0.02, regularization: 0.01, biasRegularization: 0.001 }));
      return { model, sse, kernel: sgd.kernel };
    } finally {
      await sgd.close();
    }
  }

  it('when the SIMD module is loaded, then it compiles in this runtime', () => {
    expect(loadSgdWasm()).not.toBeNull();
  });

  it('when trained on planted data with 2 threads, then held-out RMSE is within 2% of the single-thread path', () => {
    const single = trainMf(planted.observed, null, hyper, { threads: 1 });
    const parallel = trainMf(planted.observed, null, hyper, { threads: 2, parallelMinRatings: 0 });
    expect(single.kernel).toBe('single-thread');
    expect(parallel.kernel).toBe('parallel-wasm');
    expect(parallel.threads).toBe(2);
    const a = heldOutRmse(single.model);
    const b = heldOutRmse(parallel.model);
    expect(a).toBeLessThan(0.15);
    expect(b).toBeLessThan(a * 1.02);
  });

  it('when run with 1 or 3 threads (cells of a stratum are disjoint), then the parameters are identical', async () => {
    const one = await epochs(1, 'wasm', 4);
    const three = await epochs(3, 'wasm', 4);
    expect(Array.from(three.model.userFactors)).toEqual(Array.from(one.model.userFactors));
    expect(Array.from(three.model.movieFactors)).toEqual(Array.from(one.model.movieFactors));
    expect(Array.from(three.model.userBias)).toEqual(Array.from(one.model.userBias));
    expect(three.sse).toEqual(one.sse);
  });

  it('when k is not a multiple of the SIMD width, then the wasm and JS kernels agree (padding stays zero)', async () => {
    const wasm = await epochs(2, 'wasm', 3, 5);
    const js = await epochs(2, 'js', 3, 5);
    expect(js.kernel).toBe('js');
    for (let j = 0; j < wasm.model.userFactors.length; j++) expect(wasm.model.userFactors[j]).toBeCloseTo(js.model.userFactors[j], 4);
    for (let e = 0; e < 3; e++) expect(wasm.sse[e]).toBeCloseTo(js.sse[e], 2);
    expect(wasm.sse[2]).toBeLessThan(wasm.sse[0]);
  });

  it('when validation rows are given, then validationRmse equals ratingMetrics (clipping, unknown ids through the biases)', async () => {
    const { model, data } = prepared(6);
    const indexing = { users: buildIdIndex(model.userIds), movies: buildIdIndex(model.movieIds) };
    const held = indexRatings(planted.heldOut, indexing);
    // Unknown user and unknown movie rows, and ratings far outside the predictions (exercise clipping).
    const val = {
      ...held,
      users: Int32Array.from([...held.users, -1, 0]),
      movies: Int32Array.from([...held.movies, 0, -1]),
      ratings: Float32Array.from([...held.ratings, 5, 0.5]),
    };
    val.ratings[0] = 40;
    const sgd = new ParallelSgd(model, data, { threads: 2, seed: 3, validation: val });
    try {
      sgd.epoch({ learningRate: 0.02, regularization: 0.01, biasRegularization: 0.001 });
      expect(sgd.validationRmse()).toBeCloseTo(ratingMetrics(model, val).rmse, 5);
    } finally {
      await sgd.close();
    }
  });

  it('when trainMf runs the parallel path twice with one seed, then the models are identical', () => {
    const short = { ...hyper, maxEpochs: 5 };
    const a = trainMf(planted.observed, planted.heldOut, short, { threads: 2, parallelMinRatings: 0 }).model;
    const b = trainMf(planted.observed, planted.heldOut, short, { threads: 2, parallelMinRatings: 0 }).model;
    expect(Array.from(a.movieFactors)).toEqual(Array.from(b.movieFactors));
  });

  it('when the train set is below parallelMinRatings, then the single-thread path runs', () => {
    const result = trainMf(planted.observed, null, { ...hyper, maxEpochs: 2 }, { threads: 2 });
    expect(result.kernel).toBe('single-thread');
  });

  it('when closed, then every worker thread exits and the kernel refuses further epochs', async () => {
    const { model, data } = prepared();
    const sgd = new ParallelSgd(model, data, { threads: 2, seed: 1 });
    await expect(sgd.close()).resolves.toBeUndefined();
    expect(() => sgd.epoch({ learningRate: 0.01, regularization: 0, biasRegularization: 0 })).toThrow(/closed/);
  });
});
