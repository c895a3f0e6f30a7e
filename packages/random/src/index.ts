/** @reelrank/random: the one seeded random generator. */
export { deriveSeed, gaussian, seededRandom, SeededRandom, shuffleInPlace, type Random } from './lib/random.js';
