import { topNInto } from '@reelrank/model';
import { seededRandom } from '@reelrank/random';
import { blendGridBatch } from './blend-grid-pool.js';
import { blendGridPoints, blendGridScorer, type BlendGridSpec } from './blend-grid.js';

/**
 * The grid's figures of one user by ranking every movie for every point: the blended row as the tuning
 * rounds it (float32 after each term: rating, EASE on the covered movies, popularity), seen movies left
 * out, ties to the lower movie index, then precision and NDCG at K.
 */
function rankEveryMovie(
  spec: BlendGridSpec,
  rows: { implicit: Float32Array; rating: Float32Array; ease: Float32Array },
  seen: number[],
  relevant: number[],
) {
  const { k, nMovies } = spec;
  const excluded = new Uint8Array(nMovies);
  for (const i of seen) excluded[i] = 1;
  const covered = new Uint8Array(nMovies);
  for (const i of spec.easeCovered) covered[i] = 1;
  const row = new Float32Array(nMovies);
  const index = new Int32Array(k);
  const score = new Float64Array(k);
  const gains: number[] = [];
  const idcg = Array.from({ length: Math.min(k, relevant.length) }, (_, j) => 1 / Math.log2(j + 2)).reduce((a, b) => a + b, 0);
  for (const r of spec.ratingWeights)
    for (const we of spec.easeWeights)
      for (const p of spec.popularityWeights) {
        for (let i = 0; i < nMovies; i++) {
          let s = Math.fround(rows.implicit[i] + r * rows.rating[i]);
          if (spec.hasEase && we !== 0 && covered[i]) s = Math.fround(s + we * rows.ease[i]);
          row[i] = s + p * spec.prior[i];
        }
        const count = topNInto(row, k, excluded, index, score);
        let hits = 0;
        let dcg = 0;
        for (let rank = 0; rank < count; rank++)
          if (relevant.includes(index[rank])) {
            hits++;
            dcg += 1 / Math.log2(rank + 2);
          }
        gains.push(hits / k, dcg / idcg);
      }
  return gains;
}

describe('blendGridScorer', () => {
  it('when the grid is scored with its pruning, then every figure equals ranking every movie for every point, ties and seen movies included', () => {
    const random = seededRandom(11);
    for (const [trial, hasEase] of [
      [0, true],
      [1, false],
      [2, true],
    ] as const) {
      const nMovies = 300;
      const users = 12;
      const covered = Int32Array.from(Array.from({ length: nMovies }, (_, i) => i).filter(() => hasEase && random() < 0.3));
      // Coarse values make ties common; a few popular movies with a large prior.
      const coarse = (x: number) => Math.round(x * 20) / 20;
      const spec: BlendGridSpec = {
        k: 10,
        nMovies,
        ratingWeights: trial === 2 ? [0.6, 0, 0.1] : [0, 0.05, 0.15, 0.6],
        easeWeights: hasEase ? [0, 1, 4] : [0],
        popularityWeights: [0, 0.02, 0.08],
        hasEase,
        prior: Float32Array.from({ length: nMovies }, () => Math.log1p(Math.floor(random() ** 3 * 300))),
        easeCovered: covered,
      };
      const seenOf = Array.from({ length: users }, () => Array.from({ length: nMovies }, (_, i) => i).filter(() => random() < 0.2));
      const relevantOf = Array.from({ length: users }, (_, b) =>
        Array.from({ length: nMovies }, (_, i) => i).filter((i) => !seenOf[b].includes(i) && random() < 0.05),
      );
      const capacity = { users, seen: seenOf.flat().length, relevant: relevantOf.flat().length };
      const batch = blendGridBatch(spec, capacity, ArrayBuffer);
      const rowsOf = Array.from({ length: users }, () => ({
        implicit: Float32Array.from({ length: nMovies }, () => coarse(random() * 2 - 0.5)),
        rating: Float32Array.from({ length: nMovies }, () => coarse(1 + random() * 4)),
        ease: Float32Array.from({ length: nMovies }, () => coarse(random() - 0.3)),
      }));
      let seen = 0;
      let rel = 0;
      rowsOf.forEach((rows, b) => {
        batch.implicitRows.set(rows.implicit, b * nMovies);
        batch.ratingRows.set(rows.rating, b * nMovies);
        if (hasEase) batch.easeRows.set(rows.ease, b * nMovies);
        batch.seenOffsets[b] = seen;
        batch.seenMovies.set(seenOf[b], seen);
        seen += seenOf[b].length;
        batch.relevantOffsets[b] = rel;
        batch.relevantMovies.set(relevantOf[b], rel);
        rel += relevantOf[b].length;
        batch.relevantCount[b] = relevantOf[b].length;
      });
      batch.seenOffsets[users] = seen;
      batch.relevantOffsets[users] = rel;
      const score = blendGridScorer(spec);
      const nPoints = blendGridPoints(spec);
      for (let b = 0; b < users; b++) {
        score(batch, b);
        const pruned = Array.from(batch.gains.subarray(b * nPoints * 2, (b + 1) * nPoints * 2));
        expect(pruned).toEqual(rankEveryMovie(spec, rowsOf[b], seenOf[b], relevantOf[b]));
      }
      expect(batch.gains.some((g) => g > 0)).toBe(true);
    }
  });
});
