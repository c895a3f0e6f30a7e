import { mmrRerank, topNInto, unitCosine, unitRows, type RankingModel } from '@reelrank/model';
import type { ServingIndex } from './serving-index.js';

/** Candidates the diversity re-ranking chooses from: the user's top this many unmasked movies. */
export const DIVERSITY_POOL = 200;

/**
 * A request's `diversity` (0..1): the top DIVERSITY_POOL unmasked movies of the ranking scores, re-ranked
 * by maximal marginal relevance (@reelrank/model mmrRerank) with the cosine of the ranker's implicit
 * item factors (a few dozen dimensions, so the re-ranking costs little next to the scoring; the rating
 * model's factors without a ranker). Reused buffers, like RequestScratch.
 */
export class DiversePicks {
  private readonly index: Int32Array;
  private readonly score: Float64Array;
  private readonly cosine: (a: number, b: number) => number;

  constructor(
    private readonly ix: ServingIndex,
    ranking?: Pick<RankingModel, 'factors' | 'movieFactors'>,
  ) {
    const pool = Math.min(DIVERSITY_POOL, ix.model.movieIds.length);
    this.index = new Int32Array(pool);
    this.score = new Float64Array(pool);
    // Without a ranker, the unit rows SimilarMovies already holds for `similar`.
    this.cosine = ranking ? unitCosine(unitRows(ranking.movieFactors, ranking.factors), ranking.factors) : (a, b) => ix.similarity.cosine(a, b);
  }

  /** The n picks (model movie indices) among the movies of `scores` that `mask` leaves, in `wanted` genres (0: any). */
  pick(scores: Float32Array, mask: Uint8Array, n: number, wanted: number, diversity: number): number[] {
    const genres = wanted === 0 ? undefined : this.ix.catalogue.genreBits;
    const count = topNInto(scores, this.index.length, mask, this.index, this.score, genres, wanted);
    return mmrRerank(this.index.subarray(0, count), this.score.subarray(0, count), n, diversity, this.cosine);
  }
}
