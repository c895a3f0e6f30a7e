import {
  addEaseScores,
  easeScorer,
  neighbourScratch,
  predictServedRating,
  rankingScoringModel,
  TensorScorer,
  type ModelBundle,
  type Tf,
} from '@reelrank/model';
import { ratingsByUser } from './ratings-by-user.js';
import { buildIdIndex, buildIndexing, groupByUser, indexRatings, type Indexing, type UserItems } from './indexing.js';
import { rankingMetrics, relevantItems, type RelevantItems } from './ranking-metrics.js';
import { ratingMetricsOf } from './rating-metrics.js';
import { sampleUsers } from './ranking-blend.js';
import { selectRows, type RatingsColumns } from './ratings.js';

/**
 * Scores a served model (a ModelBundle as saved or loaded: rating model, ranker, popularity list) on
 * the gate holdout, the same way for every version so the live model and a candidate compare fairly:
 *
 * - RMSE over every holdout row: the served `predicted_rating` (`predictServedRating`: with a
 *   neighbourhood predictor, blended over the user's ratings outside the holdout; with its bias
 *   fallback for a user or movie the model does not know).
 * - NDCG@k by the project's ranking protocol (ranking-metrics.ts): candidates are the movies of the
 *   ratings outside the holdout, each user's own such ratings are masked, relevant = holdout rating
 *   >= 4. A user the model knows is ranked by the served blend (plus its EASE term over the user's
 *   ratings); one it does not know gets the model's cold-start popularity list, as the API answers.
 *   A candidate movie the model lacks can never be recommended. Above `maxUsers` such users, NDCG
 *   is computed on a seeded sample of them (the same users for every version scored on this data).
 */

export interface GateData {
  k: number;
  holdout: RatingsColumns;
  /** The ratings outside the holdout (what a neighbourhood predictor reads of each user). */
  rest: RatingsColumns;
  /** The ratings outside the holdout, indexed: candidates, masks, and the users' rated movies. */
  indexing: Indexing;
  restItems: UserItems;
  relevant: RelevantItems;
}

export interface GateFigures {
  k: number;
  rmse: number | null;
  ndcgAtK: number | null;
  /** Holdout rows scored for RMSE, and users with a relevant holdout movie scored for NDCG. */
  rows: number;
  users: number;
}

export function prepareGateData(
  rest: RatingsColumns,
  holdout: RatingsColumns,
  k: number,
  sample: { maxUsers: number; seed: number } = { maxUsers: Number.MAX_SAFE_INTEGER, seed: 0 },
): GateData {
  const indexing = buildIndexing(rest);
  const relevant = sampleUsers(relevantItems(indexRatings(holdout, indexing)), sample.maxUsers, sample.seed);
  return { k, holdout, rest, indexing, restItems: restItemsOfUsers(rest, indexing, relevant.users), relevant };
}

/**
 * The rest's ratings grouped by user over every user index, with the rows of `users` only: NDCG reads no
 * other user's (their masks and EASE input), and indexing every rest rating of a large set costs seconds.
 */
function restItemsOfUsers(rest: RatingsColumns, indexing: Indexing, users: Int32Array): UserItems {
  const nUsers = indexing.users.ids.length;
  const wanted = new Uint8Array(nUsers);
  for (const u of users) wanted[u] = 1;
  const inWanted = (r: number) => wanted[indexing.users.indexOf(rest.userIds[r])] === 1;
  let count = 0;
  for (let r = 0; r < rest.ratings.length; r++) if (inWanted(r)) count++;
  const rows = new Int32Array(count);
  for (let r = 0, o = 0; r < rest.ratings.length; r++) if (inWanted(r)) rows[o++] = r;
  return groupByUser(indexRatings(selectRows(rest, rows), indexing), nUsers);
}

const finite = (value: number) => (Number.isFinite(value) ? value : null);

export function scoreOnGate(tf: Tf, bundle: Pick<ModelBundle, 'model' | 'ranking' | 'popularity' | 'neighbourhood'>, data: GateData): GateFigures {
  const { model, ranking, popularity, neighbourhood } = bundle;
  const { holdout, indexing, restItems, relevant, k } = data;
  const modelUsers = buildIdIndex(model.userIds);
  const modelMovies = buildIdIndex(model.movieIds);

  const predicted = new Float64Array(holdout.ratings.length);
  const byUser = neighbourhood ? ratingsByUser(data.rest, { users: modelUsers, movies: modelMovies }) : null;
  const scratch = neighbourhood ? neighbourScratch(neighbourhood.k) : undefined;
  for (let r = 0; r < predicted.length; r++) {
    const u = modelUsers.indexOf(holdout.userIds[r]);
    const user = byUser && u >= 0 ? { items: byUser.items, ratings: byUser.ratings, from: byUser.offsets[u], to: byUser.offsets[u + 1] } : undefined;
    predicted[r] = predictServedRating(model, neighbourhood, u, modelMovies.indexOf(holdout.movieIds[r]), user, scratch);
  }
  const rating = ratingMetricsOf(predicted, holdout.ratings);

  const nMovies = indexing.movies.ids.length;
  const nModelMovies = model.movieIds.length;
  // Candidate (rest) movie -> model movie index (-1: the model lacks it).
  const toModel = Int32Array.from(indexing.movies.ids, (id) => modelMovies.indexOf(id));
  // The model's movies are the candidates, in the same order (the usual case): its rows are read as they are.
  const sameMovies = nMovies === nModelMovies && toModel.every((m, i) => m === i);
  const coldRow = new Float32Array(nMovies).fill(Number.NaN);
  popularity.movieIds.forEach((id, rank) => {
    const i = indexing.movies.indexOf(id);
    if (i >= 0) coldRow[i] = popularity.movieIds.length - rank;
  });
  const ease = ranking?.ease && ranking.weights.ease ? easeScorer(ranking.ease, nModelMovies) : null;
  let longest = 0;
  for (let u = 0; u + 1 < restItems.offsets.length; u++) longest = Math.max(longest, restItems.offsets[u + 1] - restItems.offsets[u]);
  const easeRated = new Int32Array(ease ? longest : 0);
  const easeRatings = new Float32Array(ease ? longest : 0);
  const scorer = new TensorScorer(tf, ranking ? rankingScoringModel(model, ranking) : model);
  // One row buffer per batch position, reused batch after batch (rankingMetrics reads a batch's rows before the next).
  const rowBuffers: Float32Array[] = [];
  try {
    const ranked = rankingMetrics({
      k,
      nMovies,
      train: restItems,
      relevant,
      score: (users) => {
        const modelIndex = Int32Array.from(users, (u) => modelUsers.indexOf(indexing.users.ids[u]));
        const known = modelIndex.filter((m) => m >= 0);
        // scoreUsers returns a fresh array (read from the backend): the EASE term may be added to it in place.
        const flat = known.length ? scorer.scoreUsers(known) : new Float32Array(0);
        const rows: Float32Array[] = [];
        let next = 0;
        for (let b = 0; b < users.length; b++) {
          if (modelIndex[b] < 0) {
            rows.push(coldRow);
            continue;
          }
          const modelRow = flat.subarray(next * nModelMovies, (next + 1) * nModelMovies);
          next++;
          if (ease) {
            const u = users[b];
            const from = restItems.offsets[u];
            const to = restItems.offsets[u + 1];
            // The user's rest movies the model knows, as model indices, and their ratings (scratch reused user after user).
            let n = 0;
            for (let p = from; p < to; p++) {
              const m = toModel[restItems.movies[p]];
              if (m < 0) continue;
              easeRated[n] = m;
              easeRatings[n++] = restItems.ratings[p];
            }
            addEaseScores(ease, easeRated, 0, n, ranking!.weights.ease!, modelRow, easeRatings);
          }
          if (sameMovies) {
            rows.push(modelRow);
            continue;
          }
          const row = (rowBuffers[b] ??= new Float32Array(nMovies));
          for (let i = 0; i < nMovies; i++) row[i] = toModel[i] >= 0 ? modelRow[toModel[i]] : Number.NaN;
          rows.push(row);
        }
        return (b) => rows[b];
      },
    });
    return { k, rmse: finite(rating.rmse), ndcgAtK: finite(ranked.ndcg), rows: rating.count, users: ranked.users };
  } finally {
    scorer.dispose();
  }
}
