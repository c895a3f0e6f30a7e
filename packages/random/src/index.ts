/**
 * @reelrank/random: the only source of random numbers (nothing calls Math.random). One algorithm,
 * mulberry32 (32-bit state, period 2^32), and one seeding scheme (deriveSeed: an independent stream per
 * purpose), in two shapes over the same stream:
 * - seededRandom, a plain `() => number`: the trainer (split, initial factors, SGD order), the tests and
 *   the load benchmarks. The trained models depend on this exact stream: it is the one they have always
 *   used (ml-latest-small's trained model is bit-identical since the unification);
 * - SeededRandom, a class (uint32 / next / uniform / below / gaussian / exponential): the synthetic
 *   MovieLens generator (it used sfc32 until SYNTHETIC_GENERATOR_VERSION 2).
 * Enough for the largest use: generating a 20M-rating set (ml-20m's shape, seed 42) takes 121.5M draws,
 * 120.3M in its longest stream (users), 2.8% of the period, so no stream repeats itself; all seeds share
 * the one cycle, and seed 42's five generator streams are at least 381M draws apart (streamDistance), so
 * they do not overlap either. The trainer at 20M takes about one draw per rating for the split and one
 * for the SGD cell order, plus the initial factors: tens of millions per stream.
 */
export { deriveSeed, gaussian, normalDraws, seededRandom, SeededRandom, shuffleInPlace, streamDistance, type Random } from './lib/random.js';
