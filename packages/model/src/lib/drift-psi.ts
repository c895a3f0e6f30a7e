/**
 * Population stability index of one feature: how far the shares of its bins in a recent sample
 * (`actual`) moved from those in the training data (`expected`):
 *
 *   PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i)
 *
 * Shares come from counts with a pseudo-count of PSI_PSEUDO_COUNT per bin on both sides, so a bin
 * empty on one side has a small share instead of zero (a zero makes the log infinite). With
 * training-sized counts the pseudo-count changes nothing visible; with a window of a few hundred
 * ratings it bounds what one empty bin can add. Rules of thumb: < 0.1 stable, 0.1-0.25 moving,
 * > 0.25 shifted.
 */

export const PSI_PSEUDO_COUNT = 0.5;

/** Shares of `counts` with the pseudo-count added to every bin. */
export function smoothedShares(counts: readonly number[], pseudoCount = PSI_PSEUDO_COUNT): number[] {
  const total = counts.reduce((sum, c) => sum + c, 0) + pseudoCount * counts.length;
  return counts.map((c) => (c + pseudoCount) / total);
}

export function populationStabilityIndex(expectedCounts: readonly number[], actualCounts: readonly number[], pseudoCount = PSI_PSEUDO_COUNT): number {
  if (expectedCounts.length !== actualCounts.length)
    throw new RangeError(`PSI: ${expectedCounts.length} expected bins but ${actualCounts.length} actual ones`);
  if (expectedCounts.length === 0) return 0;
  const expected = smoothedShares(expectedCounts, pseudoCount);
  const actual = smoothedShares(actualCounts, pseudoCount);
  let psi = 0;
  for (let i = 0; i < expected.length; i++) psi += (actual[i] - expected[i]) * Math.log(actual[i] / expected[i]);
  return psi;
}
