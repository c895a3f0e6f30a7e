/**
 * Seeded randomness, never Math.random: the same seed always gives the same numbers, so generated
 * data sets, splits, initial factors and SGD orders are reproducible bit for bit.
 *
 * One algorithm, mulberry32: a 32-bit Weyl counter (state += 0x6d2b79f5, period 2^32, every seed on
 * the same cycle) put through a mixing function. `seededRandom` (a plain `() => number`) and
 * `SeededRandom` (a class with uint32/uniform/below/gaussian/exponential) step the same state the
 * same way: `new SeededRandom(s).uint32()` is `seededRandom(s)() * 2^32`, draw for draw.
 */

const TWO_POW_32 = 4294967296;
/** mulberry32's Weyl increment (odd, so the counter visits all 2^32 states). */
const GAMMA = 0x6d2b79f5;

/** mulberry32's output function: the mixed 32-bit value of one counter state. */
function mulberry32(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A function returning uniform numbers in [0, 1), for code that only needs that. */
export type Random = () => number;

/**
 * A Random from one 32-bit seed (mulberry32: a handful of operations a draw): the trainer's split,
 * initial factors and SGD order, the tests and the load generators; use deriveSeed for independent
 * purposes. The trained models depend on this exact stream, so it must not change.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + GAMMA) >>> 0;
    return mulberry32(state) / TWO_POW_32;
  };
}

/** The same stream as seededRandom, with the draws the synthetic data generator needs. */
export class SeededRandom {
  private state: number;
  private readonly normal: Random;

  /** `seed`: a 32-bit stream seed, normally deriveSeed(seed, purpose). */
  constructor(seed: number) {
    this.state = seed >>> 0;
    this.normal = gaussian(() => this.next());
  }

  uint32(): number {
    this.state = (this.state + GAMMA) >>> 0;
    return mulberry32(this.state);
  }

  /** Uniform in [0, 1): the value seededRandom gives. */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform in (0, 1), never 0 or 1 (safe for logarithms). */
  uniform(): number {
    return (this.uint32() + 0.5) / TWO_POW_32;
  }

  /** Uniform integer in [0, n) for n <= 2^32. */
  below(n: number): number {
    return Math.floor((this.uint32() / TWO_POW_32) * n);
  }

  /** Standard normal (the gaussian helper below on this stream). */
  gaussian(): number {
    return this.normal();
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(this.uniform());
  }
}

/**
 * A stream seed derived from one seed and a purpose ('split', 'init', ...), so every purpose gets
 * independent numbers and adding one purpose does not shift the others. Seeds of 2^32 and more fold
 * their high bits in (seeds below 2^32, such as every seed used so far, hash exactly as before).
 */
export function deriveSeed(seed: number, purpose: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  if (seed >= TWO_POW_32) h = Math.imul(h ^ Math.floor(seed / TWO_POW_32), 0x01000193) >>> 0;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * How many draws apart two seeds' streams are on the one 2^32 cycle (0 .. 2^31): streams closer
 * than the draws they take would repeat each other's numbers, shifted.
 */
export function streamDistance(seedA: number, seedB: number): number {
  // (b - a) / GAMMA mod 2^32, with GAMMA's inverse mod 2^32 found by Newton's iteration.
  let inverse = GAMMA;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(GAMMA, inverse));
  const steps = Math.imul((seedB >>> 0) - (seedA >>> 0), inverse) >>> 0;
  return Math.min(steps, TWO_POW_32 - steps);
}

/** In-place Fisher-Yates shuffle of `array[from, to)`. */
export function shuffleInPlace(array: Int32Array | number[], random: Random, from = 0, to = array.length): void {
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(random() * (i - from + 1));
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
}

/** Standard normal samples (Box-Muller, the second value kept for the next call) from a Random. */
export function gaussian(random: Random): Random {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = random(); // [0, 1): never log(0)
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** `length` draws of `normal` (a standard normal stream, e.g. `gaussian(random)`) times `std`, in order, as float32. */
export function normalDraws(length: number, std: number, normal: Random): Float32Array {
  const values = new Float32Array(length);
  for (let j = 0; j < length; j++) values[j] = normal() * std;
  return values;
}
