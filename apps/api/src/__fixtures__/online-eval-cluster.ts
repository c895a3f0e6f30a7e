import cluster, { type Worker } from 'node:cluster';
import pino from 'pino';
import request from 'supertest';
import { plantedRecommender } from '@reelrank/serving/testing';
import { createApp } from '../lib/app.js';
import { primaryMetricsHub, workerMetricsLink } from '../lib/cluster-metrics.js';
import { ServiceMetrics } from '../lib/metrics.js';
import { AS_ADMIN, SERVING, TEST_ADMIN_TOKEN } from './fixtures.js';

/**
 * A two-worker node:cluster with the real metrics plumbing of src/cluster.ts (primaryMetricsHub in
 * the primary; in each worker the API app with workerMetricsLink's sink and source, as main.ts wires
 * them) and the planted model, requests sent in-process (supertest): worker 1 answers
 * POST /recommendations for user 2 (two movies), worker 2 takes POST /ratings of user 2 (the first
 * movie shown -> 5, movie 40, not shown -> 2), then worker 2 answers GET /metrics for the cluster.
 * Prints {"shown": [...], "text": ...} as one JSON line and exits. Run by cluster-metrics.spec.ts.
 */

type Command = { cmd: 'show' } | { cmd: 'rate'; movieId: number } | { cmd: 'scrape' };
type Reply = { type?: string; shown?: number[]; text?: string };

if (cluster.isPrimary) {
  const workers: Worker[] = [cluster.fork(), cluster.fork()];
  const hub = primaryMetricsHub(() => workers);
  let ready = 0;
  let shown: number[] = [];
  const send = (w: Worker, command: Command) => w.send(command);
  for (const w of workers) {
    w.on('message', (message: Reply) => {
      if (hub.handle(w, message)) return;
      if (message.type === 'fixture:ready' && ++ready === 2) send(workers[0], { cmd: 'show' });
      else if (message.type === 'fixture:shown') {
        shown = message.shown!;
        // The rating reaches the other worker right after; both forward within 0.5 s.
        send(workers[1], { cmd: 'rate', movieId: shown[0] });
        // Worst case: forwarded after 0.5 s, evaluated 1.5 s after it arrived, on a 0.5 s tick; plus slack for a loaded machine.
        setTimeout(() => send(workers[1], { cmd: 'scrape' }), 3_500);
      } else if (message.type === 'fixture:scraped') {
        process.stdout.write(`${JSON.stringify({ shown, text: message.text })}\n`);
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
  const app = createApp({
    recommender: plantedRecommender(),
    config: { serving: SERVING },
    admin: { token: TEST_ADMIN_TOKEN },
    logger: pino({ level: 'silent' }),
    metrics,
    online: link.online,
    metricsSource: link.source,
  });
  const fail = (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  };
  process.on('message', (message: Command) => {
    if (message.cmd === 'show') {
      request(app)
        .post('/recommendations')
        .send({ user_id: 2, n_recommendations: 2 })
        .expect(200)
        .then((res) => process.send?.({ type: 'fixture:shown', shown: (res.body.recommendations as { movie_id: number }[]).map((r) => r.movie_id) }))
        .catch(fail);
    } else if (message.cmd === 'rate') {
      request(app)
        .post('/ratings')
        .set(AS_ADMIN)
        .send({
          ratings: [
            { user_id: 2, movie_id: message.movieId, rating: 5 },
            { user_id: 2, movie_id: 40, rating: 2 },
          ],
        })
        .expect(201)
        .catch(fail);
    } else if (message.cmd === 'scrape') {
      request(app)
        .get('/metrics')
        .set(AS_ADMIN)
        .expect(200)
        .then((res) => process.send?.({ type: 'fixture:scraped', text: res.text }))
        .catch(fail);
    }
  });
  process.send?.({ type: 'fixture:ready' });
}
