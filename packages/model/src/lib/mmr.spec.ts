import { mmrRerank, unitCosine, unitRows } from './mmr';

/** Items 0-2 are near copies of one another (one direction), 3 and 4 point elsewhere; relevance falls with the index. */
const FACTORS = Float32Array.from([1, 0, 0.99, 0.1, 0.98, 0.05, 0, 1, 0.6, -0.8]);
const cosine = unitCosine(unitRows(FACTORS, 2), 2);
const CANDIDATES = [0, 1, 2, 3, 4];
const RELEVANCE = [5, 4.9, 4.8, 4.0, 3.0];

describe('mmrRerank', () => {
  it('at diversity 0, keeps the relevance order', () => {
    expect(mmrRerank(CANDIDATES, RELEVANCE, 3, 0, cosine)).toEqual([0, 1, 2]);
  });

  it('at diversity 0.5, takes the best item, then the best one unlike it before a near copy of the first', () => {
    expect(mmrRerank(CANDIDATES, RELEVANCE, 3, 0.5, cosine)).toEqual([0, 3, 1]);
    expect(mmrRerank(CANDIDATES, RELEVANCE, 3, 0.9, cosine)).toEqual([0, 3, 4]);
  });

  it('never picks an item twice, and stops at the pool size', () => {
    const picks = mmrRerank(CANDIDATES, RELEVANCE, 9, 0.9, cosine);
    expect(new Set(picks).size).toBe(5);
    expect(picks).toHaveLength(5);
    expect(mmrRerank([], [], 3, 0.5, cosine)).toEqual([]);
  });

  it('measures cosine on unit rows; an all-zero row has similarity 0', () => {
    const unit = unitRows(Float32Array.from([3, 4, 0, 0]), 2);
    expect(Array.from(unit)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
    expect(unitCosine(unit, 2)(0, 1)).toBe(0);
    expect(unitCosine(unit, 2)(0, 0)).toBeCloseTo(1, 6);
  });
});
