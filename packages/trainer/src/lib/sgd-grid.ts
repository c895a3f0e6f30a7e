import { shuffleInPlace, type Random } from '@reelrank/random';

/** The row orderings of the parallel SGD grid (sgd-parallel.ts): block assignment, by-user grouping, in-cell shuffle. */

/** A seeded assignment of `n` items to `blocks` blocks of (nearly) equal item counts. */
export function randomBlocks(n: number, blocks: number, random: Random): Uint16Array {
  const perm = Int32Array.from({ length: n }, (_, j) => j);
  shuffleInPlace(perm, random);
  const out = new Uint16Array(n);
  for (let j = 0; j < n; j++) out[perm[j]] = Math.floor((j * blocks) / n);
  return out;
}

/** Row numbers of the known (user, movie) rows, grouped by user index ascending (stable). */
export function groupRowsByUser(users: Int32Array, movies: Int32Array, nUsers: number): Int32Array {
  const start = new Int32Array(nUsers + 1);
  let rows = 0;
  for (let r = 0; r < users.length; r++) {
    if (users[r] < 0 || movies[r] < 0) continue;
    start[users[r] + 1]++;
    rows++;
  }
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
  const out = new Int32Array(rows);
  for (let r = 0; r < users.length; r++) if (users[r] >= 0 && movies[r] >= 0) out[start[users[r]]++] = r;
  return out;
}

/**
 * Fisher-Yates over rows [from, to) of three parallel columns. Deliberately shuffleInPlace
 * (@reelrank/random) written out for three arrays: the same draws in the same order (so the same
 * permutation), without an index permutation and three gathers per cell of millions of rows.
 */
export function shuffleRowsInPlace(U: Int32Array, M: Int32Array, R: Float32Array, from: number, to: number, random: Random): void {
  // Alike ingest synthetic-sampling.ts's partition by shape only (swaps of parallel columns): deliberate, a hot loop over
  // millions of rows; a shared swap helper would cost a call per swap.
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(random() * (i - from + 1));
    const u = U[i];
    U[i] = U[j];
    U[j] = u;
    const m = M[i];
    M[i] = M[j];
    M[j] = m;
    const r = R[i];
    R[i] = R[j];
    R[j] = r;
  }
}
