import type { MfModel } from '@reelrank/model';
import { seededRandom } from '@reelrank/random';
import { plantedData } from '../testing/planted-data.js';
import { buildIdIndex, buildIndexing, indexRatings } from './indexing.js';
import { ratingMetrics } from './rating-metrics.js';
import { fitBaselineBiases, initModel } from './sgd-kernel.js';
import { loadSvdppWasm, ParallelSvdpp, type SvdppStep } from './svdpp-parallel.js';
import { meanOf, trainMf, type MfHyperParameters } from './train-mf.js';
import { DEFAULT_SVDPP, trainSvdpp } from './train-svdpp.js';

const step: SvdppStep = {
  learningRate: 0.02,
  regularization: 0.01,
  biasRegularization: 0.001,
  implicitLearningRate: 0.01,
  implicitRegularization: 0.1,
};

describe('parallel SVD++ kernel', () => {
  const planted = plantedData({ nUsers: 200, nMovies: 120, rank: 3, observedShare: 0.5, noise: 0.05, seed: 11 });

  function prepared(factors = 4) {
    const indexing = buildIndexing(planted.observed);
    const data = indexRatings(planted.observed, indexing);
    const model = initModel(indexing.users.ids, indexing.movies.ids, factors, meanOf(planted.observed.ratings), 0.1, seededRandom(3));
    fitBaselineBiases(model, data, 10, 10, 15);
    return { model, data };
  }

  async function epochs(threads: number, kernel: 'wasm' | 'js', count: number, factors = 4) {
    const { model, data } = prepared(factors);
    const pool = new ParallelSvdpp(model, data, { threads, seed: 77, kernel });
    try {
      const sse: number[] = [];
      for (let e = 0; e < count; e++) sse.push(pool.epoch(step));
      return { folded: pool.foldedModel(), sse, kernel: pool.kernel };
    } finally {
      await pool.close();
    }
  }

  it('when the SIMD module is loaded, then it compiles in this runtime', () => {
    expect(loadSvdppWasm()).not.toBeNull();
  });

  it('when one user rated two movies, then two epochs give the hand-computed parameters (known answer, both kernels)', async () => {
    // k = 2 (padded to 8 in the shared memory), μ = 3, biases 0, p = (0.1, 0.2), q_0 = (0.3, -0.1), q_1 = (0.2, 0.4).
    const make = (): MfModel => ({
      factors: 2,
      globalMean: 3,
      userIds: Int32Array.from([1]),
      movieIds: Int32Array.from([10, 20]),
      userBias: new Float32Array(1),
      movieBias: new Float32Array(2),
      userFactors: Float32Array.from([0.1, 0.2]),
      movieFactors: Float32Array.from([0.3, -0.1, 0.2, 0.4]),
    });
    const data = {
      users: Int32Array.from([0, 0]),
      movies: Int32Array.from([0, 1]),
      ratings: Float32Array.from([4, 2]),
      unknownUsers: 0,
      unknownMovies: 0,
    };
    // The same epochs by hand in f64. The order of the user's two ratings is seeded: run both orders.
    const expected = (order: number[]) => {
      const { learningRate: lr, regularization: reg, biasRegularization: regB, implicitLearningRate: lrY, implicitRegularization: regY } = step;
      let bu = 0;
      const bi = [0, 0];
      let p = [0.1, 0.2];
      const q = [
        [0.3, -0.1],
        [0.2, 0.4],
      ];
      const y = [
        [0, 0],
        [0, 0],
      ];
      const s = 1 / Math.sqrt(2);
      let z = [0, 0];
      const r = [4, 2];
      for (let epoch = 0; epoch < 2; epoch++) {
        const g = [0, 0];
        for (const i of order) {
          const e = r[i] - (3 + bu + bi[i] + (p[0] + z[0]) * q[i][0] + (p[1] + z[1]) * q[i][1]);
          bu += lr * (e - regB * bu);
          bi[i] += lr * (e - regB * bi[i]);
          const oldP = p;
          const oldQ = q[i];
          p = oldP.map((v, f) => (1 - lr * reg) * v + lr * e * oldQ[f]);
          q[i] = oldQ.map((v, f) => (1 - lr * reg) * v + lr * e * (oldP[f] + z[f]));
          g[0] += e * oldQ[0];
          g[1] += e * oldQ[1];
        }
        for (const j of [0, 1]) y[j] = y[j].map((v, f) => (1 - lrY * regY) * v + lrY * s * g[f]);
        z = [0, 1].map((f) => s * (y[0][f] + y[1][f]));
      }
      return { bu, bi, user: p.map((v, f) => v + z[f]), movies: [...q[0], ...q[1]] };
    };
    for (const kernel of ['wasm', 'js'] as const) {
      const pool = new ParallelSvdpp(make(), data, { threads: 1, seed: 5, blocks: 1, kernel });
      try {
        pool.epoch(step);
        pool.epoch(step);
        const got = pool.foldedModel();
        const candidates = [expected([0, 1]), expected([1, 0])];
        expect(Math.abs(candidates[0].bu - candidates[1].bu)).toBeGreaterThan(1e-4); // the two orders are told apart
        const want = candidates.reduce((best, c) => (Math.abs(c.bu - got.userBias[0]) < Math.abs(best.bu - got.userBias[0]) ? c : best));
        expect(got.userBias[0]).toBeCloseTo(want.bu, 6);
        want.bi.forEach((v, i) => expect(got.movieBias[i]).toBeCloseTo(v, 6));
        want.user.forEach((v, f) => expect(got.userFactors[f]).toBeCloseTo(v, 6));
        want.movies.forEach((v, f) => expect(got.movieFactors[f]).toBeCloseTo(v, 6));
      } finally {
        await pool.close();
      }
    }
  });

  it('when the SIMD and plain-JS kernels run the same epochs (1 thread, same order, k = 5 padded to 8), then they agree within 1e-4', async () => {
    const wasm = await epochs(1, 'wasm', 5, 5);
    const js = await epochs(1, 'js', 5, 5);
    expect(wasm.kernel).toBe('wasm');
    expect(js.kernel).toBe('js');
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, j) => Math.max(m, Math.abs(v - b[j])), 0);
    expect(maxDiff(wasm.folded.userFactors, js.folded.userFactors)).toBeLessThan(1e-4);
    expect(maxDiff(wasm.folded.movieFactors, js.folded.movieFactors)).toBeLessThan(1e-4);
    expect(maxDiff(wasm.folded.userBias, js.folded.userBias)).toBeLessThan(1e-4);
    for (let e = 0; e < 5; e++) expect(Math.abs(wasm.sse[e] - js.sse[e]) / js.sse[e]).toBeLessThan(1e-4);
    expect(wasm.sse[4]).toBeLessThan(wasm.sse[0]);
  });

  it('when run with 1 or 3 threads (chunks of a task are disjoint), then the parameters are bit for bit identical', async () => {
    const one = await epochs(1, 'wasm', 4);
    const three = await epochs(3, 'wasm', 4);
    expect(Array.from(three.folded.userFactors)).toEqual(Array.from(one.folded.userFactors));
    expect(Array.from(three.folded.movieFactors)).toEqual(Array.from(one.folded.movieFactors));
    expect(Array.from(three.folded.movieBias)).toEqual(Array.from(one.folded.movieBias));
    expect(three.sse).toEqual(one.sse);
  });

  it('when validation rows are given, then validationRmse equals ratingMetrics of the folded model (clipping, unknown ids)', async () => {
    const { model, data } = prepared(6);
    const indexing = { users: buildIdIndex(model.userIds), movies: buildIdIndex(model.movieIds) };
    const held = indexRatings(planted.heldOut, indexing);
    const val = {
      users: Int32Array.from([...held.users, -1, 0]),
      movies: Int32Array.from([...held.movies, 0, -1]),
      ratings: Float32Array.from([...held.ratings, 5, 0.5]),
      unknownUsers: held.unknownUsers + 1,
      unknownMovies: held.unknownMovies + 1,
    };
    val.ratings[0] = 40;
    const pool = new ParallelSvdpp(model, data, { threads: 2, seed: 3, validation: val });
    try {
      pool.epoch(step);
      pool.epoch(step);
      expect(pool.validationRmse()).toBeCloseTo(ratingMetrics(pool.foldedModel(), val).rmse, 5);
    } finally {
      await pool.close();
    }
  });

  it('when trainSvdpp fits planted data on 2 threads, then held-out RMSE is within 5% of plain MF and the run is reproducible', () => {
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
    const heldOut = (model: MfModel) =>
      ratingMetrics(model, indexRatings(planted.heldOut, { users: buildIdIndex(model.userIds), movies: buildIdIndex(model.movieIds) })).rmse;
    const mf = trainMf(planted.observed, null, hyper, { threads: 1 });
    const a = trainSvdpp(planted.observed, null, { ...DEFAULT_SVDPP, ...hyper }, { threads: 2 });
    const b = trainSvdpp(planted.observed, null, { ...DEFAULT_SVDPP, ...hyper }, { threads: 2 });
    expect(a.kernel).toBe('parallel-wasm');
    expect(a.threads).toBe(2);
    expect(heldOut(a.model)).toBeLessThan(0.15);
    expect(heldOut(a.model)).toBeLessThan(heldOut(mf.model) * 1.05);
    expect(Array.from(b.model.userFactors)).toEqual(Array.from(a.model.userFactors));
  });

  it('when closed, then the kernel refuses further epochs', async () => {
    const { model, data } = prepared();
    const pool = new ParallelSvdpp(model, data, { threads: 2, seed: 1 });
    await expect(pool.close()).resolves.toBeUndefined();
    expect(() => pool.epoch(step)).toThrow(/closed/);
  });
});
