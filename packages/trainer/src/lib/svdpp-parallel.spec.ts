import type { MfModel } from '@reelrank/model';
import { heldOutRmse as rmseOn, initialisedModel, plantedData } from '../testing/planted-data.js';
import { buildIdIndex, indexRatings } from './indexing.js';
import { ratingMetrics } from './rating-metrics.js';
import { loadSvdppWasm, ParallelSvdpp, type SvdppStep } from './svdpp-parallel.js';
import { trainMf, type MfHyperParameters } from './train-mf.js';
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

  const prepared = (factors = 4) => initialisedModel(planted.observed, factors);

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
    // The same two epochs by hand in f64 (one visit per epoch). The order of the user's two ratings is
    // seeded and may differ per epoch: compute the four possible order pairs.
    const expected = (orders: number[][]) => {
      const { learningRate: lr, regularization: reg, biasRegularization: regB, implicitLearningRate: lrY, implicitRegularization: regY } = step;
      let bu = 0;
      const bi = [0, 0];
      let p = [0.1, 0.2];
      const q = [
        [0.3, -0.1],
        [0.2, 0.4],
      ];
      let y = [
        [0, 0],
        [0, 0],
      ];
      const s = 1 / Math.sqrt(2);
      const r = [4, 2];
      for (const order of orders) {
        const z = [0, 1].map((f) => s * (y[0][f] + y[1][f]));
        const g = [0, 0];
        for (const i of order) {
          const e = r[i] - (3 + bu + bi[i] + (p[0] + z[0]) * q[i][0] + (p[1] + z[1]) * q[i][1]);
          bu += lr * (e - regB * bu);
          bi[i] += lr * (e - regB * bi[i]);
          const oldP = p;
          const oldQ = q[i];
          p = oldP.map((v, f) => v + lr * (e * oldQ[f] - reg * v));
          q[i] = oldQ.map((v, f) => v + lr * (e * (oldP[f] + z[f]) - reg * v));
          g[0] += e * oldQ[0];
          g[1] += e * oldQ[1];
        }
        y = y.map((yj) => yj.map((v, f) => v + lrY * (s * g[f] - regY * v)));
      }
      const z = [0, 1].map((f) => s * (y[0][f] + y[1][f]));
      return { bu, bi, user: p.map((v, f) => v + z[f]), movies: [...q[0], ...q[1]] };
    };
    const both = [
      [0, 1],
      [1, 0],
    ];
    const candidates = both.flatMap((first) => both.map((second) => expected([first, second])));
    for (const kernel of ['wasm', 'js'] as const) {
      const pool = new ParallelSvdpp(make(), data, { threads: 1, seed: 5, kernel });
      try {
        pool.epoch(step);
        pool.epoch(step);
        const got = pool.foldedModel();
        for (const other of candidates.slice(1)) expect(Math.abs(candidates[0].user[0] - other.user[0])).toBeGreaterThan(1e-6); // orders told apart
        const want = candidates.reduce((best, c) =>
          Math.abs(c.user[0] - got.userFactors[0]) < Math.abs(best.user[0] - got.userFactors[0]) ? c : best,
        );
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

  it('when run twice on 1 thread, then the parameters are bit for bit identical; on 2 threads (Hogwild) the train loss stays within 1%', async () => {
    const one = await epochs(1, 'wasm', 4);
    const again = await epochs(1, 'wasm', 4);
    expect(Array.from(again.folded.userFactors)).toEqual(Array.from(one.folded.userFactors));
    expect(Array.from(again.folded.movieFactors)).toEqual(Array.from(one.folded.movieFactors));
    expect(again.sse).toEqual(one.sse);
    const two = await epochs(2, 'wasm', 4);
    for (let e = 0; e < 4; e++) expect(Math.abs(two.sse[e] - one.sse[e]) / one.sse[e]).toBeLessThan(0.01);
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

  it('when trainSvdpp fits planted data, then held-out RMSE is within 5% of plain MF on 2 threads, and one thread reproduces its model', () => {
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
    const heldOut = (model: MfModel) => rmseOn(model, planted.heldOut);
    const mf = trainMf(planted.observed, null, hyper, { threads: 1 });
    const a = trainSvdpp(planted.observed, null, { ...DEFAULT_SVDPP, ...hyper }, { threads: 2 });
    expect(a.kernel).toBe('parallel-wasm');
    expect(a.threads).toBe(2);
    expect(heldOut(a.model)).toBeLessThan(0.15);
    expect(heldOut(a.model)).toBeLessThan(heldOut(mf.model) * 1.05);
    const short = { ...DEFAULT_SVDPP, ...hyper, maxEpochs: 10 };
    const b = trainSvdpp(planted.observed, null, short, { threads: 1 });
    const c = trainSvdpp(planted.observed, null, short, { threads: 1 });
    expect(Array.from(c.model.userFactors)).toEqual(Array.from(b.model.userFactors));
  });

  it('when closed, then the kernel refuses further epochs', async () => {
    const { model, data } = prepared();
    const pool = new ParallelSvdpp(model, data, { threads: 2, seed: 1 });
    await expect(pool.close()).resolves.toBeUndefined();
    expect(() => pool.epoch(step)).toThrow(/closed/);
  });
});
