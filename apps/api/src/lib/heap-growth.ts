import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the heap grow past its live size before the next full collection. Under a
 * high allocation rate V8 picks a factor of up to 4 on its own; pages it grew to stay committed, so
 * a process serving a large model kept hundreds of MB of garbage resident after a burst. V8 reads
 * the factor at each full collection, so setting it once the process runs takes effect.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
