import { initTensorFlow } from '@reelrank/model';
import { cooccurrence, easeGram, fitEase, mostRatedMovies, solveEase } from './ease';
import type { UserItems } from './indexing';

/** Users' rated movies (model indices) as CSR. */
function itemsOf(rows: number[][]): UserItems {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((r, u) => (offsets[u + 1] = offsets[u] + r.length));
  const movies = Int32Array.from(rows.flat());
  return { offsets, movies, ratings: new Float32Array(movies.length).fill(4) };
}

/** Gauss-Jordan inverse with partial pivoting: an independent reference. */
function inverse(A: number[][]): number[][] {
  const n = A.length;
  const M = A.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const d = M[c][c];
    for (let j = 0; j < 2 * n; j++) M[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c];
      for (let j = 0; j < 2 * n; j++) M[r][j] -= f * M[c][j];
    }
  }
  return M.map((row) => row.slice(n));
}

const users = [[0, 1, 2], [0, 1], [1, 2, 3], [0, 3], [2], [0, 1, 2, 3, 4], [4, 0]];

describe('EASE fit', () => {
  it('when fitted, then B = I − P·diag(1/diag P) with P = (XᵀX + λI)⁻¹ over the 0/1 matrix (ratings ignored)', () => {
    const items = itemsOf(users);
    const lambda = 2;
    const { ease } = fitEase(items, 5, { lambda, maxMovies: 5 });
    expect(Array.from(ease.movies)).toEqual([0, 1, 2, 3, 4]);
    const G = Array.from({ length: 5 }, (_, a) => Array.from({ length: 5 }, (_, b) => users.filter((r) => r.includes(a) && r.includes(b)).length));
    const P = inverse(G.map((row, a) => row.map((g, b) => g + (a === b ? lambda : 0))));
    for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) expect(ease.weights[a * 5 + b]).toBeCloseTo(a === b ? 0 : -P[a][b] / P[b][b], 6);
    expect(ease.lambda).toBe(lambda);
  });

  it('when X weighs ratings, then its Gram sums the products of the pair’s weights, and B and the model carry the weighting', () => {
    // Ratings 4 (liked: 1) except user 0's movie 2 and user 3's movie 0 (rated 2: 0.25).
    const items = itemsOf(users);
    items.ratings[2] = 2;
    items.ratings[items.offsets[3]] = 2;
    const input = { likedRating: 4, otherWeight: 0.25 };
    const x = (u: number, a: number) => {
      const p = users[u].indexOf(a);
      return p < 0 ? 0 : items.ratings[items.offsets[u] + p] >= 4 ? 1 : 0.25;
    };
    const G = Array.from({ length: 5 }, (_, a) => Array.from({ length: 5 }, (_, b) => users.reduce((sum, _r, u) => sum + x(u, a) * x(u, b), 0)));
    const gram = easeGram(items, 5, 5, input);
    expect(Array.from(gram.gram)).toEqual(G.flat());
    // The 0/1 Gram counts those two ratings as 1.
    expect(gram.gram[0]).toBe(4 + 0.25 * 0.25);
    expect(easeGram(items, 5, 5).gram[0]).toBe(5);
    const lambda = 2;
    const { ease } = fitEase(items, 5, { lambda, maxMovies: 5, input });
    const P = inverse(G.map((row, a) => row.map((g, b) => g + (a === b ? lambda : 0))));
    for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) expect(ease.weights[a * 5 + b]).toBeCloseTo(a === b ? 0 : -P[a][b] / P[b][b], 6);
    expect(ease.input).toEqual(input);
    expect(fitEase(items, 5, { lambda, maxMovies: 5 }).ease.input).toBeUndefined();
  });

  it('when the catalogue is larger than maxMovies, then B covers the most-rated movies (ties: lower index) and their Gram only', () => {
    const items = itemsOf(users);
    // Counts: 0:5, 1:4, 2:4, 3:3, 4:2.
    expect(Array.from(mostRatedMovies(items, 6, 3))).toEqual([0, 1, 2]);
    expect(Array.from(mostRatedMovies(items, 6, 10))).toEqual([0, 1, 2, 3, 4]);
    const gram = easeGram(items, 6, 2);
    expect(Array.from(gram.movies)).toEqual([0, 1]);
    expect(Array.from(gram.gram)).toEqual([5, 3, 3, 4]);
    const positions = Int32Array.of(-1, -1, 0, 1, -1, -1);
    expect(Array.from(cooccurrence(items, positions, 2))).toEqual([4, 2, 2, 3]);
    expect(fitEase(items, 6, { lambda: 1, maxMovies: 2 }).ease.weights).toHaveLength(4);
  });

  it('when a pair of movies is always rated together, then each is the other’s strongest recommendation', () => {
    const rows = [[0, 1], [0, 1], [0, 1], [2, 3], [2], [3], [1, 2], [0, 3]];
    const { ease } = fitEase(itemsOf(rows), 4, { lambda: 0.5, maxMovies: 4 });
    const row0 = Array.from(ease.weights.subarray(0, 4));
    expect(row0.indexOf(Math.max(...row0))).toBe(1);
  });

  it('when given TF.js, then B is the same as the float64 inverse gives, to float32 precision', async () => {
    const { tf } = await initTensorFlow();
    const items = itemsOf(Array.from({ length: 40 }, (_, u) => Array.from({ length: 300 }, (_, i) => i).filter((i) => (i * 7 + u * 13) % 11 < 3)));
    const exact = fitEase(items, 300, { lambda: 5, maxMovies: 300 }).ease;
    const fast = fitEase(items, 300, { lambda: 5, maxMovies: 300 }, tf).ease;
    expect(Array.from(fast.movies)).toEqual(Array.from(exact.movies));
    let worst = 0;
    exact.weights.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - fast.weights[i]))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('refuses a non-positive lambda', () => {
    const gram = easeGram(itemsOf(users), 5, 5);
    expect(() => solveEase(gram, 0)).toThrow(/lambda > 0/);
  });
});
