import { defaultThreadCount } from './sgd-parallel.js';

/** Train ratings below which `trainMf` keeps the single-thread path (worker start-up outweighs the gain). */
export const DEFAULT_PARALLEL_MIN_RATINGS = 200_000;

function positiveInteger(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** REELRANK_TRAIN_THREADS: worker threads of the SGD kernel (default: the number of cores; 1 = single-thread path). */
export function trainThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.REELRANK_TRAIN_THREADS;
  return value === undefined || value === '' ? defaultThreadCount() : positiveInteger('REELRANK_TRAIN_THREADS', value, 1);
}

/** REELRANK_TRAIN_PARALLEL_MIN_RATINGS: smallest train set that uses the parallel kernel (default 200,000). */
export function parallelMinRatingsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.REELRANK_TRAIN_PARALLEL_MIN_RATINGS;
  return value === undefined || value === '' ? DEFAULT_PARALLEL_MIN_RATINGS : positiveInteger('REELRANK_TRAIN_PARALLEL_MIN_RATINGS', value, 0);
}
