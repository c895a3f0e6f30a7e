import { availableParallelism, cpus } from 'node:os';

/**
 * Train ratings below which `trainMf` keeps the single-thread path (worker start-up outweighs the gain).
 * The configured value is `training.parallelMinRatings` (env REELRANK_TRAIN_PARALLEL_MIN_RATINGS);
 * this is the default of callers that pass hand-made hyper-parameters (tests, benchmarks).
 */
export const DEFAULT_PARALLEL_MIN_RATINGS = 200_000;

/** Cores this process may use (the default thread count of the worker pools). */
export function defaultThreadCount(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

/**
 * Worker threads of a parallel training step over `ratings` train ratings: `threads` (config; null or absent:
 * one per core), or 1 below `parallelMinRatings` (config; absent: DEFAULT_PARALLEL_MIN_RATINGS), where worker
 * start-up outweighs the gain.
 */
export function stepThreads(ratings: number, settings: { threads?: number | null; parallelMinRatings?: number }): number {
  if (ratings < (settings.parallelMinRatings ?? DEFAULT_PARALLEL_MIN_RATINGS)) return 1;
  return Math.max(1, Math.floor(settings.threads ?? defaultThreadCount()));
}
