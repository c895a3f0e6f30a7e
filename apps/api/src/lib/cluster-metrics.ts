import type { Worker } from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';
import { tellPrimary, type ArmRatingRow, type ArmShownRow, type MetricsMessage, type RatingRow, type ShownRow } from './cluster-messages.js';
import { ApiError } from './errors.js';
import { registerOnlineMetrics, type MetricsJson } from './metrics.js';
import { registerArmOnlineMetrics, type ArmEvalSink, type ArmKey } from './experiment-metrics.js';
import { OnlineEvaluator, type OnlineEvalSink } from './online-eval.js';

/**
 * Metrics and the online evaluation in cluster mode (src/cluster.ts).
 *
 * /metrics: the worker that gets the request asks the primary, the primary asks every worker for
 * its registry's JSON, adds its own (the online evaluation) and sums them with prom-client's
 * AggregatorRegistry.aggregate; the worker renders the result. So any worker answers for the cluster.
 *
 * Online evaluation: a recommendation and the rating of that movie may reach different workers,
 * so the evaluator lives in the primary. Workers buffer what they showed and the ratings they got
 * and send both every FLUSH_MS (one IPC message, nothing per request); the primary records the
 * recommendations at once and evaluates each rating RATING_DELAY_MS after it arrived, by which
 * time every worker has flushed what it showed before that rating.
 */

const FLUSH_MS = 500;
const RATING_DELAY_MS = 3 * FLUSH_MS;
const COLLECT_TIMEOUT_MS = 3000;

const isMessage = (value: unknown): value is MetricsMessage =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/** The worker's side: a metrics source asking the primary, and an online-evaluation sink forwarding to it. */
export function workerMetricsLink(registry: Registry): { source: () => Promise<MetricsJson>; online: OnlineEvalSink; arms: ArmEvalSink } {
  const pending = new Map<number, { resolve: (m: MetricsJson) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === 'reelrank:metrics-collect') {
      void registry.getMetricsAsJSON().then((metrics) => process.send?.({ type: 'reelrank:metrics-part', id: message.id, metrics }));
    } else if (message.type === 'reelrank:metrics-response') {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.metrics) waiter.resolve(message.metrics);
      else waiter.reject(new ApiError(503, 'metrics_unavailable', message.error ?? 'The cluster metrics could not be collected'));
    }
  });
  const source = () =>
    new Promise<MetricsJson>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new ApiError(503, 'metrics_unavailable', 'The cluster primary did not answer with the metrics in time'));
      }, COLLECT_TIMEOUT_MS + 1000);
      pending.set(id, { resolve, reject, timer });
      tellPrimary({ type: 'reelrank:metrics-request', id });
    });

  let shown: ShownRow[] = [];
  let ratings: RatingRow[] = [];
  let armShown: ArmShownRow[] = [];
  let armRatings: ArmRatingRow[] = [];
  const flush = () => {
    if (!shown.length && !ratings.length && !armShown.length && !armRatings.length) return;
    tellPrimary({ type: 'reelrank:online-eval', shown, ratings, armShown, armRatings });
    shown = [];
    ratings = [];
    armShown = [];
    armRatings = [];
  };
  setInterval(flush, FLUSH_MS).unref();
  const online: OnlineEvalSink = {
    recordRecommended(userId, movieIds, at = Date.now()) {
      const row = [userId, at];
      for (let i = 0; i < movieIds.length; i++) row.push(movieIds[i]);
      shown.push(row);
    },
    observeRating(userId, movieId, rating, at = Date.now()) {
      ratings.push([userId, movieId, rating, at]);
    },
  };
  const keyOf = (key: ArmKey): ArmKey => ({ experimentId: key.experimentId, arm: key.arm, version: key.version });
  const arms: ArmEvalSink = {
    recordRecommended(key, userId, movieIds, at = Date.now()) {
      const row = [userId, at];
      for (let i = 0; i < movieIds.length; i++) row.push(movieIds[i]);
      armShown.push([keyOf(key), row]);
    },
    observeRating(key, userId, movieId, rating, at = Date.now()) {
      armRatings.push([keyOf(key), [userId, movieId, rating, at]]);
    },
  };
  return { source, online, arms };
}

/** The primary's side: owns the online evaluator and answers metrics requests with the cluster's sum. */
export function primaryMetricsHub(workers: () => Worker[]): {
  handle(from: Worker, message: unknown): boolean;
  evaluator: OnlineEvaluator;
  /** The cluster's metrics, summed (what the primary's metrics listener serves). */
  collect(): Promise<MetricsJson>;
} {
  const registry = new Registry();
  const evaluator = new OnlineEvaluator();
  registerOnlineMetrics(registry, evaluator);
  const armEvaluators = registerArmOnlineMetrics(registry);
  const collections = new Map<number, { parts: MetricsJson[]; waiting: number; done: () => void }>();
  let nextId = 1;
  const queue: { row: RatingRow; due: number; arm?: ArmKey }[] = [];
  setInterval(() => {
    const now = Date.now();
    while (queue.length && queue[0].due <= now) {
      const { row, arm } = queue.shift()!;
      const [userId, movieId, rating, at] = row;
      if (arm) armEvaluators.observeRating(arm, userId, movieId, rating, at);
      else evaluator.observeRating(userId, movieId, rating, at);
    }
  }, FLUSH_MS).unref();

  const collect = async (): Promise<MetricsJson> => {
    const id = nextId++;
    const alive = workers().filter((w) => !w.isDead() && w.isConnected());
    const parts: MetricsJson[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS); // a worker that does not answer is left out
      function finish() {
        clearTimeout(timer);
        collections.delete(id);
        resolve();
      }
      collections.set(id, { parts, waiting: alive.length, done: finish });
      if (!alive.length) finish();
      for (const w of alive) w.send({ type: 'reelrank:metrics-collect', id });
    });
    parts.push(await registry.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(parts).getMetricsAsJSON();
  };

  const handle = (from: Worker, message: unknown): boolean => {
    if (!isMessage(message)) return false;
    switch (message.type) {
      case 'reelrank:online-eval':
        for (const [userId, at, ...movieIds] of message.shown) evaluator.recordRecommended(userId, movieIds, at);
        for (const row of message.ratings) queue.push({ row, due: Date.now() + RATING_DELAY_MS });
        for (const [key, [userId, at, ...movieIds]] of message.armShown ?? []) armEvaluators.recordRecommended(key, userId, movieIds, at);
        for (const [arm, row] of message.armRatings ?? []) queue.push({ row, arm, due: Date.now() + RATING_DELAY_MS });
        return true;
      case 'reelrank:metrics-part': {
        const collection = collections.get(message.id);
        if (collection) {
          collection.parts.push(message.metrics);
          if (--collection.waiting === 0) collection.done();
        }
        return true;
      }
      case 'reelrank:metrics-request':
        collect().then(
          (metrics) => from.isConnected() && from.send({ type: 'reelrank:metrics-response', id: message.id, metrics }),
          (error: Error) => from.isConnected() && from.send({ type: 'reelrank:metrics-response', id: message.id, error: error.message }),
        );
        return true;
      default:
        return false;
    }
  };
  return { handle, evaluator, collect };
}
