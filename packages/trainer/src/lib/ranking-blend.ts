import type { RankerConfig } from '@reelrank/config';
import {
  addEaseScores,
  easeScorer,
  popularityPrior,
  TensorScorer,
  rankingScoringModel,
  scoreForRanking,
  type MfModel,
  type RankingBlendWeights,
  type RankingModel,
  type Tf,
} from '@reelrank/model';
import { mostRatedScores } from './baselines.js';
import { blendGridScorer, type BlendGridBatch, type BlendGridSpec } from './blend-grid.js';
import { blendGridBatch, BlendGridPool } from './blend-grid-pool.js';
import { easeInputLabel, fitEase, type EaseSettings } from './ease.js';
import { addEaseRows } from './ease-rows.js';
import { groupByUser, type UserItems } from './indexing.js';
import { tensorRankingMetrics, type EvaluationData, type ModelEvaluation, type RankingScorer } from './evaluate.js';
import { rankingMetrics, type RankingMetrics, type RelevantItems } from './ranking-metrics.js';
import { ratingMetrics } from './rating-metrics.js';
import { deriveSeed, seededRandom } from '@reelrank/random';
import { trainImplicitAls, type ImplicitHyperParameters } from './train-implicit.js';
import { withTasteSignals, type TasteSignalColumns } from './taste-signals.js';

/**
 * Blend weights tried on the validation part (w_implicit is fixed at 1: only ratios matter) and the
 * users they are tuned on, at most: `training.ranker` in the config (`ease.weightGrid`: w_ease).
 */
export type BlendGrid = Pick<RankerConfig, 'ratingWeightGrid' | 'popularityWeightGrid' | 'maxTuningUsers'> & {
  ease?: Pick<RankerConfig['ease'], 'weightGrid'>;
};

/**
 * Fits the implicit factors on `data.train` and assembles the ranker over `ratingModel` (which must
 * be indexed like `data`): the popularity prior counts the same training ratings. With `ease`
 * settings, EASE is fitted on the same ratings too (skipped when `weights.ease` is 0: a refit whose
 * tuning left EASE out). `signals`: the users' taste signals, seen by the implicit fit only; with `tf`, EASE's
 * inverse runs on TF.js matMul (solveEase).
 */
export function fitRanker(
  data: Pick<EvaluationData, 'train' | 'indexing'>,
  ratingModel: Pick<MfModel, 'userIds' | 'movieIds'>,
  implicit: ImplicitHyperParameters,
  weights: RankingBlendWeights,
  log?: (line: string) => void,
  ease?: EaseSettings | null,
  signals?: TasteSignalColumns,
  tf?: Tf,
): { ranking: RankingModel; seconds: number; easeSeconds: number } {
  const nUsers = data.indexing.users.ids.length;
  const nMovies = data.indexing.movies.ids.length;
  if (ratingModel.userIds.length !== nUsers || ratingModel.movieIds.length !== nMovies)
    throw new Error('fitRanker: the rating model is indexed differently from the data');
  // The users' taste signals count in the implicit fit only (taste-signals.ts).
  const implicitTrain = signals?.kinds.length ? withTasteSignals(data.train, data.indexing, signals, implicit) : data.train;
  const factors = trainImplicitAls(implicitTrain, nUsers, nMovies, implicit, log);
  const { factors: k, userFactors, movieFactors } = factors;
  const { alpha, ratingSlope, ratingPivot, floor, regularization } = implicit;
  const ranking: RankingModel = {
    factors: k,
    userFactors,
    movieFactors,
    moviePrior: popularityPrior(mostRatedScores(data.train.movies, nMovies)),
    weights: { ...weights },
    confidence: { alpha, ratingSlope, ratingPivot, floor, regularization },
  };
  let easeSeconds = 0;
  if (ease && weights.ease !== 0) {
    const fit = fitEase(groupByUser(data.train, nUsers), nMovies, ease, tf);
    ranking.ease = fit.ease;
    easeSeconds = fit.seconds;
    log?.(
      `[train] EASE on ${fit.ease.movies.length} most-rated movies (lambda ${ease.lambda}${easeInputLabel(ease.input)}): Gram ${fit.gramSeconds.toFixed(2)} s, inverse ${fit.inverseSeconds.toFixed(2)} s`,
    );
  }
  return { ranking, seconds: factors.seconds + easeSeconds, easeSeconds };
}

export interface BlendTuning {
  weights: RankingBlendWeights;
  /** NDCG@K / P@K on the validation part for every grid point (best first). */
  grid: Array<RankingBlendWeights & { ndcg: number; precision: number }>;
  /** Validation users the grid was scored on, of how many with a relevant validation rating. */
  users: number;
  ofUsers: number;
  seconds: number;
}

/** An evenly spaced, deterministic subset of at most `max` users of `relevant` (all of them when fewer). */
export function everyNthUser(relevant: RelevantItems, max: number): RelevantItems {
  const n = relevant.users.length;
  if (n <= max) return relevant;
  return pickUsers(
    relevant,
    Array.from({ length: max }, (_, j) => Math.floor((j * n) / max)),
  );
}

/**
 * A seeded random sample of `max` users of `relevant` (ascending, as `relevant` is), or `relevant`
 * itself when it has at most `max` users. The same seed and users always give the same sample.
 */
export function sampleUsers(relevant: RelevantItems, max: number, seed: number): RelevantItems {
  const n = relevant.users.length;
  if (n <= max) return relevant;
  const random = seededRandom(deriveSeed(seed, 'evaluation-users'));
  const positions = Int32Array.from({ length: n }, (_, j) => j);
  // Partial Fisher-Yates: the first `max` positions are a uniform sample.
  for (let j = 0; j < max; j++) {
    const pick = j + Math.floor(random() * (n - j));
    const tmp = positions[j];
    positions[j] = positions[pick];
    positions[pick] = tmp;
  }
  return pickUsers(
    relevant,
    Array.from(positions.subarray(0, max)).sort((x, y) => x - y),
  );
}

function pickUsers(relevant: RelevantItems, picks: number[]): RelevantItems {
  return {
    users: Int32Array.from(picks, (p) => relevant.users[p]),
    knownRelevant: picks.map((p) => relevant.knownRelevant[p]),
    relevantCount: Int32Array.from(picks, (p) => relevant.relevantCount[p]),
    skippedUnknownUserRows: relevant.skippedUnknownUserRows,
  };
}

/** Copies a batch's score rows, its users' train movies and relevant movies into `into` (BlendGridBatch). */
function fillGridBatch(
  into: BlendGridBatch,
  items: UserItems,
  relevant: RelevantItems,
  start: number,
  batch: Int32Array,
  implicitRows: ArrayLike<number>,
  ratingRows: ArrayLike<number>,
  easeRows: Float32Array,
): void {
  into.implicitRows.set(implicitRows);
  into.ratingRows.set(ratingRows);
  into.easeRows.set(easeRows);
  let seen = 0;
  let rel = 0;
  for (let b = 0; b < batch.length; b++) {
    const u = batch[b];
    into.seenOffsets[b] = seen;
    into.seenMovies.set(items.movies.subarray(items.offsets[u], items.offsets[u + 1]), seen);
    seen += items.offsets[u + 1] - items.offsets[u];
    into.relevantOffsets[b] = rel;
    into.relevantMovies.set(relevant.knownRelevant[start + b], rel);
    rel += relevant.knownRelevant[start + b].length;
    into.relevantCount[b] = relevant.relevantCount[start + b];
  }
  into.seenOffsets[batch.length] = seen;
  into.relevantOffsets[batch.length] = rel;
}

function sliceUsers(relevant: RelevantItems, from: number, to: number): RelevantItems {
  return {
    users: relevant.users.subarray(from, to),
    knownRelevant: relevant.knownRelevant.slice(from, to),
    relevantCount: relevant.relevantCount.subarray(from, to),
    skippedUnknownUserRows: 0,
  };
}

/**
 * Picks w_rating and w_popularity (w_implicit = 1) maximising NDCG@K on held-out ratings of the
 * validation part (`data` = fit part vs validation part, never the test set), on at most
 * min(grid.maxTuningUsers, maxUsers) seeded-sampled users. Users are scored in batches of
 * `batchSize` (one TF.js matMul per component and batch); every grid point is a linear combination
 * of the batch's two score blocks, so memory stays at 2 × batchSize × movies floats whatever the
 * number of users. Per user and rating weight, the popularity weights only rank the movies that can
 * reach the top K (an exact bound, blend-grid.ts); `exhaustive` ranks the whole catalogue for every point.
 * With `threads` > 1 (pruned path only), worker threads (BlendGridPool) score the users of each batch; the
 * figures and the chosen weights are the same as on one thread.
 */
export function tuneBlendWeights(
  tf: Tf,
  data: EvaluationData,
  ratingModel: MfModel,
  ranking: RankingModel,
  k: number,
  grid: BlendGrid,
  options: { maxUsers?: number; seed?: number; batchSize?: number; exhaustive?: boolean; threads?: number } = {},
): BlendTuning {
  const started = performance.now();
  const relevant = sampleUsers(data.relevant, Math.min(grid.maxTuningUsers, options.maxUsers ?? Infinity), options.seed ?? 0);
  const ratingWeights = grid.ratingWeightGrid;
  const popularityWeights = grid.popularityWeightGrid;
  const easeWeights = ranking.ease ? (grid.ease?.weightGrid ?? [0]) : [0];
  const ease = ranking.ease ? easeScorer(ranking.ease, data.indexing.movies.ids.length) : null;
  const users = relevant.users;
  const nMovies = data.indexing.movies.ids.length;
  const batchSize = options.batchSize ?? 256;
  const zero = { implicit: 0, rating: 0, popularity: 0 };
  const implicitScorer = new TensorScorer(tf, rankingScoringModel(ratingModel, { ...ranking, weights: { ...zero, implicit: 1 } }));
  const ratingScorer = new TensorScorer(tf, ratingModel);
  // Grid order: rating, then ease, then popularity (blendGridScorer in blend-grid.ts walks it in this order).
  const points = ratingWeights.flatMap((rating) =>
    easeWeights.flatMap((easeWeight) =>
      popularityWeights.map((popularity) => ({ implicit: 1, rating, popularity, ease: easeWeight, ndcg: 0, precision: 0 })),
    ),
  );
  const prior = ranking.moviePrior;
  const row = new Float32Array(nMovies);
  // The pruned path needs non-negative popularity weights and prior (log1p of counts); else rank every movie.
  const exhaustive = options.exhaustive === true || popularityWeights.some((w) => w < 0) || prior.some((p) => !(p >= 0));
  const spec: BlendGridSpec = {
    k,
    nMovies,
    ratingWeights,
    easeWeights,
    popularityWeights,
    hasEase: ease !== null,
    prior,
    easeCovered: ranking.ease ? ranking.ease.movies : new Int32Array(0),
  };
  const nPoints = points.length;
  // Every batch's users' train and relevant movies fit the batch buffers.
  const capacity = { users: Math.min(batchSize, users.length), seen: 0, relevant: 0 };
  for (let start = 0; start < users.length; start += batchSize) {
    let seen = 0;
    let rel = 0;
    for (let j = start; j < Math.min(users.length, start + batchSize); j++) {
      seen += data.trainItems.offsets[users[j] + 1] - data.trainItems.offsets[users[j]];
      rel += relevant.knownRelevant[j].length;
    }
    capacity.seen = Math.max(capacity.seen, seen);
    capacity.relevant = Math.max(capacity.relevant, rel);
  }
  const threads = exhaustive ? 1 : Math.max(1, Math.floor(options.threads ?? 1));
  const pool = threads > 1 ? new BlendGridPool(spec, capacity, threads) : null;
  const gridBatch = pool ? pool.batch : blendGridBatch(spec, capacity, ArrayBuffer);
  const scoreUser = pool ? null : blendGridScorer(spec);
  try {
    for (let start = 0; start < users.length; start += batchSize) {
      const end = Math.min(users.length, start + batchSize);
      const batch = users.subarray(start, end);
      const implicitRows = implicitScorer.scoreUsers(batch);
      const ratingRows = ratingScorer.scoreUsers(batch);
      const easeRows = new Float32Array(ease ? batch.length * nMovies : 0);
      if (ease) addEaseRows(ease, data.trainItems, batch, nMovies, 1, easeRows);
      if (exhaustive) {
        const part = sliceUsers(relevant, start, end);
        for (const point of points) {
          const { rating, popularity, ease: we } = point;
          const metrics: RankingMetrics = rankingMetrics({
            k,
            nMovies,
            train: data.trainItems,
            relevant: part,
            batchSize: batch.length,
            score: () => (b) => {
              const o = b * nMovies;
              for (let i = 0; i < nMovies; i++) row[i] = implicitRows[o + i] + rating * ratingRows[o + i] + popularity * prior[i];
              if (ease && we !== 0) for (let i = 0; i < nMovies; i++) row[i] += we * easeRows[o + i];
              return row;
            },
          });
          point.ndcg += metrics.ndcg * batch.length;
          point.precision += metrics.precision * batch.length;
        }
        continue;
      }
      fillGridBatch(gridBatch, data.trainItems, relevant, start, batch, implicitRows, ratingRows, easeRows);
      if (pool) pool.score(batch.length);
      else for (let b = 0; b < batch.length; b++) scoreUser!(gridBatch, b);
      // Summed in user order, whichever thread scored a user.
      const gains = gridBatch.gains;
      for (let b = 0; b < batch.length; b++)
        for (let p = 0; p < nPoints; p++) {
          points[p].precision += gains[(b * nPoints + p) * 2];
          points[p].ndcg += gains[(b * nPoints + p) * 2 + 1];
        }
    }
  } finally {
    implicitScorer.dispose();
    ratingScorer.dispose();
    void pool?.close();
  }
  const results: BlendTuning['grid'] = points.map((p) => ({
    ...p,
    ndcg: users.length ? p.ndcg / users.length : NaN,
    precision: users.length ? p.precision / users.length : NaN,
  }));
  results.sort((a, b) => b.ndcg - a.ndcg || b.precision - a.precision);
  const best = results[0];
  return {
    weights: { implicit: 1, rating: best.rating, popularity: best.popularity, ...(ranking.ease ? { ease: best.ease } : {}) },
    grid: results,
    users: users.length,
    ofUsers: data.relevant.users.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The served ranker's row: RMSE / MAE of the rating model (the `predicted_rating` it serves) and
 * top-K metrics of the blended ranking: by default `rankingScoringModel` scored in TF.js batches
 * (TensorScorer), with scorer 'typed-array' the single-user `scoreForRanking` (the same formula);
 * the EASE term, when the ranker has one, added over each user's train movies as the API adds it.
 */
export function evaluateRanker(
  name: string,
  ratingModel: MfModel,
  ranking: RankingModel,
  data: Omit<EvaluationData, 'train'>,
  options: {
    tf: Tf;
    k: number;
    fitSeconds: number;
    batchSize?: number;
    scorer?: RankingScorer;
    /** Given every batch's score rows when they are scored in TF.js batches with the EASE term (read only). */
    onRows?: (users: Int32Array, rows: Float32Array) => void;
  },
): ModelEvaluation {
  const started = performance.now();
  const nMovies = ratingModel.movieIds.length;
  const rating = ratingMetrics(ratingModel, data.test);
  const common = { k: options.k, nMovies, train: data.trainItems, relevant: data.relevant, batchSize: options.batchSize };
  let ranked: RankingMetrics;
  const ease = ranking.ease && ranking.weights.ease ? easeScorer(ranking.ease, nMovies) : null;
  const wEase = ranking.weights.ease ?? 0;
  if (options.scorer === 'typed-array') {
    const buffer = new Float32Array(nMovies);
    const bundle = { model: ratingModel, ranking };
    const items = data.trainItems;
    ranked = rankingMetrics({
      ...common,
      score: (users) => (b) => {
        const u = users[b];
        const row = scoreForRanking(bundle, u, buffer);
        return ease ? addEaseScores(ease, items.movies, items.offsets[u], items.offsets[u + 1], wEase, row, items.ratings) : row;
      },
    });
  } else if (ease) {
    const scorer = new TensorScorer(options.tf, rankingScoringModel(ratingModel, ranking));
    try {
      ranked = rankingMetrics({
        ...common,
        score: (users) => {
          const rows = addEaseRows(ease, data.trainItems, users, nMovies, wEase, Float32Array.from(scorer.scoreUsers(users)));
          options.onRows?.(users, rows);
          return (b) => rows.subarray(b * nMovies, (b + 1) * nMovies);
        },
      });
    } finally {
      scorer.dispose();
    }
  } else {
    ranked = tensorRankingMetrics(options.tf, rankingScoringModel(ratingModel, ranking), common);
  }
  return {
    model: name,
    rmse: rating.rmse,
    mae: rating.mae,
    precisionAtK: ranked.precision,
    recallAtK: ranked.recall,
    ndcgAtK: ranked.ndcg,
    coverage: ranked.coverage,
    fitSeconds: options.fitSeconds,
    evalSeconds: (performance.now() - started) / 1000,
  };
}
