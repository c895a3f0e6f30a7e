import { confidenceOf, gramOf, implicitSolveBuffers, solveImplicitRow } from '@reelrank/model';
import { cgScratch, cgSolveRows } from './als-cg-kernel.js';
import { AlsSweeper, type AlsSide } from './als-parallel.js';
import type { KernelKind } from './kernel-pool.js';
import { seededRandom } from '@reelrank/random';
import { loadConfig } from '@reelrank/config';
import { implicitSettings } from './training-plan.js';
import { trainImplicitAls } from './train-implicit.js';
import { indexRatings, buildIndexing } from './indexing.js';
import { emptyColumns } from './ratings.js';

/** The committed ranker settings (config/training.json), without env overrides. */
const DEFAULT_IMPLICIT = implicitSettings(loadConfig({ env: {} }).training);

/** A random CSR side: `rows` rows over `nOther` other-side rows, 0..maxPerRow entries each. */
function randomSide(rows: number, nOther: number, maxPerRow: number, seed: number): AlsSide {
  const random = seededRandom(seed);
  const offsets = new Int32Array(rows + 1);
  const others: number[] = [];
  const conf: number[] = [];
  for (let g = 0; g < rows; g++) {
    const n = g === 3 ? 0 : Math.floor(random() * (maxPerRow + 1));
    const picked = new Set<number>();
    while (picked.size < Math.min(n, nOther)) picked.add(Math.floor(random() * nOther));
    for (const o of picked) {
      others.push(o);
      conf.push(confidenceOf({ ...DEFAULT_IMPLICIT, ratingSlope: 0.5 }, 0.5 + Math.floor(random() * 10) / 2));
    }
    offsets[g + 1] = others.length;
  }
  return { rows, offsets, others: Int32Array.from(others), conf: Float32Array.from(conf) };
}

describe('implicit ALS by conjugate gradient', () => {
  it('when CG runs k steps from zero, then every row equals the exact Cholesky solve within 1e-5 (relative)', () => {
    const k = 12;
    const random = seededRandom(7);
    const V = Float32Array.from({ length: 50 * k }, () => (random() - 0.5) * 0.6);
    const G = gramOf(V, k);
    const side = randomSide(20, 50, 15, 8);
    const reg = 0.5;
    const cg = new Float32Array(20 * k);
    cgSolveRows(G, V, k, side.offsets, side.others, side.conf, reg, cg, 0, 20, k, cgScratch(k));
    const exact = new Float32Array(20 * k);
    const conf = Float64Array.from(side.conf);
    for (let g = 0; g < 20; g++)
      solveImplicitRow(G, V, k, side.others, conf, side.offsets[g], side.offsets[g + 1], reg, exact, g * k, implicitSolveBuffers(k));
    for (let g = 0; g < 20; g++) {
      let diff = 0;
      let norm = 0;
      for (let a = 0; a < k; a++) {
        diff += (cg[g * k + a] - exact[g * k + a]) ** 2;
        norm += exact[g * k + a] ** 2;
      }
      if (side.offsets[g + 1] === side.offsets[g])
        expect([norm, diff]).toEqual([0, 0]); // no observations (row 3 at least): x = 0 on both paths
      else expect(Math.sqrt(diff / norm)).toBeLessThan(1e-5);
    }
  });

  it('when CG takes 3 warm-started steps per sweep, then the residual shrinks towards the exact solve', () => {
    const k = 16;
    const random = seededRandom(9);
    const V = Float32Array.from({ length: 80 * k }, () => (random() - 0.5) * 0.6);
    const G = gramOf(V, k);
    const side = randomSide(1, 80, 60, 10);
    const A = new Float64Array(k * k);
    const b = new Float64Array(k);
    const exact = new Float32Array(k);
    solveImplicitRow(G, V, k, side.others, Float64Array.from(side.conf), 0, side.offsets[1], 1, exact, 0, { A, b });
    const x = new Float32Array(k);
    const errors: number[] = [];
    for (let round = 0; round < 4; round++) {
      cgSolveRows(G, V, k, side.offsets, side.others, side.conf, 1, x, 0, 1, 3, cgScratch(k));
      errors.push(Math.hypot(...Array.from(x, (v, a) => v - exact[a])));
    }
    for (let j = 1; j < errors.length; j++) expect(errors[j]).toBeLessThan(errors[j - 1]);
    expect(errors[3]).toBeLessThan(1e-4 * Math.hypot(...exact));
  });

  it('when the SIMD kernel runs k steps from zero, then every row equals the exact Cholesky solve within 1e-3 (relative, float32)', () => {
    const k = 12;
    const random = seededRandom(7);
    const V = Float32Array.from({ length: 50 * k }, () => (random() - 0.5) * 0.6);
    const side = randomSide(20, 50, 15, 8);
    const sweeper = new AlsSweeper({ k, nUsers: 20, nMovies: 50, nnz: side.others.length, threads: 1, kernel: 'wasm' });
    expect(sweeper.kernel).toBe('wasm');
    sweeper.users.offsets.set(side.offsets);
    sweeper.users.others.set(side.others);
    sweeper.users.conf.set(side.conf);
    sweeper.setFactors('movies', V);
    sweeper.start();
    sweeper.halfSweep('users', 0.5, k + 4);
    const cg = sweeper.factors('users');
    void sweeper.close();
    const G = gramOf(V, k);
    const exact = new Float32Array(20 * k);
    for (let g = 0; g < 20; g++)
      solveImplicitRow(
        G,
        V,
        k,
        side.others,
        Float64Array.from(side.conf),
        side.offsets[g],
        side.offsets[g + 1],
        0.5,
        exact,
        g * k,
        implicitSolveBuffers(k),
      );
    for (let g = 0; g < 20; g++) {
      let diff = 0;
      let norm = 0;
      for (let a = 0; a < k; a++) {
        diff += (cg[g * k + a] - exact[g * k + a]) ** 2;
        norm += exact[g * k + a] ** 2;
      }
      if (side.offsets[g + 1] === side.offsets[g]) expect([norm, diff]).toEqual([0, 0]);
      else expect(Math.sqrt(diff / norm)).toBeLessThan(1e-3);
    }
  });

  it('when trainImplicitAls runs CG on 1 or 2 worker threads (either kernel), then the factors are identical bit for bit, and close to the exact solver in ranking terms', () => {
    const random = seededRandom(3);
    const rows: Array<[number, number]> = [];
    for (let u = 0; u < 200; u++) for (let m = 0; m < 60; m++) if (random() < (u % 3 === m % 3 ? 0.3 : 0.05)) rows.push([u + 1, m + 1]);
    const columns = emptyColumns(rows.length);
    rows.forEach(([u, m], n) => {
      columns.userIds[n] = u;
      columns.movieIds[n] = m;
      columns.ratings[n] = 4;
    });
    const indexing = buildIndexing(columns);
    const data = indexRatings(columns, indexing);
    const nU = indexing.users.ids.length;
    const nM = indexing.movies.ids.length;
    const hyper = { ...DEFAULT_IMPLICIT, factors: 6, sweeps: 6, regularization: 1 };
    const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const kernel of ['wasm', 'js'] as KernelKind[]) {
      const single = trainImplicitAls(data, nU, nM, hyper, undefined, { threads: 1, kernel });
      const parallel = trainImplicitAls(data, nU, nM, hyper, undefined, { threads: 2, parallelMinRatings: 0, kernel });
      expect(bits(parallel.userFactors).equals(bits(single.userFactors))).toBe(true);
      expect(bits(parallel.movieFactors).equals(bits(single.movieFactors))).toBe(true);
      expect(single.userFactors.some((v) => v !== 0)).toBe(true);
    }
    const one = trainImplicitAls(data, nU, nM, hyper, undefined, { threads: 1 });
    // Same planted structure as the exact solver: a user's own group scores above the others on average.
    for (const f of [one, trainImplicitAls(data, nU, nM, { ...hyper, cgSteps: 0 })]) {
      let own = 0;
      let other = 0;
      for (let u = 0; u < nU; u++) {
        for (let i = 0; i < nM; i++) {
          let dot = 0;
          for (let a = 0; a < 6; a++) dot += f.userFactors[u * 6 + a] * f.movieFactors[i * 6 + a];
          if ((indexing.users.ids[u] - 1) % 3 === (indexing.movies.ids[i] - 1) % 3) own += dot;
          else other += dot / 2;
        }
      }
      expect(own).toBeGreaterThan(2 * other);
    }
  });
});
