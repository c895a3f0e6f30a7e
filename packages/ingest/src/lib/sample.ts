import type { RatingsBuffer } from '@reelrank/csv';

/** Fixed seed of the development sample: the same ratings always give the same sample. */
export const SAMPLE_SEED = 0x5eed_2024;

/** A well-mixed 32-bit hash of (userId, movieId) (murmur3 finaliser over both ids). */
export function pairHash(userId: number, movieId: number, seed = SAMPLE_SEED): number {
  let h = Math.imul(userId ^ seed, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ movieId, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The k-th smallest (1-based) of `values`, as `values.slice().sort()[k - 1]` but in O(n): a
 * histogram of the top 16 bits finds the bucket holding it, then only that bucket is sorted.
 */
export function kthSmallest(values: Uint32Array, k: number): number {
  const histogram = new Uint32Array(1 << 16);
  for (let i = 0; i < values.length; i += 1) histogram[values[i] >>> 16] += 1;
  let bucket = 0;
  let below = 0;
  while (below + histogram[bucket] < k) below += histogram[bucket++];
  const inBucket = new Uint32Array(histogram[bucket]);
  let n = 0;
  for (let i = 0; i < values.length; i += 1) if (values[i] >>> 16 === bucket) inBucket[n++] = values[i];
  inBucket.sort();
  return inBucket[k - below - 1];
}

/**
 * Indices (ascending, so the input's order is kept) of the `size` ratings whose (user, movie)
 * hash is smallest. Whether a rating is picked depends only on its pair, not on file order,
 * so adding unrelated ratings changes the sample as little as possible.
 */
export function sampleIndices(ratings: RatingsBuffer, size: number, seed = SAMPLE_SEED): Uint32Array {
  const n = ratings.length;
  if (size >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const hashes = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) hashes[i] = pairHash(ratings.users[i], ratings.movies[i], seed);
  const threshold = kthSmallest(hashes, size);
  let below = 0;
  for (let i = 0; i < n; i += 1) if (hashes[i] < threshold) below += 1;
  let ties = size - below; // hash collisions at the threshold: take the first ones in order
  const picked = new Uint32Array(size);
  let k = 0;
  for (let i = 0; i < n && k < size; i += 1) {
    if (hashes[i] < threshold) picked[k++] = i;
    else if (hashes[i] === threshold && ties > 0) {
      picked[k++] = i;
      ties -= 1;
    }
  }
  return picked;
}
