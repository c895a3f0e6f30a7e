import { populationStabilityIndex, smoothedShares } from './drift-psi';

describe('populationStabilityIndex', () => {
  it('when the shares are equal, then it is 0 (without the pseudo-count, whatever the sample sizes)', () => {
    expect(populationStabilityIndex([10, 30, 60], [1, 3, 6], 0)).toBeCloseTo(0, 12);
    expect(populationStabilityIndex([0, 0, 100], [0, 0, 100])).toBe(0);
  });

  it('when no pseudo-count is added, then it is sum (a - e) ln(a / e): 0.25 ln 2 + 0.25 ln 1.5 for 25/75 against 50/50', () => {
    // e = (0.25, 0.75), a = (0.5, 0.5): (0.25)(ln 2) + (-0.25)(ln 2/3) = 0.173287 + 0.101366
    expect(populationStabilityIndex([1, 3], [2, 2], 0)).toBeCloseTo(0.274653, 6);
  });

  it('when bins are counted, then half a rating is added to each on both sides before the shares are taken', () => {
    expect(smoothedShares([50, 50])).toEqual([0.5, 0.5]);
    expect(smoothedShares([90, 10])).toEqual([90.5 / 101, 10.5 / 101]);
    // (0.896040 - 0.5) ln(1.792079) + (0.103960 - 0.5) ln(0.207921) = 0.231040 + 0.622020
    expect(populationStabilityIndex([50, 50], [90, 10])).toBeCloseTo(0.853059, 6);
  });

  it('when a bin is empty on one side, then the index stays finite: 2 (100/101) ln 201 for 100/0 against 0/100', () => {
    const psi = populationStabilityIndex([100, 0], [0, 100]);
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeCloseTo((2 * 100 * Math.log(201)) / 101, 9);
  });

  it('when the bins of the two sides differ in number, then it refuses', () => {
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(/2 expected bins but 3 actual/);
  });
});
