import type { MfModel, RankingModel } from '@reelrank/model';
import type { EvaluationData, ModelEvaluation, RankingScorer } from './evaluate.js';
import type { UserItems } from './indexing.js';
import { startTfWorker, workerResult } from './tf-worker.js';

/**
 * `items` reduced to the train movies of `users` (every other user's list empty): what the ranking
 * metrics of those users read, without copying every train rating to another thread.
 */
export function itemsOfUsers(items: UserItems, users: Int32Array): UserItems {
  const offsets = new Int32Array(items.offsets.length);
  let total = 0;
  for (const u of users) total += items.offsets[u + 1] - items.offsets[u];
  const movies = new Int32Array(total);
  const ratings = new Float32Array(total);
  const wanted = new Uint8Array(items.offsets.length - 1);
  for (const u of users) wanted[u] = 1;
  let at = 0;
  for (let u = 0; u < wanted.length; u++) {
    offsets[u] = at;
    if (!wanted[u]) continue;
    const from = items.offsets[u];
    const to = items.offsets[u + 1];
    movies.set(items.movies.subarray(from, to), at);
    ratings.set(items.ratings.subarray(from, to), at);
    at += to - from;
  }
  offsets[wanted.length] = at;
  return { offsets, movies, ratings };
}

/** A row of the evaluation table: a rating model's (evaluateMfModel) or the served ranker's (evaluateRanker). */
export type EvaluationRow =
  { kind: 'mf'; name: string; model: MfModel } | { kind: 'ranker'; name: string; ratingModel: MfModel; ranking: RankingModel };

/**
 * `row` evaluated on a worker thread (evaluate-worker.js) by the trainer's own evaluateMfModel / evaluateRanker,
 * with TF.js on the backend `backend` of the calling thread, so the row is the one the calling thread would
 * compute while that thread does other work. The worker gets the test rows, the evaluated users and their
 * train movies.
 */
export function evaluateOffThread(
  row: EvaluationRow,
  data: EvaluationData,
  options: { backend: string; k: number; fitSeconds: number; batchSize?: number; scorer?: RankingScorer },
): Promise<ModelEvaluation> {
  const { backend, k, fitSeconds, batchSize, scorer } = options;
  // Only what structured clone copies: never the caller's TF.js module.
  const rest = { k, fitSeconds, batchSize, scorer };
  let started: ReturnType<typeof startTfWorker>;
  try {
    started = startTfWorker('evaluate-worker.js', backend, {
      row,
      options: rest,
      data: {
        userIds: data.indexing.users.ids,
        movieIds: data.indexing.movies.ids,
        test: data.test,
        trainItems: itemsOfUsers(data.trainItems, data.relevant.users),
        relevant: data.relevant,
      },
    });
  } catch (error) {
    return Promise.reject(error as Error);
  }
  // Terminated once settled: nothing the worker's TF.js leaves open keeps the stage's process alive.
  return workerResult(started.worker, 'evaluateOffThread', (message) => message as ModelEvaluation).finally(started.close);
}
