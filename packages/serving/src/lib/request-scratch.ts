import { addEaseScores, fillEaseSums, rankingUserBias, topNInto, writeRankingUserVector, type RatedSpan } from '@reelrank/model';
import { BoundedTopN, type EaseTerm } from './bounded-top-n.js';
import type { ServingIndex } from './serving-index.js';

/**
 * The buffers one request works in, reused by every request: an exclusion mask over model movie
 * indices (resting state: the unservable and the hidden movies set) and the top-N picks. Requests set their
 * exclusions, rank, then clear them again, so nothing is allocated per request.
 */
export class RequestScratch {
  readonly mask: Uint8Array;
  readonly pickIndex: Int32Array;
  readonly pickScore: Float64Array;
  /** A known user's ranking vector, written when ranked (the ranker's users are not kept in its combined form). */
  private readonly userVector: Float32Array;
  /** The int8-bounded exact top N, when the index has a bound scorer. */
  readonly bounded?: BoundedTopN;
  private readonly easeTerm?: EaseTerm;

  constructor(private readonly ix: ServingIndex) {
    const { unservable, hidden } = ix.catalogue;
    this.mask = Uint8Array.from(unservable, (u, i) => u | hidden[i]);
    this.pickIndex = new Int32Array(ix.maxN);
    this.pickScore = new Float64Array(ix.maxN);
    this.userVector = new Float32Array(ix.rankModel.factors);
    if (ix.bounds) this.bounded = new BoundedTopN(ix.scorer, ix.bounds, ix.rankModel);
    const { ease, easeWeight } = ix;
    if (ease) this.easeTerm = (i) => (ease.positions[i] < 0 ? 0 : easeWeight * ease.sums[ease.positions[i]]);
  }

  /** Masks the movies of seen-ratings row `row` (a known user's ratings) and the movie ids `ids`. */
  exclude(row: number | undefined, ids: readonly number[] | undefined): void {
    const { seen } = this.ix;
    if (row !== undefined) for (let p = seen.offsets[row]; p < seen.offsets[row + 1]; p++) this.mask[seen.items[p]] = 1;
    if (ids) {
      for (const id of ids) {
        const i = this.ix.ids.movieIndex.get(id);
        if (i !== undefined) this.mask[i] = 1;
      }
    }
  }

  /** Undoes `exclude(row, ids)`: the mask is back in its resting state. */
  restore(row: number | undefined, ids: readonly number[] | undefined): void {
    const { seen } = this.ix;
    const { unservable, hidden } = this.ix.catalogue;
    if (row !== undefined)
      for (let p = seen.offsets[row]; p < seen.offsets[row + 1]; p++) this.mask[seen.items[p]] = unservable[seen.items[p]] | hidden[seen.items[p]];
    if (ids) {
      for (const id of ids) {
        const i = this.ix.ids.movieIndex.get(id);
        if (i !== undefined) this.mask[i] = unservable[i] | hidden[i];
      }
    }
  }

  /** Model movie i hidden or shown again (between requests, so the mask is at rest): its resting value. */
  rest(i: number): void {
    this.mask[i] = this.ix.catalogue.unservable[i] | this.ix.catalogue.hidden[i];
  }

  /** The top n unmasked movies of `scores` (in `wanted` genres, 0: any) into pickIndex/pickScore; returns the count. */
  pick(scores: Float32Array, n: number, wanted: number): number {
    return topNInto(scores, n, this.mask, this.pickIndex, this.pickScore, wanted === 0 ? undefined : this.ix.catalogue.genreBits, wanted);
  }

  /**
   * The ranking scores of every movie for a user vector of the ranking model, plus the EASE term over
   * the user's rated movies `rated[from..to)` (model indices; `ratings` parallel to them) when the
   * ranker has one. The scorer's view: valid until the next call.
   */
  rankScores(vector: Float32Array, offset: number, base: number, rated: RatedSpan): Float32Array {
    const { ix } = this;
    const scores = ix.scorer.score(vector, offset, base);
    return ix.ease ? addEaseScores(ix.ease, rated.items, rated.from, rated.to, ix.easeWeight, scores, rated.ratings) : scores;
  }

  /**
   * The top n unmasked movies (in `wanted` genres) of rankScores' ranking into pickIndex/pickScore;
   * returns the count. Read through the int8 bounds when the index has them (the same answer, most
   * movies never scored in 32 bits), else every movie scored.
   */
  rankTop(vector: Float32Array, offset: number, base: number, rated: RatedSpan, n: number, wanted: number): number {
    const { ix, bounded } = this;
    if (bounded) {
      let easeMax = 0;
      if (ix.ease && fillEaseSums(ix.ease, rated.items, rated.from, rated.to, rated.ratings))
        for (const sum of ix.ease.sums) easeMax = Math.max(easeMax, ix.easeWeight * sum);
      const { mask, pickIndex, pickScore } = this;
      const count = bounded.pick(vector, offset, base, this.easeTerm, easeMax, n, mask, ix.catalogue.genreBits, wanted, pickIndex, pickScore);
      if (count >= 0) return count;
    }
    return this.pick(this.rankScores(vector, offset, base, rated), n, wanted);
  }

  /** Ranks every candidate for known user u with the ranking model (exclusions already set). */
  rankKnownUser(u: number, n: number, wanted: number): number {
    const k = this.knownUser(u);
    return this.rankTop(k.vector, k.offset, k.base, k.rated, n, wanted);
  }

  /** The ranking scores of every movie for known user u (rankScores' view). */
  knownUserScores(u: number): Float32Array {
    const k = this.knownUser(u);
    return this.rankScores(k.vector, k.offset, k.base, k.rated);
  }

  /** Known user u's ranking vector and base, and the span of their rated movies in the seen index. */
  private knownUser(u: number) {
    const { ix } = this;
    const { model, ranking } = ix;
    const row = ix.seen.row.get(model.userIds[u]);
    const rated: RatedSpan = {
      items: ix.seen.items,
      ratings: ix.seen.ratings,
      from: row === undefined ? 0 : ix.seen.offsets[row],
      to: row === undefined ? 0 : ix.seen.offsets[row + 1],
    };
    if (!ranking) return { vector: model.userFactors, offset: u * model.factors, base: model.globalMean + model.userBias[u], rated };
    writeRankingUserVector(ranking, model, ranking.userFactors, u * ranking.factors, model.userFactors, u * model.factors, this.userVector);
    return { vector: this.userVector, offset: 0, base: ix.rankModel.globalMean + rankingUserBias(model, ranking, u), rated };
  }
}
