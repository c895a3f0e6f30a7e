import { foldInUserCg, foldInUserCgSteps } from './fold-in-cg.js';
import { foldInUserDual, foldInUserDualSteps } from './fold-in-dual.js';
import type { FoldedInUser } from './fold-in.js';
import type { Steps } from './steps.js';
import { makeTestModel } from './test-model.js';

/** The pausable solvers: many small steps, and at the end exactly what the one-go solvers return. */

const model = makeTestModel(3, 2000, 40, 5);
const ratingsOf = (n: number) => Array.from({ length: n }, (_, a) => ({ movieIndex: (a * 7) % 2000, rating: 0.5 + ((a * 3) % 10) / 2 }));

function drive(steps: Steps<FoldedInUser>): { result: FoldedInUser; pauses: number } {
  for (let pauses = 0; ; pauses++) {
    const step = steps.next();
    if (step.done) return { result: step.value, pauses };
  }
}

describe('fold-in in steps', () => {
  it('when the dual solve runs in steps, then it pauses after every row and returns the same user', () => {
    const ratings = ratingsOf(41);
    const { result, pauses } = drive(foldInUserDualSteps(model, ratings));
    expect(pauses).toBe(2 * 41); // the system's rows, then the factorisation's
    expect(result).toEqual(foldInUserDual(model, ratings));
  });

  it('when conjugate gradients run in steps, then a pass over many ratings pauses inside and the user is the same', () => {
    const ratings = ratingsOf(1500);
    const options = { tolerance: 1e-8, maxSteps: 6 };
    const { result, pauses } = drive(foldInUserCgSteps(model, ratings, options));
    // Aᵀy and each of the 1 + 6 products: two passes over 1,500 ratings, a pause every 256.
    expect(pauses).toBe(5 + 7 * 2 * 5);
    expect(result).toEqual(foldInUserCg(model, ratings, options));
  });
});
