import { z } from 'zod';

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
      outcome: z.enum(['trained', 'unchanged', 'failed']).nullable(),
      duration_seconds: z.number().nullable(),
      running: z.boolean(),
      consecutive_failures: z.number().nullable(),
      ratings_waiting: z.number().nullable(),
      last_check_at: z.string().nullable(),
      next_check_at: z.string().nullable(),
    })
    .nullable()
    .meta({ description: '`reelrank retrain --watch`: its last run and its last look at the posted ratings; null when no watcher has run' }),
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
