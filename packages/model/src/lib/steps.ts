/**
 * A long computation written as a generator: each `yield` is a point where its caller may pause it
 * (a server lets other requests run there) before asking for the rest, and the generator's return
 * value is the result. `finish` runs one to the end at once, for callers with nobody to let in.
 */
export type Steps<T> = Generator<void, T, void>;

export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
