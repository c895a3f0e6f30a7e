import { headlineMetrics } from '@reelrank/model';

/**
 * What `npm run bench:pipeline -- --record` keeps of a run (docs/benchmarks/train-<size>.json): the
 * train stage through Nx (wall, CPU, peak RSS), its steps, the data it read and the test figures of the
 * model it saved (metrics.json and model.json). docs/benchmarks.md charts it against Surprise's fit
 * (tools/peers/surprise-train.py).
 */

/** Wall and CPU seconds of one step of the train stage (metrics.json `steps`). */
export interface StepTime {
  wall: number;
  cpu: number;
}

export interface TrainRecord {
  /** What the stage read: a MovieLens folder's name or the synthetic set and its shape. */
  data: string;
  ratings: number;
  users: number;
  movies: number;
  /** What the seconds cover. */
  timed: string;
  /** `nx run trainer:pipeline` under /usr/bin/time -v: wall, user + system CPU of every process, peak RSS of the largest. */
  trainStage: { seconds: number; cpuSeconds: number | null; peakRssBytes: number | null };
  /** The machine's 1-minute load average just before and just after the stage (it is shared: read the wall seconds beside it). */
  loadAverage: { before: number; after: number };
  /** The stage's own per-step wall and CPU seconds (metrics.json). */
  steps: Record<string, StepTime>;
  ratingModel: string;
  factors: number | null;
  epochsRun: number | null;
  /** On the stage's own test part: the served rating's RMSE, the served ranking's P@k and NDCG@k. */
  test: { k: number; rmse: number; precision: number | null; ndcg: number | null };
}

export const TRAIN_STAGE_TIMED =
  'the whole train stage through Nx: reading the database, tuning, the rating model, the ranker, evaluation on the test part, the promotion gate and saving';

type Json = Record<string, any>;

/** The record's results from a run's measured train stage, its metrics.json and its model.json (the manifest). */
export function trainRecordResults(
  data: string,
  stage: { seconds: number; cpuSeconds: number | null; peakRssBytes: number | null; loadAverage: { before: number; after: number } },
  metrics: Json,
  manifest: Json,
): TrainRecord {
  // The manifest's headline figures, read as everything else reads them: the served ranking's P@k and NDCG@k.
  const headline = headlineMetrics(manifest.metrics ?? {});
  return {
    data,
    // Every rating the stage read: the fit/validation/test parts and the gate's holdout.
    ratings: Number(metrics.training.ratings.all) + Number(metrics.training.ratings.gateHoldout ?? 0),
    users: Number(manifest.users),
    movies: Number(manifest.movies),
    timed: TRAIN_STAGE_TIMED,
    trainStage: { seconds: stage.seconds, cpuSeconds: stage.cpuSeconds, peakRssBytes: stage.peakRssBytes },
    loadAverage: { before: Number(stage.loadAverage.before.toFixed(2)), after: Number(stage.loadAverage.after.toFixed(2)) },
    steps: metrics.steps ?? {},
    ratingModel: String(metrics.plan?.rating?.label ?? metrics.training.ratingModel),
    factors: metrics.plan?.rating?.settings?.factors ?? null,
    epochsRun: metrics.training.epochsRun ?? null,
    test: {
      k: headline.k ?? Number(metrics.k),
      rmse: Number(headline.testRmse),
      precision: headline.precisionAtK,
      ndcg: headline.ndcgAtK,
    },
  };
}
