/**
 * For a loop of synchronous steps (fold-ins, store reads) inside one request: `await pause()` after
 * each step lets other requests run (setImmediate: after pending I/O) once `sliceMs` of work has run
 * since the last pause, so one large request delays the others by about one slice, not its whole time.
 */
export function timeSlicer(sliceMs = 5): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise((resumed) => setImmediate(resumed));
    since = performance.now();
  };
}
