/**
 * Cuts [0, count) into at most `parts` contiguous ranges, returned as their bounds [0, b1, ..., count].
 * With `weight`, the ranges hold about equal total weight: a range ends after the first item whose running
 * total reaches the next share of the whole (no range when count is 0). Without, about equal counts:
 * bound j = floor(j·count/n) for n = min(parts, count) ranges (one empty range when count is 0).
 * The bounds are a pure function of the arguments, so a pool's work split never depends on timing.
 */
export function rangeBounds(count: number, parts: number, weight?: (j: number) => number): number[] {
  if (!weight) {
    const n = Math.max(1, Math.min(parts, count));
    return Array.from({ length: n + 1 }, (_, j) => Math.floor((j * count) / n));
  }
  if (count <= 0) return [0];
  let total = 0;
  for (let j = 0; j < count; j++) total += weight(j);
  const bounds = [0];
  let sum = 0;
  for (let j = 0; j + 1 < count; j++) {
    sum += weight(j);
    if (sum >= (total * bounds.length) / parts) bounds.push(j + 1);
  }
  bounds.push(count);
  return bounds;
}
