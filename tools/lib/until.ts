/**
 * Polls `done` every 200 ms until it holds; past `timeoutMs`, fails naming what it waited for, with
 * `context()` (the processes' output) when given. For specs and tools that wait on other processes.
 */
export async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${context ? `:\n${context()}` : ''}`);
    await new Promise((next) => setTimeout(next, 200));
  }
}
