import { z } from 'zod';

/**
 * Every setting, its default, its doc and the environment variable that overrides it.
 * Settings are grouped by the stage that reads them so that the Nx cache of a stage
 * only depends on its own group (config/dataset.json, config/training.json, config/serving.json).
 */

export const DATASET_NAMES = [
  'ml-latest-small',
  'ml-100k',
  'ml-1m',
  'ml-10m',
  'ml-20m',
  'ml-25m',
  'ml-latest',
  'synthetic',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

const positiveInt = z.number().int().positive();
const fraction = z.number().gt(0).lt(1);

export const datasetConfigSchema = z
  .object({
    dataset: z.enum(DATASET_NAMES).describe('MovieLens set to build (env REELRANK_DATASET)'),
    source: z
      .string()
      .min(1)
      .nullable()
      .describe('Local folder or zip used instead of downloading (env MOVIELENS_SOURCE)'),
    sampleSize: positiveInt.describe('Ratings kept in the deterministic development sample (env REELRANK_SAMPLE_SIZE)'),
  })
  .strict();

export const trainingConfigSchema = z
  .object({
    seed: z.number().int().nonnegative().describe('Seed of the split, the initial factors and the SGD order'),
    ratingModel: z
      .enum(['auto', 'svdpp', 'mf'])
      .describe('svdpp: MF with an implicit user term (more accurate, single-threaded); mf: plain biased MF on the parallel SIMD kernel; auto: svdpp below 5M ratings, mf (with the autoMf settings) above'),
    factors: positiveInt.max(1024).describe('Latent factors per user and movie'),
    maxEpochs: positiveInt.max(1000).describe('Upper bound on SGD epochs; early stopping usually ends sooner'),
    learningRate: z.number().positive().max(1).describe('SGD step size of the first epoch'),
    learningRateDecay: z.number().positive().max(1).describe('Step size multiplier applied after every epoch'),
    regularization: z.number().nonnegative().describe('L2 weight on user and movie factors'),
    biasRegularization: z.number().nonnegative().describe('L2 weight on user and movie biases'),
    initStd: z.number().positive().describe('Standard deviation of the initial factors'),
    patience: positiveInt.describe('Epochs without validation improvement before stopping'),
    validationFraction: fraction.describe('Share of ratings held out for early stopping'),
    testFraction: fraction.describe('Share of ratings held out for the reported test metrics'),
    refitOnAll: z.boolean().describe('Refit the served model on every rating with the chosen epoch count'),
    popularityMinRatings: positiveInt.describe('Ratings a movie needs to enter the cold-start list'),
    popularityPriorWeight: z.number().nonnegative().describe('Weight of the global mean in the damped (Bayesian) mean'),
    rankingK: positiveInt.max(100).describe('Cut-off of the ranking metrics (precision@K, recall@K, NDCG@K)'),
    autoMf: z
      .object({
        factors: positiveInt.max(1024),
        maxEpochs: positiveInt.max(1000),
        learningRate: z.number().positive().max(1),
        learningRateDecay: z.number().positive().max(1),
        initStd: z.number().positive(),
      })
      .partial()
      .strict()
      .optional()
      .describe('Settings that replace the ones above when ratingModel auto picks plain MF (large sets): fewer factors, a faster schedule'),
    evaluationMaxUsers: positiveInt
      .optional()
      .describe('Ranking metrics and blend tuning use a seeded sample of this many users when there are more (default 10000: ml-1m and smaller are evaluated exactly)'),
    refitMaxRatings: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('With refitOnAll, refit the served models on every rating only up to this many ratings; above it the validated models are served (default 500000)'),
  })
  .strict()
  .refine((c) => c.validationFraction + c.testFraction < 0.9, {
    message: 'validationFraction + testFraction must stay below 0.9',
  });

export const servingConfigSchema = z
  .object({
    host: z.string().min(1).describe('Interface the API listens on (env HOST)'),
    port: z.number().int().min(0).max(65535).describe('TCP port of the API (env PORT)'),
    bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/).describe('Largest accepted JSON body, e.g. 100kb'),
    maxRecommendations: positiveInt.max(1000).describe('Largest n_recommendations a client may ask for'),
    corsOrigins: z.string().describe('Allowed CORS origins, comma separated, or * (env CORS_ORIGINS)'),
  })
  .strict();

export type DatasetConfig = z.infer<typeof datasetConfigSchema>;
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;
export type ServingConfig = z.infer<typeof servingConfigSchema>;

/** Environment variables that override one setting each: `VAR -> [group, key]`. */
export const ENV_OVERRIDES: Record<string, readonly [group: 'dataset' | 'training' | 'serving', key: string]> = {
  REELRANK_DATASET: ['dataset', 'dataset'],
  MOVIELENS_SOURCE: ['dataset', 'source'],
  REELRANK_SAMPLE_SIZE: ['dataset', 'sampleSize'],
  PORT: ['serving', 'port'],
  HOST: ['serving', 'host'],
  CORS_ORIGINS: ['serving', 'corsOrigins'],
  ...Object.fromEntries(
    Object.keys(trainingConfigSchema.shape).map((key) => [
      `REELRANK_TRAIN_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
      ['training', key] as const,
    ]),
  ),
};
