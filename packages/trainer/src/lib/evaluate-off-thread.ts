import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MfModel } from '@reelrank/model';
import type { EvaluationData, ModelEvaluation, RankingScorer } from './evaluate.js';
import type { UserItems } from './indexing.js';

/** The backend preference (initTensorFlow's argument) that picks the backend named `backend` again. */
const PREFERENCE: Record<string, string> = { tensorflow: 'node', wasm: 'wasm', cpu: 'cpu' };

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

/**
 * `evaluateMfModel(name, model, data, options)` on a worker thread (evaluate-worker.js), with TF.js on the
 * backend `backend` of the calling thread, so the row is the one the calling thread would compute while
 * that thread evaluates other rows. The worker gets the test rows, the evaluated users and their train movies.
 */
export function evaluateMfModelOffThread(
  name: string,
  model: MfModel,
  data: EvaluationData,
  options: { backend: string; k: number; fitSeconds: number; batchSize?: number; scorer?: RankingScorer },
): Promise<ModelEvaluation> {
  const { backend, k, fitSeconds, batchSize, scorer } = options;
  // Only what structured clone copies: never the caller's TF.js module.
  const rest = { k, fitSeconds, batchSize, scorer };
  const preference = PREFERENCE[backend];
  if (!preference) return Promise.reject(new Error(`evaluateMfModelOffThread: unknown TF.js backend ${backend}`));
  const worker = new Worker(join(__dirname, 'evaluate-worker.js'), {
    workerData: {
      name,
      model,
      backend,
      preference,
      options: rest,
      data: {
        userIds: data.indexing.users.ids,
        movieIds: data.indexing.movies.ids,
        test: data.test,
        trainItems: itemsOfUsers(data.trainItems, data.relevant.users),
        relevant: data.relevant,
      },
    },
  });
  return new Promise<ModelEvaluation>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`evaluateMfModelOffThread: the worker exited (${code}) without a result`)));
  });
}
