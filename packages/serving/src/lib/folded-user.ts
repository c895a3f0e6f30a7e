import {
  finish,
  foldInImplicitUser,
  foldInModel,
  foldInUserCgSteps,
  foldInUserDualSteps,
  writeRankingUserVector,
  type FoldedInUser,
  type MfModel,
  type RatedSpan,
  type Steps,
} from '@reelrank/model';
import { MAX_ANCHORS } from './similar-movies.js';
import type { ServingIndex } from './serving-index.js';
import type { TopLists } from './top-lists.js';

/**
 * A user solved at request time from their ratings, every movie factor fixed (the model package's
 * fold-in): a brand-new user's posted ratings, or a user's data-set ratings plus the ones they posted
 * to the running service. Built once per set of ratings and then only read, so a caller may keep it
 * (the API caches it per user until that user's ratings change).
 */
export interface FoldedUser {
  /** Ratings of movies the model knows: the fold-in's input. */
  usable: number;
  /** The rating model with this user at index 0 (predicted_rating). */
  view: MfModel;
  /** What the list scorer takes: the ranker's combined vector when the artifact has one, and its offset. */
  scoreVector: Float32Array;
  scoreBias: number;
  /** The movies (model indices) the fold-in used and their ratings: the user's x_u of the EASE term. */
  rated: RatedSpan;
  /** The user's highest ratings (model indices, best first): the anchors "because" names. */
  anchorItems: Int32Array;
  anchorRatings: Float32Array;
  /** The user's ratings as catalogue movie ids: never recommended back. */
  ratedIds: number[];
  /** The data-set ratings row of a known user (served from the seen index), undefined for a new user. */
  seenRow?: number;
  /** The rating model's solution (bias and factors): where the next fold-in of this user starts. */
  solution?: FoldedInUser;
  /** Memo of Recommender.recommendFolded: the user's unfiltered top list, built on their first request. */
  top?: TopLists;
}

export interface RatedMovie {
  movieIndex: number;
  rating: number;
}

/** Where a fold-in may start from: the user's previous fold-in (a refold), or their trained vector. */
export interface FoldStart {
  previous?: FoldedInUser;
  trained?: FoldedInUser;
}

/**
 * Solves the user from `usable` (model-index ratings); `ratedIds` and `seenRow` are what the answer
 * excludes.
 */
export function foldUser(ix: ServingIndex, usable: RatedMovie[], ratedIds: number[], seenRow?: number, start: FoldStart = {}): FoldedUser {
  return finish(foldUserSteps(ix, usable, ratedIds, seenRow, start));
}

/** foldUser, pausable inside its solve (see @reelrank/model Steps): a caller with other work to do runs it a slice at a time. */
export function* foldUserSteps(
  ix: ServingIndex,
  usable: RatedMovie[],
  ratedIds: number[],
  seenRow?: number,
  start: FoldStart = {},
): Steps<FoldedUser> {
  const anchors = [...usable].sort((a, b) => b.rating - a.rating || a.movieIndex - b.movieIndex).slice(0, MAX_ANCHORS);
  const common = {
    usable: usable.length,
    rated: { items: Int32Array.from(usable, (r) => r.movieIndex), ratings: Float32Array.from(usable, (r) => r.rating), from: 0, to: usable.length },
    anchorItems: Int32Array.from(anchors, (a) => a.movieIndex),
    anchorRatings: Float32Array.from(anchors, (a) => a.rating),
    ratedIds,
    seenRow,
  };
  if (usable.length === 0) return { ...common, view: ix.model, scoreVector: new Float32Array(0), scoreBias: 0 };
  // Which solver (measured on ml-latest-small, k = 250): up to k+1 ratings the exact n × n dual solve
  // (n²·k/2 multiply-adds). Above, AᵀA has full rank and the system is well conditioned: conjugate
  // gradients (2·n·k per step) reach a relative error of ~1e-4 in 5 steps and ~1e-8 in 10, where
  // forming AᵀA costs n·k²/2. A refold (one rating more than last time) starts next to the answer:
  // CG from the previous solution reaches ~1e-6 in 6 steps for any n, so it beats the dual above ~24.
  const k = ix.model.factors;
  const n = usable.length;
  const user = yield* start.previous
    ? n > 24
      ? foldInUserCgSteps(ix.model, usable, { ...ix.foldIn, start: start.previous, tolerance: 1e-5, maxSteps: 8 })
      : foldInUserDualSteps(ix.model, usable, ix.foldIn)
    : n <= k + 1
      ? foldInUserDualSteps(ix.model, usable, ix.foldIn)
      : foldInUserCgSteps(ix.model, usable, { ...ix.foldIn, start: start.trained, tolerance: 1e-4, maxSteps: 12 });
  const view = foldInModel(ix.model, user);
  if (!ix.ranking) return { ...common, view, solution: user, scoreVector: user.factors, scoreBias: ix.model.globalMean + user.bias };
  const implicit = foldInImplicitUser(ix.ranking, usable, ix.implicitGram);
  const scoreVector = writeRankingUserVector(ix.ranking, ix.model, implicit, 0, user.factors, 0, new Float32Array(ix.rankModel.factors));
  return { ...common, view, solution: user, scoreVector, scoreBias: ix.rankModel.globalMean + ix.ranking.weights.rating * user.bias };
}

/**
 * A known or unknown user's data-set ratings (the seen index) merged with ratings posted since
 * (`fresh`, by catalogue movie id; a fresh rating of a movie replaces the data-set one), as model-index
 * ratings plus every rated movie id.
 */
export function mergedRatings(
  ix: ServingIndex,
  userId: number,
  fresh: readonly { movieId: number; rating: number }[],
): { usable: RatedMovie[]; ratedIds: number[]; seenRow?: number; trained?: FoldedInUser } {
  const byIndex = new Map<number, number>();
  const seenRow = ix.seen.row.get(userId);
  const { seen } = ix;
  if (seenRow !== undefined) for (let p = seen.offsets[seenRow]; p < seen.offsets[seenRow + 1]; p++) byIndex.set(seen.items[p], seen.ratings[p]);
  const ratedIds: number[] = [];
  for (const r of fresh) {
    ratedIds.push(r.movieId);
    const movieIndex = ix.ids.movieIndex.get(r.movieId);
    if (movieIndex !== undefined) byIndex.set(movieIndex, r.rating);
  }
  const u = ix.ids.userIndex.get(userId);
  const k = ix.model.factors;
  const trained = u === undefined ? undefined : { bias: ix.model.userBias[u], factors: ix.model.userFactors.subarray(u * k, (u + 1) * k) };
  return { usable: Array.from(byIndex, ([movieIndex, rating]) => ({ movieIndex, rating })), ratedIds, seenRow, trained };
}
