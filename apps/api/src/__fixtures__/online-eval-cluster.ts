import cluster, { type Worker } from 'node:cluster';
import { primaryMetricsHub, workerMetricsLink } from '../lib/cluster-metrics.js';
import { renderMetrics, ServiceMetrics } from '../lib/metrics.js';

/**
 * A two-worker node:cluster with the real metrics plumbing of src/cluster.ts (primaryMetricsHub in
 * the primary, workerMetricsLink in each worker) and no HTTP: worker 1 shows user 7 movies 100 and
 * 200, worker 2 receives user 7's ratings (100 -> 5, 300 -> 2), then worker 2 scrapes the cluster's
 * metrics. Prints that scrape as one JSON line {"text": ...} and exits. Run by cluster-metrics.spec.ts.
 */

type Command = { cmd: 'show' | 'rate' | 'scrape' };

if (cluster.isPrimary) {
  const workers: Worker[] = [cluster.fork(), cluster.fork()];
  const hub = primaryMetricsHub(() => workers);
  let ready = 0;
  const send = (w: Worker, cmd: Command['cmd']) => w.send({ cmd });
  for (const w of workers) {
    w.on('message', (message: { type?: string; text?: string }) => {
      if (hub.handle(w, message)) return;
      if (message.type === 'fixture:ready' && ++ready === 2) {
        send(workers[0], 'show');
        // The rating reaches the other worker right after; both forward within 0.5 s.
        setTimeout(() => send(workers[1], 'rate'), 100);
        // The primary evaluates a rating 1.5 s after it arrived.
        setTimeout(() => send(workers[1], 'scrape'), 2_600);
      } else if (message.type === 'fixture:scraped') {
        process.stdout.write(`${JSON.stringify({ text: message.text })}\n`);
        for (const other of workers) other.kill();
        process.exit(0);
      }
    });
  }
  setTimeout(() => {
    process.stderr.write('timed out\n');
    process.exit(1);
  }, 20_000).unref();
} else {
  const metrics = new ServiceMetrics();
  const link = workerMetricsLink(metrics.registry);
  process.on('message', (message: Command) => {
    if (message.cmd === 'show') link.online.recordRecommended(7, [100, 200]);
    else if (message.cmd === 'rate') {
      link.online.observeRating(7, 100, 5);
      link.online.observeRating(7, 300, 2);
    } else if (message.cmd === 'scrape') {
      void link
        .source()
        .then((json) => renderMetrics([json]))
        .then(({ text }) => process.send?.({ type: 'fixture:scraped', text }));
    }
  });
  process.send?.({ type: 'fixture:ready' });
}
