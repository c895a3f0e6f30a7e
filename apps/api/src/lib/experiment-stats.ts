/**
 * The difference in online hit rate between the arms (challenger - control) with a two-proportion
 * normal (Wald) interval: d ± z·sqrt(p1(1-p1)/n1 + p2(1-p2)/n2). Null until both arms have ratings.
 */
export interface HitRateDifference {
  estimate: number;
  low: number;
  high: number;
  confidence: number;
}

/** z of a two-sided 95% interval. */
const Z_95 = 1.959964;

export function hitRateDifference(
  control: { ratings: number; liked: number },
  challenger: { ratings: number; liked: number },
): HitRateDifference | null {
  if (control.ratings === 0 || challenger.ratings === 0) return null;
  const p1 = control.liked / control.ratings;
  const p2 = challenger.liked / challenger.ratings;
  const se = Math.sqrt((p1 * (1 - p1)) / control.ratings + (p2 * (1 - p2)) / challenger.ratings);
  const estimate = p2 - p1;
  return { estimate, low: estimate - Z_95 * se, high: estimate + Z_95 * se, confidence: 0.95 };
}
