import { hitRateDifference } from './experiment-stats';

describe('the hit-rate difference between the arms', () => {
  it('is the challenger minus the control with the two-proportion normal 95% interval', () => {
    // p1 = 0.5 (n 100), p2 = 0.6 (n 200): se = sqrt(0.25/100 + 0.24/200) = sqrt(0.0037) = 0.060828
    const d = hitRateDifference({ ratings: 100, liked: 50 }, { ratings: 200, liked: 120 })!;
    expect(d.estimate).toBeCloseTo(0.1, 12);
    expect(d.low).toBeCloseTo(0.1 - 1.959964 * 0.0608276, 5);
    expect(d.high).toBeCloseTo(0.1 + 1.959964 * 0.0608276, 5);
    expect(d.confidence).toBe(0.95);
  });

  it('narrows as the arms collect ratings, and is null while an arm has none', () => {
    const small = hitRateDifference({ ratings: 50, liked: 20 }, { ratings: 50, liked: 25 })!;
    const large = hitRateDifference({ ratings: 5000, liked: 2000 }, { ratings: 5000, liked: 2500 })!;
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 5);
    expect(small.low).toBeLessThan(0);
    expect(large.low).toBeGreaterThan(0);
    expect(hitRateDifference({ ratings: 0, liked: 0 }, { ratings: 10, liked: 5 })).toBeNull();
  });
});
