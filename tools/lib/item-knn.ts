import type { UserItems } from '@reelrank/trainer';

/**
 * Item-kNN with cosine similarity over the 0/1 who-rated-what matrix (a peer of the ranker, not
 * served): sim(i, j) = |U_i ∩ U_j| / sqrt(|U_i|·|U_j|); each movie j keeps its `k` most similar
 * movies N_k(j) (ties: lower index), and a user's score of j is Σ sim(i, j) over the movies i in
 * N_k(j) they rated.
 */
export interface ItemKnn {
  nMovies: number;
  /** For each rated movie i, the movies j with i ∈ N_k(j) and sim(i, j), as CSR rows. */
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
}

/** Each movie's neighbours by cosine, best first, at most `maxK` (computed once, cut to any k <= maxK). */
export interface Neighbours {
  nMovies: number;
  maxK: number;
  index: Int32Array;
  similarity: Float32Array;
  count: Int32Array;
}

export function cosineNeighbours(items: UserItems, nMovies: number, maxK: number): Neighbours {
  const counts = new Float64Array(nMovies);
  for (const i of items.movies) counts[i]++;
  const co = new Float32Array(nMovies * nMovies);
  const nUsers = items.offsets.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const from = items.offsets[u];
    const to = items.offsets[u + 1];
    for (let x = from; x < to; x++) {
      const row = items.movies[x] * nMovies;
      for (let y = from; y < to; y++) co[row + items.movies[y]] += 1;
    }
  }
  const index = new Int32Array(nMovies * maxK);
  const similarity = new Float32Array(nMovies * maxK);
  const count = new Int32Array(nMovies);
  const order = new Int32Array(nMovies);
  const sims = new Float64Array(nMovies);
  for (let j = 0; j < nMovies; j++) {
    let n = 0;
    const row = j * nMovies;
    for (let i = 0; i < nMovies; i++) {
      if (i === j || co[row + i] === 0) continue;
      sims[i] = co[row + i] / Math.sqrt(counts[i] * counts[j]);
      order[n++] = i;
    }
    const best = Array.from(order.subarray(0, n))
      .sort((a, b) => sims[b] - sims[a] || a - b)
      .slice(0, maxK);
    count[j] = best.length;
    best.forEach((i, r) => {
      index[j * maxK + r] = i;
      similarity[j * maxK + r] = sims[i];
    });
  }
  return { nMovies, maxK, index, similarity, count };
}

/** The model keeping k neighbours per movie, indexed by the rated movie for scoring. */
export function itemKnn(neighbours: Neighbours, k: number): ItemKnn {
  const { nMovies, maxK, index, similarity, count } = neighbours;
  if (k > maxK) throw new Error(`itemKnn: k ${k} > the ${maxK} neighbours computed`);
  const offsets = new Int32Array(nMovies + 1);
  for (let j = 0; j < nMovies; j++) for (let r = 0; r < Math.min(k, count[j]); r++) offsets[index[j * maxK + r] + 1]++;
  for (let i = 0; i < nMovies; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, nMovies);
  const targets = new Int32Array(offsets[nMovies]);
  const weights = new Float32Array(offsets[nMovies]);
  for (let j = 0; j < nMovies; j++)
    for (let r = 0; r < Math.min(k, count[j]); r++) {
      const i = index[j * maxK + r];
      targets[fill[i]] = j;
      weights[fill[i]++] = similarity[j * maxK + r];
    }
  return { nMovies, offsets, targets, weights };
}

/** A user's item-kNN scores of every movie into `out` (rated: the user's movies). */
export function scoreItemKnn(model: ItemKnn, rated: ArrayLike<number>, out: Float32Array): Float32Array {
  out.fill(0);
  for (let p = 0; p < rated.length; p++) {
    const i = rated[p];
    for (let e = model.offsets[i]; e < model.offsets[i + 1]; e++) out[model.targets[e]] += model.weights[e];
  }
  return out;
}
