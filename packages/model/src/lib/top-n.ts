/**
 * The `n` best indices of `scores`, best first, skipping indices where `excluded` is set.
 * Ties break by the lower index (movie ids are sorted, so by the lower movie id). A bounded
 * insertion list is faster than sorting the whole catalogue for the n <= 100 we serve.
 */
export function topN(
  scores: ArrayLike<number>,
  n: number,
  excluded?: { has(index: number): boolean } | Uint8Array,
): number[] {
  const size = Math.max(0, Math.min(n, scores.length));
  const best = new Array<number>(size);
  const bestScores = new Float64Array(size);
  let len = 0;
  if (size === 0) return [];
  const mask = excluded instanceof Uint8Array ? excluded : undefined;
  const set = excluded instanceof Uint8Array ? undefined : excluded;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (len === size && !(s > bestScores[size - 1])) continue; // also drops NaN
    if (s !== s) continue;
    if (mask ? mask[i] !== 0 : set?.has(i)) continue;
    // Shift worse entries down; an equal score stays ahead, keeping the lower index first.
    let j = len < size ? len++ : size - 1;
    while (j > 0 && bestScores[j - 1] < s) {
      best[j] = best[j - 1];
      bestScores[j] = bestScores[j - 1];
      j--;
    }
    best[j] = i;
    bestScores[j] = s;
  }
  return len === size ? best : best.slice(0, len);
}
