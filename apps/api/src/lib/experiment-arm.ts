/**
 * Which arm of an A/B experiment a user is in: a seeded hash of the user id, so the same user gets
 * the same arm in every process that knows the experiment (cluster workers, replicas), with no state
 * to share. lowbias32 (a bijection on 32 bits with good avalanche) of the id xor a mixed seed, taken
 * as a fraction of 2^32 and compared with the challenger's share.
 */
export type Arm = 'control' | 'challenger';

function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The per-experiment arm test: build once per experiment, then one hash and a comparison per user. */
export function armSplitter(seed: number, share: number): (userId: number) => Arm {
  const seedMix = mix32((seed ^ 0x9e3779b9) >>> 0);
  const threshold = share * 2 ** 32;
  return (userId) => (mix32((userId ^ seedMix) >>> 0) < threshold ? 'challenger' : 'control');
}
