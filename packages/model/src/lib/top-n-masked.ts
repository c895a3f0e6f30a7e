/**
 * topN for the serving hot path: the same ranking as topN (best first, ties to the lower index,
 * NaN skipped) written into caller-owned buffers, so a request allocates nothing here.
 *
 * A movie is a candidate when `excluded[i] === 0` and, if `genreBits` is given, when
 * `(genreBits[i] & wanted) !== 0` (one bit per genre, precomputed at load time).
 * Returns how many indices were written to `outIndex` (at most min(n, outIndex.length)).
 */
export function topNInto(
  scores: ArrayLike<number>,
  n: number,
  excluded: Uint8Array,
  outIndex: Int32Array,
  outScore: Float64Array,
  genreBits?: Uint32Array,
  wanted = 0,
): number {
  const size = Math.max(0, Math.min(n, scores.length, outIndex.length, outScore.length));
  if (size === 0) return 0;
  let len = 0;
  let floor = -Infinity; // score of the worst kept entry once the list is full
  const total = scores.length;
  for (let i = 0; i < total; i++) {
    const s = scores[i];
    if (len === size && !(s > floor)) continue; // also drops NaN
    if (s !== s || excluded[i] !== 0) continue;
    if (genreBits !== undefined && (genreBits[i] & wanted) === 0) continue;
    let j = len < size ? len++ : size - 1;
    while (j > 0 && outScore[j - 1] < s) {
      outIndex[j] = outIndex[j - 1];
      outScore[j] = outScore[j - 1];
      j--;
    }
    outIndex[j] = i;
    outScore[j] = s;
    if (len === size) floor = outScore[size - 1];
  }
  return len;
}
