/**
 * Loaded into a server by bench:abuse (NODE_OPTIONS=--import <this file>): every 500 ms one stderr line
 * with the event loop's delay over that half second (perf_hooks, 1 ms resolution), which the benchmark
 * reads back from the server's output. How long the server's own loop was held, apart from how long the
 * clients waited on a busy machine.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
setInterval(() => {
  process.stderr.write(`event-loop-delay p99=${(delay.percentile(99) / 1e6).toFixed(1)} max=${(delay.max / 1e6).toFixed(1)}\n`);
  delay.reset();
}, 500).unref();
