import { addEaseScores, assertEaseShape, easePositions, easeRatingWeight, easeScorer, type EaseModel } from './ease-model';

/** B over model movies 1, 3 and 4 of a 6-movie model (row = rated movie, column = scored movie). */
const ease: EaseModel = {
  movies: Int32Array.of(1, 3, 4),
  weights: Float32Array.of(0, 0.5, -0.25, 0.2, 0, 0.75, 0.1, 0.4, 0),
  lambda: 10,
};

describe('EASE scoring', () => {
  it('when a user rated covered movies, then their B rows are summed onto the covered movies, scaled by the weight', () => {
    const out = Float32Array.of(1, 1, 1, 1, 1, 1);
    addEaseScores(easeScorer(ease, 6), [1, 4, 5], 0, 3, 2, out);
    // x_u = 1 on movies 1 and 4 (5 is not covered): rows 0 and 2 of B.
    const expected = [1, 1 + 2 * (0 + 0.1), 1, 1 + 2 * (0.5 + 0.4), 1 + 2 * (-0.25 + 0), 1];
    expected.forEach((x, i) => expect(out[i]).toBeCloseTo(x, 6));
  });

  it('when only part of the rated list is given, then only that part counts, and nothing covered leaves the row as it was', () => {
    const scorer = easeScorer(ease, 6);
    const out = new Float32Array(6);
    addEaseScores(scorer, [0, 3, 2], 1, 2, 1, out);
    expect(Array.from(out)).toEqual([0, Math.fround(0.2), 0, 0, 0.75, 0]);
    const untouched = Float32Array.of(3, 2, 1, 0, -1, -2);
    addEaseScores(scorer, [0, 2, 5], 0, 3, 1, untouched);
    expect(Array.from(untouched)).toEqual([3, 2, 1, 0, -1, -2]);
  });

  it('when the model weighs ratings, then a liked rating adds its whole B row and a lower one its row times the other weight', () => {
    const weighted: EaseModel = { ...ease, input: { likedRating: 4, otherWeight: 0.25 } };
    const out = new Float32Array(6);
    // Movie 1 rated 4.5 (liked: 1), movie 4 rated 2 (0.25).
    addEaseScores(easeScorer(weighted, 6), [1, 4], 0, 2, 2, out, [4.5, 2]);
    const expected = [0, 2 * (0.25 * 0.1), 0, 2 * (0.5 + 0.25 * 0.4), 2 * -0.25, 0];
    expected.forEach((x, i) => expect(out[i]).toBeCloseTo(x, 6));
    expect([easeRatingWeight(weighted.input, 4), easeRatingWeight(weighted.input, 3.5), easeRatingWeight(undefined, 1)]).toEqual([1, 0.25, 1]);
    // Without the ratings the weighted x_u cannot be formed: an error, not the 0/1 row.
    expect(() => addEaseScores(easeScorer(weighted, 6), [1, 4], 0, 2, 1, new Float32Array(6))).toThrow(/needs the ratings/);
  });

  it('maps model movies to B positions, and refuses a B that does not fit the model', () => {
    expect(Array.from(easePositions(ease, 6))).toEqual([-1, 0, -1, 1, 2, -1]);
    expect(() => assertEaseShape(ease, 4)).toThrow(/outside the model/);
    expect(() => assertEaseShape({ ...ease, weights: new Float32Array(4) }, 6)).toThrow(/weights has 4, expected 9/);
    expect(() => assertEaseShape({ ...ease, movies: Int32Array.of(3, 1, 4) }, 6)).toThrow(/out of order/);
  });

  it('when the WebAssembly kernel adds the rows, then every sum is bit for bit what the JavaScript loop gives, at any scale and past its row queue', () => {
    // A K that is not a multiple of 4 (padded rows), scales 1, 0.5 and 0.3 (no exact f32 product), and more
    // covered ratings than K (the kernel's queue holds K rows: the rest go in a second call, in order).
    let state = 7;
    const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const k = 13;
    const nMovies = 20;
    const movies = Int32Array.from({ length: k }, (_, a) => a + 3);
    const weights = Float32Array.from({ length: k * k }, () => next() / 7);
    const rated = Int32Array.from({ length: 40 }, (_, p) => (p * 7) % nMovies);
    const ratings = Float32Array.from({ length: 40 }, (_, p) => [5, 3, 4.5, 2][p % 4]);
    for (const input of [undefined, { likedRating: 4, otherWeight: 0.5 }, { likedRating: 4, otherWeight: 0.3 }]) {
      const model: EaseModel = { movies, weights, lambda: 1, ...(input ? { input } : {}) };
      const wasm = easeScorer(model, nMovies);
      const js = easeScorer(model, nMovies, { simd: false });
      expect(wasm.kernel).not.toBeNull();
      expect(js.kernel).toBeNull();
      for (const [from, to] of [
        [0, 40],
        [5, 9],
        [12, 12],
      ]) {
        const a = addEaseScores(wasm, rated, from, to, 0.7, new Float32Array(nMovies), ratings);
        const b = addEaseScores(js, rated, from, to, 0.7, new Float32Array(nMovies), ratings);
        expect(Buffer.from(a.buffer)).toEqual(Buffer.from(b.buffer));
        expect(Buffer.from(wasm.sums.buffer, wasm.sums.byteOffset, k * 4)).toEqual(Buffer.from(js.sums.buffer, 0, k * 4));
      }
      expect(wasm.sums).toHaveLength(k);
    }
  });
});
