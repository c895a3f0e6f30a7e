import { z } from 'zod';
import { driftSummary } from './drift-schemas.js';

/** Schemas of the model-version and monitoring routes (validation and OpenAPI, as schemas.ts). */

const version = z.string().meta({ description: 'Model version (content-derived)', example: 'mf-0123456789ab' });

export const modelVersionParams = z
  .object({
    version: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a model version such as mf-0123456789ab')
      .meta({ description: 'A version listed by GET /models', example: 'mf-0123456789ab' }),
  })
  .strict();

export const modelVersionEntry = z.object({
  version,
  created_at: z.string().meta({ description: 'When the model was trained', example: '2026-01-01T00:00:00.000Z' }),
  data_hash: z.string().meta({ description: 'sha256 of the ratings it was trained on' }),
  dataset: z.string().meta({ example: 'ml-latest-small' }),
  live: z.boolean().meta({ description: 'Whether this version is the one served' }),
  status: z.enum(['live', 'rejected', 'kept']).meta({
    description: 'live: served; rejected: the promotion gate turned it down (live only when forced); kept: an earlier or rolled-back version',
  }),
  metrics: z
    .object({
      test_rmse: z.number().nullable().meta({ description: 'Rating model, held-out test RMSE', example: 0.8477 }),
      test_mae: z.number().nullable(),
      k: z.number().int().nullable().meta({ description: 'Cut-off of the ranking figures', example: 10 }),
      precision_at_k: z.number().nullable().meta({ description: 'Served ranking (or the rating model without a ranker), test P@k' }),
      ndcg_at_k: z.number().nullable().meta({ description: 'Served ranking (or the rating model without a ranker), test NDCG@k', example: 0.2854 }),
    })
    .meta({ description: 'Headline test figures (full report: metrics.json of the version)' }),
});

export const modelsResponse = z.object({
  dataset: z.string(),
  live_version: z.string().nullable().meta({ description: 'The version this process serves', example: 'mf-0123456789ab' }),
  keep_versions: z.number().int().nullable().meta({ description: 'How many trained versions the registry keeps (null: no registry)', example: 5 }),
  versions: z.array(modelVersionEntry).meta({ description: 'Newest first' }),
});

export const activateQuery = z
  .object({
    force: z
      .enum(['true', 'false'])
      .optional()
      .meta({ description: 'true: activate a version the promotion gate rejected (an operator overrides the gate)' }),
  })
  .strict();

const gateFigures = z.object({
  rmse: z.number().nullable().meta({ description: 'Holdout RMSE of the served predicted_rating' }),
  ndcg_at_k: z.number().nullable().meta({ description: 'Holdout NDCG@k of the served ranking (the project protocol)' }),
  rows: z.number().int(),
  users: z.number().int(),
});

export const gateVerdictSchema = z
  .object({
    decision: z.enum(['promoted', 'rejected']),
    reason: z.string().meta({ example: 'holdout RMSE 0.9312 > live 0.8650 + 0.01 (live mf-0123456789ab)' }),
    k: z.number().int(),
    holdout: z.object({ share: z.number(), seed: z.number().int(), ratings: z.number().int() }),
    epsilon: z.object({ rmse: z.number(), ndcg: z.number() }),
    candidate: gateFigures,
    live: gateFigures.extend({ version }).nullable().meta({ description: 'The live model when the gate ran, scored then on the same holdout rows' }),
    decided_at: z
      .string()
      .nullable()
      .meta({ description: 'When the run that made the verdict finished (from the run history; null when its line is gone)' }),
  })
  .nullable()
  .meta({ description: 'The promotion gate: this version and the then-live one on the gate holdout (null: trained before the gate)' });

export const modelVersionDetails = modelVersionEntry.extend({
  gate: gateVerdictSchema,
  run: z
    .object({
      run_id: z.string(),
      outcome: z.enum(['promoted', 'rejected', 'failed']),
      version: z.string().nullable(),
      started_at: z.string(),
      finished_at: z.string(),
      live_before: z.string().nullable(),
      live_after: z.string().nullable(),
      data_hash: z.string().nullable(),
      seed: z.number().int(),
      posted_ratings: z.number().int().meta({ description: 'Posted ratings merged into its training data' }),
      steps_seconds: z.record(z.string(), z.number()).meta({ description: 'Seconds per training step' }),
      settings: z.record(z.string(), z.unknown()).meta({ description: 'The training settings of the run' }),
      gate: gateVerdictSchema,
      error: z.string().nullable(),
    })
    .nullable()
    .meta({ description: 'Its latest training run in the history (null: trained before the history existed)' }),
});

export const activateResponse = z.object({
  status: z.enum(['activated', 'unchanged']).meta({ description: 'unchanged: the version was already live (it is still verified and rebuilt)' }),
  version,
  previous_version: z.string().nullable(),
  dataset: z.string(),
  seconds: z.number(),
});

const counts = z.object({ requests: z.number(), errors: z.number().meta({ description: 'Answers with status >= 500' }) });
const hit = z.object({ ratings: z.number(), liked: z.number(), hit_rate: z.number().nullable() });

export const metricsSummaryResponse = z.object({
  at: z.string(),
  requests: counts.extend({ by_route: z.record(z.string(), counts) }).meta({ description: 'Cumulative, every route but the monitoring ones' }),
  latency: z
    .object({
      le: z.array(z.number()).meta({ description: 'Histogram bucket upper bounds, seconds' }),
      cumulative: z.array(z.number()).meta({ description: 'Requests answered within each bound (cumulative, since start)' }),
      count: z.number(),
      sum_seconds: z.number(),
    })
    .meta({ description: 'Latency histogram of every route but the monitoring ones; quantiles come from the difference of two polls' }),
  live_versions: z.array(z.object({ version, processes: z.number() })),
  ratings_received: z.number(),
  fold_ins_served: z.number(),
  cold_start_answers: z.number(),
  online: z
    .object({ recommended: hit, other: hit })
    .meta({ description: 'Received ratings for movies recommended to that user in the previous 24 h vs other movies; hit_rate = share >= 4' }),
  retrain: z
    .object({
      last_run_at: z.string().nullable(),
      outcome: z.enum(['trained', 'rejected', 'unchanged', 'failed']).nullable(),
      duration_seconds: z.number().nullable(),
      running: z.boolean(),
      consecutive_failures: z.number().nullable(),
      ratings_waiting: z.number().nullable(),
      last_check_at: z.string().nullable(),
      next_check_at: z.string().nullable(),
    })
    .nullable()
    .meta({ description: '`reelrank retrain --watch`: its last run and its last look at the posted ratings; null when no watcher has run' }),
  gate: z
    .array(
      z.object({
        version,
        decision: z.string().meta({ description: 'promoted or rejected' }),
        decided_at: z.string(),
        rmse: z.number().nullable().meta({ description: 'Its holdout RMSE when the gate scored it' }),
        ndcg_at_k: z.number().nullable().meta({ description: 'Its holdout NDCG@k when the gate scored it' }),
      }),
    )
    .meta({ description: 'The promotion gate per trained version (run history), oldest first: the dashboard charts it across versions' }),
  drift: driftSummary,
  experiment: z
    .object({
      experiment: z.number().int(),
      arms: z.array(
        z.object({
          arm: z.enum(['control', 'challenger']),
          version,
          answers: z.number(),
          fold_ins: z.number(),
          latency: z.object({
            count: z.number(),
            mean_seconds: z.number().nullable(),
            p50_seconds: z.number().nullable().meta({ description: 'Upper bound of the histogram bucket holding the median' }),
            p99_seconds: z.number().nullable(),
          }),
          online: hit,
        }),
      ),
      hit_rate_difference: z.object({ estimate: z.number(), low: z.number(), high: z.number(), confidence: z.number() }).nullable().meta({
        description: 'Online hit rate of the challenger minus the control, two-proportion normal interval; null until both arms have ratings',
      }),
    })
    .nullable()
    .meta({ description: 'The newest A/B experiment per arm (answers, fold-ins, latency, online hit rate); null when none ran since start' }),
});
