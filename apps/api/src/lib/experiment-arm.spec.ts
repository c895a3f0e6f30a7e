import { armSplitter } from './experiment-arm';

const users = Array.from({ length: 10_000 }, (_, i) => i + 1);

describe('the arm of a user', () => {
  it.each([
    [0.1, 1],
    [0.25, 42],
    [0.5, 7],
    [0.9, 123456],
  ])('over 10,000 user ids gives the challenger its share within ±2%% (share %p, seed %p)', (share, seed) => {
    const arm = armSplitter(seed, share);
    const challengers = users.filter((u) => arm(u) === 'challenger').length;
    expect(Math.abs(challengers / users.length - share)).toBeLessThanOrEqual(0.02);
  });

  it('is the same for a user every time and for every splitter built from the same seed and share (another worker, another replica)', () => {
    const first = armSplitter(42, 0.3);
    const second = armSplitter(42, 0.3);
    const arms = users.map(first);
    expect(users.map(second)).toEqual(arms);
    expect(users.map(first)).toEqual(arms);
  });

  it('depends on the seed: another seed puts about half the challengers elsewhere', () => {
    const a = armSplitter(1, 0.5);
    const b = armSplitter(2, 0.5);
    const moved = users.filter((u) => a(u) !== b(u)).length / users.length;
    expect(moved).toBeGreaterThan(0.4);
    expect(moved).toBeLessThan(0.6);
  });

  it('is not a run of consecutive ids: neighbours are split like everyone else, and large ids too', () => {
    const arm = armSplitter(42, 0.5);
    const firstHundred = users.slice(0, 100).filter((u) => arm(u) === 'challenger').length;
    expect(firstHundred).toBeGreaterThan(30);
    expect(firstHundred).toBeLessThan(70);
    const large = users.map((u) => 2_147_483_647 - u).filter((u) => arm(u) === 'challenger').length / users.length;
    expect(Math.abs(large - 0.5)).toBeLessThanOrEqual(0.02);
  });

  it('keeps a user in the challenger arm when the share grows (a user only ever moves into it)', () => {
    const small = armSplitter(9, 0.1);
    const large = armSplitter(9, 0.4);
    expect(users.filter((u) => small(u) === 'challenger' && large(u) === 'control')).toEqual([]);
  });
});
