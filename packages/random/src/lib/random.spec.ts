import { deriveSeed, gaussian, seededRandom, SeededRandom, shuffleInPlace, streamDistance } from './random.js';

describe('SeededRandom', () => {
  it('when seeded alike, then it repeats; its uniforms stay inside (0, 1) and gaussians are standard', () => {
    const a = new SeededRandom(deriveSeed(5, 'one'));
    const b = new SeededRandom(deriveSeed(5, 'one'));
    const c = new SeededRandom(deriveSeed(5, 'two'));
    const xs = Array.from({ length: 1000 }, () => a.uint32());
    expect(Array.from({ length: 1000 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.uint32())).not.toEqual(xs);
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const u = a.uniform();
      expect(u > 0 && u < 1).toBe(true);
      const g = a.gaussian();
      sum += g;
      squares += g * g;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.03);
    expect(Math.abs(squares / 20_000 - 1)).toBeLessThan(0.05);
  });
});

describe('the Random helpers', () => {
  it('when a purpose derives a seed, then streams differ by purpose and repeat by seed', () => {
    expect(deriveSeed(42, 'split')).toBe(deriveSeed(42, 'split'));
    expect(deriveSeed(42, 'split')).not.toBe(deriveSeed(42, 'init'));
    expect(deriveSeed(42, 'split')).not.toBe(deriveSeed(43, 'split'));
  });

  it('when shuffled with the same seed, then the permutation repeats and keeps every element', () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    const b = Int32Array.from(a);
    shuffleInPlace(a, seededRandom(7));
    shuffleInPlace(b, seededRandom(7));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('when gaussian wraps a Random, then its samples are standard normal', () => {
    const normal = gaussian(seededRandom(3));
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const g = normal();
      sum += g;
      squares += g * g;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.03);
    expect(Math.abs(squares / 20_000 - 1)).toBeLessThan(0.05);
  });

  it('when seeded alike, then SeededRandom and seededRandom give the same stream, draw for draw', () => {
    for (const seed of [0, 42, deriveSeed(42, 'synthetic:users'), 2 ** 32 - 1]) {
      const object = new SeededRandom(seed);
      const plain = seededRandom(seed);
      const same = new SeededRandom(seed);
      for (let i = 0; i < 1000; i += 1) {
        const x = plain();
        expect(object.uint32()).toBe(x * 2 ** 32);
        expect(same.next()).toBe(x);
      }
    }
  });

  it('when seeded with 42, then the generator gives its pinned first numbers (generated data and trained models depend on them)', () => {
    const mulberry = seededRandom(42);
    expect([mulberry(), mulberry(), mulberry()].map((x) => x * 2 ** 32)).toEqual([2581720956, 1925393290, 3661312704]);
    const object = new SeededRandom(42);
    expect([object.uint32(), object.uint32(), object.uint32()]).toEqual([2581720956, 1925393290, 3661312704]);
    expect(deriveSeed(42, 'init')).toBe(804663501);
  });

  it('when a seed is 2^32 or more, then its high bits count; below 2^32 nothing changed', () => {
    expect(deriveSeed(2 ** 32 + 42, 'init')).not.toBe(deriveSeed(42, 'init'));
    expect(deriveSeed(2 ** 33 + 42, 'init')).not.toBe(deriveSeed(2 ** 32 + 42, 'init'));
    expect(deriveSeed(2 ** 32 - 1, 'init')).toBe(deriveSeed(-1, 'init'));
  });

  it('when a stream is stepped d times, then streamDistance from its seed to its state is d', () => {
    // The state after d draws of seed s is s + d * 0x6d2b79f5 (mod 2^32); the next draw equals seed s2's first.
    for (const [seed, d] of [
      [42, 1],
      [42, 123_456_789],
      [7, 2 ** 31],
      [deriveSeed(42, 'split'), 3_000_000_000],
    ]) {
      const later = (seed + Math.imul(d, 0x6d2b79f5)) >>> 0;
      expect(streamDistance(seed, later)).toBe(Math.min(d, 2 ** 32 - d));
      expect(streamDistance(later, seed)).toBe(Math.min(d, 2 ** 32 - d));
      if (d < 1000) {
        const a = seededRandom(seed);
        for (let i = 0; i < d; i += 1) a();
        expect(a()).toBe(seededRandom(later)());
      }
    }
    expect(streamDistance(5, 5)).toBe(0);
  });
});
