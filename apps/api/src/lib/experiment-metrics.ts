import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Arm } from './experiment-arm.js';
import type { ArmChoice } from './experiment-runner.js';
import { hitRateDifference, type HitRateDifference } from './experiment-stats.js';
import type { MetricsJson } from './metrics-json.js';
import { OnlineEvaluator } from './online-eval.js';

/**
 * The figures of an A/B experiment per arm, labelled {experiment, arm, version}:
 *
 *   reelrank_ab_answers_total                 recommendation and prediction answers
 *   reelrank_ab_fold_ins_total                those computed from a user folded in at request time
 *   reelrank_ab_request_duration_seconds      their latency (histogram, from the request's arrival)
 *   reelrank_ab_online_ratings_total{source}  ratings received from the arm's users (source: recommended to them in the previous 24 h, or other)
 *   reelrank_ab_online_liked_ratings_total{source}  those >= 4
 *   reelrank_ab_online_hit_rate               liked / ratings of recommended movies
 *   reelrank_ab_hit_rate_difference{experiment, bound}  challenger - control with its 95% interval (bound: estimate, low, high)
 *
 * Answers, fold-ins and latency are counted by each process (summed in a cluster); the online
 * evaluation (online-eval.ts, one evaluator per arm) runs where the service's evaluator runs.
 */

const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const LABELS = ['experiment', 'arm', 'version'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

const labelsOf = (key: ArmKey): Labels => ({ experiment: String(key.experimentId), arm: key.arm, version: key.version });

export interface ArmKey {
  readonly experimentId: number;
  readonly arm: Arm;
  readonly version: string;
}

/** Answers, fold-ins and latency per arm; the children of each ArmChoice are looked up once. */
export class ArmMetrics {
  private readonly answers: Counter<(typeof LABELS)[number]>;
  private readonly foldIns: Counter<(typeof LABELS)[number]>;
  private readonly latency: Histogram<(typeof LABELS)[number]>;
  private readonly children = new WeakMap<
    ArmChoice,
    { answers: { inc(): void }; foldIns: { inc(): void }; latency: { observe(seconds: number): void } }
  >();

  constructor(registry: Registry) {
    const registers = [registry];
    this.answers = new Counter({ name: 'reelrank_ab_answers_total', help: 'Answers per experiment arm', labelNames: LABELS, registers });
    this.foldIns = new Counter({
      name: 'reelrank_ab_fold_ins_total',
      help: 'Answers per arm computed from a folded-in user',
      labelNames: LABELS,
      registers,
    });
    this.latency = new Histogram({
      name: 'reelrank_ab_request_duration_seconds',
      help: 'Time to answer per experiment arm',
      labelNames: LABELS,
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  answered(choice: ArmChoice, seconds: number, foldedIn: boolean): void {
    let c = this.children.get(choice);
    if (!c) {
      const labels = labelsOf(choice);
      c = { answers: this.answers.labels(labels), foldIns: this.foldIns.labels(labels), latency: this.latency.labels(labels) };
      this.children.set(choice, c);
    }
    c.answers.inc();
    if (foldedIn) c.foldIns.inc();
    c.latency.observe(seconds);
  }
}

/** What the API tells the per-arm online evaluation (in a cluster worker: forwarded to the primary). */
export interface ArmEvalSink {
  recordRecommended(key: ArmKey, userId: number, movieIds: ArrayLike<number>, at?: number): void;
  observeRating(key: ArmKey, userId: number, movieId: number, rating: number, at?: number): void;
}

/**
 * One OnlineEvaluator per arm of the newest experiment (an older experiment's are dropped when a
 * newer one shows up; its counters stay). Each remembers at most `maxEntriesPerArm` pairs.
 */
export class ArmEvaluators implements ArmEvalSink {
  private readonly byKey = new Map<string, { key: ArmKey; evaluator: OnlineEvaluator }>();
  private newest = 0;

  constructor(
    private readonly onRating: (key: ArmKey, source: 'recommended' | 'other', liked: boolean) => void = () => undefined,
    private readonly maxEntriesPerArm = 250_000,
  ) {}

  private of(key: ArmKey): OnlineEvaluator | undefined {
    if (key.experimentId < this.newest) return undefined;
    if (key.experimentId > this.newest) {
      this.newest = key.experimentId;
      this.byKey.clear();
    }
    const id = `${key.experimentId}\u0000${key.arm}\u0000${key.version}`;
    let entry = this.byKey.get(id);
    if (!entry) {
      const stored: ArmKey = { experimentId: key.experimentId, arm: key.arm, version: key.version };
      const evaluator = new OnlineEvaluator({ maxEntries: this.maxEntriesPerArm });
      evaluator.onRating((source, liked) => this.onRating(stored, source, liked));
      this.byKey.set(id, (entry = { key: stored, evaluator }));
    }
    return entry.evaluator;
  }

  recordRecommended(key: ArmKey, userId: number, movieIds: ArrayLike<number>, at?: number): void {
    this.of(key)?.recordRecommended(userId, movieIds, at);
  }

  observeRating(key: ArmKey, userId: number, movieId: number, rating: number, at?: number): void {
    this.of(key)?.observeRating(userId, movieId, rating, at);
  }

  /** Each arm's evaluation snapshot. */
  snapshots() {
    return [...this.byKey.values()].map(({ key, evaluator }) => ({ key, snapshot: evaluator.snapshot() }));
  }
}

/** The per-arm online evaluation's counters and gauges in `registry`; returns the evaluators to feed. */
export function registerArmOnlineMetrics(registry: Registry): ArmEvaluators {
  const registers = [registry];
  const names = [...LABELS, 'source'] as const;
  const ratings = new Counter({
    name: 'reelrank_ab_online_ratings_total',
    help: 'Ratings received per arm, by whether the movie was recommended to that user',
    labelNames: names,
    registers,
  });
  const liked = new Counter({
    name: 'reelrank_ab_online_liked_ratings_total',
    help: 'Ratings >= 4 received per arm, by the same split',
    labelNames: names,
    registers,
  });
  const evaluators = new ArmEvaluators((key, source, isLiked) => {
    const labels = { ...labelsOf(key), source };
    ratings.inc(labels);
    if (isLiked) liked.inc(labels);
  });
  new Gauge({
    name: 'reelrank_ab_online_hit_rate',
    help: 'Share of ratings >= 4 among ratings of movies recommended to the arm (newest experiment)',
    labelNames: LABELS,
    registers,
    collect() {
      this.reset();
      for (const { key, snapshot } of evaluators.snapshots())
        if (snapshot.recommended.hitRate !== null) this.set(labelsOf(key), snapshot.recommended.hitRate);
    },
  });
  new Gauge({
    name: 'reelrank_ab_hit_rate_difference',
    help: 'Online hit rate of the challenger minus the control, with its 95% two-proportion interval (newest experiment)',
    labelNames: ['experiment', 'bound'],
    registers,
    collect() {
      this.reset();
      const arms = { control: { ratings: 0, liked: 0 }, challenger: { ratings: 0, liked: 0 } };
      let experiment = 0;
      for (const { key, snapshot } of evaluators.snapshots()) {
        experiment = key.experimentId;
        arms[key.arm].ratings += snapshot.recommended.ratings;
        arms[key.arm].liked += snapshot.recommended.liked;
      }
      const d = hitRateDifference(arms.control, arms.challenger);
      if (!d) return;
      for (const bound of ['estimate', 'low', 'high'] as const) this.set({ experiment: String(experiment), bound }, d[bound]);
    },
  });
  return evaluators;
}

export interface ArmSummary {
  arm: Arm;
  version: string;
  answers: number;
  fold_ins: number;
  latency: { count: number; mean_seconds: number | null; p50_seconds: number | null; p99_seconds: number | null };
  online: { ratings: number; liked: number; hit_rate: number | null };
}

export interface ExperimentSummary {
  experiment: number;
  arms: ArmSummary[];
  hit_rate_difference: HitRateDifference | null;
}

type Value = { value: number; labels: Record<string, string | number>; metricName?: string };

/** The newest experiment's figures per arm (the dashboard's), from (aggregated) metrics JSON; null when none was run. */
export function summarizeExperiment(metrics: MetricsJson): ExperimentSummary | null {
  const values = (name: string) => (metrics.find((m) => m.name === name)?.values ?? []) as Value[];
  const experimentIds = [...values('reelrank_ab_answers_total'), ...values('reelrank_ab_online_ratings_total')].map((v) =>
    Number(v.labels.experiment),
  );
  if (experimentIds.length === 0) return null;
  const experiment = Math.max(...experimentIds);
  const arms = new Map<string, ArmSummary & { buckets: Map<number, number>; sum: number }>();
  const armOf = (v: Value) => {
    const arm = String(v.labels.arm) as Arm;
    const version = String(v.labels.version);
    const id = `${arm}\u0000${version}`;
    let entry = arms.get(id);
    if (!entry) {
      entry = {
        arm,
        version,
        answers: 0,
        fold_ins: 0,
        latency: { count: 0, mean_seconds: null, p50_seconds: null, p99_seconds: null },
        online: { ratings: 0, liked: 0, hit_rate: null },
        buckets: new Map(),
        sum: 0,
      };
      arms.set(id, entry);
    }
    return entry;
  };
  const ofExperiment = (name: string) => values(name).filter((v) => Number(v.labels.experiment) === experiment);
  for (const v of ofExperiment('reelrank_ab_answers_total')) armOf(v).answers += v.value;
  for (const v of ofExperiment('reelrank_ab_fold_ins_total')) armOf(v).fold_ins += v.value;
  for (const v of ofExperiment('reelrank_ab_request_duration_seconds')) {
    const entry = armOf(v);
    if (v.metricName?.endsWith('_bucket') && v.labels.le !== '+Inf')
      entry.buckets.set(Number(v.labels.le), (entry.buckets.get(Number(v.labels.le)) ?? 0) + v.value);
    else if (v.metricName?.endsWith('_count')) entry.latency.count += v.value;
    else if (v.metricName?.endsWith('_sum')) entry.sum += v.value;
  }
  for (const v of ofExperiment('reelrank_ab_online_ratings_total')) if (v.labels.source === 'recommended') armOf(v).online.ratings += v.value;
  for (const v of ofExperiment('reelrank_ab_online_liked_ratings_total')) if (v.labels.source === 'recommended') armOf(v).online.liked += v.value;
  const totals = { control: { ratings: 0, liked: 0 }, challenger: { ratings: 0, liked: 0 } };
  const out: ArmSummary[] = [];
  for (const { buckets, sum, ...entry } of arms.values()) {
    const { count } = entry.latency;
    const quantile = (q: number) => {
      if (count === 0) return null;
      for (const le of [...buckets.keys()].sort((a, b) => a - b)) if (buckets.get(le)! >= q * count) return le;
      return null; // above the largest bucket
    };
    entry.latency = { count, mean_seconds: count ? sum / count : null, p50_seconds: quantile(0.5), p99_seconds: quantile(0.99) };
    entry.online.hit_rate = entry.online.ratings ? entry.online.liked / entry.online.ratings : null;
    totals[entry.arm].ratings += entry.online.ratings;
    totals[entry.arm].liked += entry.online.liked;
    out.push(entry);
  }
  out.sort((a, b) => (a.arm === b.arm ? a.version.localeCompare(b.version) : a.arm === 'control' ? -1 : 1));
  return { experiment, arms: out, hit_rate_difference: hitRateDifference(totals.control, totals.challenger) };
}
