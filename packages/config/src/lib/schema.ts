import { z } from 'zod';

/**
 * Every setting, its default, its doc and the environment variable that overrides it, grouped by
 * concern: dataset, training, serving, identity, storage, operations. Each group has its file under
 * config/ (storage has none); the Nx cache of a stage depends only on the files and env variables of
 * the settings it reads (config/dataset.json, config/training.json, and the `stages` of each key).
 * Every setting is in this one file, so it is the one reference to read.
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
  'synthetic-small',
  'synthetic-32m',
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/**
 * A data set's name becomes a file and folder name (data/<name>.db, models/<name>/): letters,
 * digits, dot, dash and underscore, starting with a letter or digit.
 */
export const DATASET_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const fraction = z.number().gt(0).lt(1);
/** `1`/`0` (how shell users write flags) or `true`/`false`. */
const flag = z.preprocess((v) => (v === 1 ? true : v === 0 ? false : v), z.boolean());

export const syntheticSizeSchema = z
  .object({
    ratings: positiveInt
      .nullable()
      .describe("Ratings generated (null: the data set's shape, ml-20m for synthetic, ml-latest-small for synthetic-small, ml-32m for synthetic-32m)")
      .meta({ env: 'REELRANK_SYNTHETIC_RATINGS' }),
    users: positiveInt.nullable().describe("Users generated (null: the data set's shape)").meta({ env: 'REELRANK_SYNTHETIC_USERS' }),
    movies: positiveInt.nullable().describe("Movies generated (null: the data set's shape)").meta({ env: 'REELRANK_SYNTHETIC_MOVIES' }),
    seed: nonNegativeInt.describe('Seed of the generator').meta({ env: 'REELRANK_SYNTHETIC_SEED' }),
  })
  .strict();

export const datasetConfigSchema = z
  .object({
    dataset: z
      .string()
      .regex(DATASET_NAME_PATTERN, 'must be letters, digits, ".", "-" or "_" (it names files), e.g. ml-1m')
      .nullable()
      .describe(
        `Data set to build: a GroupLens name (${DATASET_NAMES.join(', ')}) to download, or any name for a local source; null: the source's folder or zip name, or ml-latest-small when there is no source`,
      )
      .meta({ env: 'REELRANK_DATASET' }),
    source: z
      .string()
      .min(1)
      .nullable()
      .describe('Local folder or zip used instead of downloading; relative to the workspace root in the file, to the current directory in the env')
      .meta({ env: 'MOVIELENS_SOURCE' }),
    sampleSize: positiveInt.describe('Ratings kept in the deterministic development sample').meta({ env: 'REELRANK_SAMPLE_SIZE' }),
    synthetic: syntheticSizeSchema.describe(
      'Size of a generated data set (`synthetic`, `synthetic-small`, `synthetic-32m`; used when source is null)',
    ),
  })
  .strict()
  .meta({ stages: ['ingest'] });

/** Implicit-feedback ALS of the top-N ranker (the seed is the training seed). */
export const implicitConfigSchema = z
  .object({
    factors: positiveInt.max(1024).describe('Latent factors of the implicit model'),
    sweeps: positiveInt.max(1000).describe('ALS sweeps (users then movies)'),
    alpha: z.number().nonnegative().describe('Confidence slope: c = 1 + alpha * w(r) on rated pairs'),
    ratingSlope: z.number().nonnegative().describe('How much the rating itself raises the confidence (0: every rating counts the same)'),
    ratingPivot: z.number().describe('Rating at which w(r) = 1'),
    floor: z.number().nonnegative().describe('Smallest w(r)'),
    regularization: z.number().nonnegative().describe('L2 weight lambda of the ALS solves'),
    initStd: z.number().positive().describe('Standard deviation of the initial factors'),
    cgSteps: nonNegativeInt
      .max(64)
      .describe('Conjugate-gradient steps per row and half-sweep, warm-started from the previous sweep (0: exact Cholesky solves)'),
  })
  .strict();

/** EASE, the item-item signal of the top-N ranker. */
export const easeConfigSchema = z
  .object({
    lambda: z.number().positive().describe('L2 weight lambda of EASE: B = I - P diag(1/diag P), P = (XtX + lambda I)^-1 over who-rated-what'),
    maxMovies: positiveInt
      .max(20000)
      .describe(
        'EASE covers at most this many movies, the most-rated: its dense inverse costs ~K^3 * 2/3 multiply-adds and the served B K^2 floats (0 EASE scores elsewhere)',
      ),
    otherRatingWeight: z
      .number()
      .min(0)
      .max(1)
      .describe(
        'What a rating below 4.0 (the relevance threshold) counts in X and x_u, a liked one counting 1 (1: the 0/1 matrix; 0: liked ratings only)',
      ),
    weightGrid: z.array(z.number().nonnegative()).min(1).describe('w_ease values the blend tuning tries (w_implicit = 1; [0]: EASE left out)'),
    maxRatings: nonNegativeInt.describe(
      'EASE is fitted up to this many train ratings and left out of the blend above (its Gram XtX grows with the squared ratings per user: ~7 CPU-s at 20M for 1,000 movies, where the 20M train stage has no time left of its 90 s)',
    ),
  })
  .strict();

export const rankerConfigSchema = z
  .object({
    implicit: implicitConfigSchema,
    ease: easeConfigSchema,
    ratingWeightGrid: z.array(z.number().nonnegative()).min(1).describe('w_rating values the blend tuning tries (w_implicit = 1)'),
    popularityWeightGrid: z.array(z.number().nonnegative()).min(1).describe('w_popularity values the blend tuning tries'),
    maxTuningUsers: positiveInt.describe('Validation users the blend weights are tuned on, at most (memory: 2 x users x movies floats)'),
    largeSetSweeps: z
      .object({
        minRatings: nonNegativeInt.describe('Train ratings from which `sweeps` replaces implicit.sweeps'),
        sweeps: positiveInt.max(1000).describe('ALS sweeps of the implicit fit on a set that large'),
      })
      .strict()
      .optional()
      .describe(
        'Fewer implicit ALS sweeps on large sets (absent: implicit.sweeps at every size). CG is warm-started from the previous sweep; on the 20M set the served NDCG@10 on test and on the gate holdout was no lower after 5 sweeps than after 10, while each sweep costs 2-3.4 CPU-s there (k 32, CG 3 steps)',
      ),
  })
  .strict();

/** The item-item neighbourhood rating predictor blended with the rating model (see packages/model neighbourhood-model.ts). */
export const neighbourhoodConfigSchema = z
  .object({
    k: positiveInt.max(500).default(20).describe('Neighbours summed per prediction: the k movies the user rated most similar to the target'),
    candidates: positiveInt
      .max(2000)
      .default(50)
      .describe('Neighbours kept per movie (the largest positive similarities): the served lists hold movies x candidates entries'),
    shrinkage: z
      .number()
      .nonnegative()
      .default(100)
      .describe(
        'Shrinkage lambda of the similarity: Pearson correlation of baseline residuals x (n - 1) / (n - 1 + lambda), n the users who rated both',
      ),
    minCommon: positiveInt.default(2).describe('Movie pairs rated by fewer users are no neighbours'),
    maxRatings: nonNegativeInt
      .default(2000000)
      .describe(
        'The neighbourhood predictor is fitted up to this many train ratings and left out above (its similarity pass costs the sum over users of their squared rating counts); 0: never',
      ),
  })
  .strict();

/** The promotion gate (see packages/trainer gate-holdout.ts and promotion-gate.ts). */
export const gateConfigSchema = z
  .object({
    holdoutShare: z
      .number()
      .min(0)
      .max(0.2)
      .default(0.02)
      .describe(
        'Share of all ratings (data set and posted alike, by a seeded hash of user and movie) in the gate holdout, which no fit, tuning or selection sees and every version is scored on; 0: no holdout and no gate, every training goes live',
      )
      .meta({ env: 'REELRANK_GATE_HOLDOUT_SHARE' }),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(20_261_204)
      .describe('Seed of the holdout hash; changing it makes every earlier gate figure incomparable')
      .meta({ env: 'REELRANK_GATE_SEED' }),
    rmseEpsilon: z
      .number()
      .nonnegative()
      .default(0.01)
      .describe("A candidate goes live only if its holdout RMSE <= the live model's + this")
      .meta({ env: 'REELRANK_GATE_RMSE_EPSILON' }),
    ndcgEpsilon: z
      .number()
      .nonnegative()
      .default(0.01)
      .describe("A candidate goes live only if its holdout NDCG@rankingK >= the live model's - this")
      .meta({ env: 'REELRANK_GATE_NDCG_EPSILON' }),
    maxUsers: z
      .number()
      .int()
      .positive()
      .default(2000)
      .describe(
        "The gate's NDCG@rankingK is computed on a seeded sample (gate.seed) of at most this many holdout users with a relevant rating, the same users for the candidate and the live model; its RMSE covers every holdout row. At 20M (per-user NDCG@10 spread ~0.15) 2,000 users give each figure a standard error near 0.003, a third of ndcgEpsilon, and each model's scoring costs ~0.7 CPU-ms per user",
      )
      .meta({ env: 'REELRANK_GATE_MAX_USERS' }),
  })
  .strict();

/** Item cold start: the ridge map from a movie's content to its served vectors (fitted in the train stage). */
export const contentMapConfigSchema = z
  .object({
    enabled: z.boolean().describe('Fit the content map in the train stage and serve content-derived vectors for movies with few or no ratings'),
    minRatings: positiveInt.describe('Ratings a movie needs to be a training example of the map (its learned vectors are the targets)'),
    lambdaGrid: z
      .array(z.number().positive())
      .min(1)
      .describe('Ridge weights tried; each target block (rating factors, movie bias, ranker factors) takes the best on validation movies'),
    validationFraction: fraction.describe('Share of the training movies held out to choose lambda (seeded by the training seed)'),
    tagVocabulary: nonNegativeInt.max(5000).describe('Tags kept as features: the ones on the most training movies (0: no tag features)'),
    tagMinMovies: positiveInt.describe('Movies a tag must be on to be a feature'),
    genomeVocabulary: nonNegativeInt
      .max(2000)
      .describe(
        'Tag genome tags kept as features where the data set has a genome (ml-20m/25m/32m): the ones whose relevance varies most across movies (0: no genome features)',
      ),
    yearBinWidth: positiveInt.max(100).describe('Width in years of the one-hot year bins'),
    blendPrior: z
      .number()
      .nonnegative()
      .describe(
        'Pseudo-ratings k of the blend: a movie with n < minRatings ratings is served n/(n+k), rescaled to reach 1 at minRatings, of its own vectors and the rest from its content',
      ),
  })
  .strict();

export const trainingConfigSchema = z
  .object({
    seed: z.number().int().nonnegative().describe('Seed of the split, the initial factors and the SGD order'),
    ratingModel: z
      .enum(['auto', 'svdpp', 'mf'])
      .describe(
        'svdpp: MF with an implicit user term (parallel SIMD SVD++ kernel, 250 factors: the more accurate on small sets); mf: plain biased MF on the parallel SIMD kernel; auto: svdpp up to autoSvdppMaxRatings, mf (with the autoMf settings) above',
      ),
    autoSvdppMaxRatings: positiveInt.describe('Ratings up to which ratingModel auto picks svdpp'),
    factors: positiveInt.max(1024).describe('Latent factors per user and movie'),
    maxEpochs: positiveInt.max(1000).describe('Upper bound on SGD epochs; early stopping usually ends sooner'),
    learningRate: z.number().positive().max(1).describe('SGD step size of the first epoch'),
    learningRateDecay: z.number().positive().max(1).describe('Step size multiplier applied after every epoch'),
    regularization: z.number().nonnegative().describe('L2 weight on user and movie factors'),
    biasRegularization: z.number().nonnegative().describe('L2 weight on user and movie biases'),
    initStd: z.number().positive().describe('Standard deviation of the initial factors'),
    patience: positiveInt.describe('Epochs without validation improvement before stopping'),
    validationFraction: fraction.describe('Share of ratings held out for early stopping'),
    validationMaxRatings: positiveInt
      .nullable()
      .describe(
        'Most ratings the validation part holds (null: no cap): on a large set its share would be millions of ratings, more than early stopping and the blend tuning need, so the rest stay in the fit part',
      ),
    testFraction: fraction.describe('Share of ratings held out for the reported test metrics'),
    refitOnAll: z.boolean().describe('Refit the served model on every rating with the chosen epoch count'),
    popularityMinRatings: positiveInt.describe('Ratings a movie needs to enter the cold-start list'),
    popularityPriorWeight: z.number().nonnegative().describe('Weight of the global mean in the damped (Bayesian) mean'),
    rankingK: positiveInt.max(100).describe('Cut-off of the ranking metrics (precision@K, recall@K, NDCG@K)'),
    threads: positiveInt
      .max(256)
      .nullable()
      .describe(
        'Worker threads of the SGD kernel and the blend tuning, and above 1 the served fit on every rating on its own worker thread beside the evaluation (null: one per core; 1: the single-thread path)',
      ),
    parallelMinRatings: nonNegativeInt.describe(
      'Train ratings below which the single-thread path is kept (worker start-up outweighs the gain): SGD, blend tuning, and the evaluation rows of the rating model and the ranker (from it on, each on its own worker thread)',
    ),
    svdppThreads: positiveInt
      .max(256)
      .describe(
        'Worker threads of the SVD++ kernel: 1 reproduces a seed bit for bit; more run Hogwild (movie-side updates race, results vary run to run)',
      ),
    evalScorer: z
      .enum(['tensor', 'typed-array'])
      .describe('Scorer of the ranking metrics: TF.js batches (tensor) or one user at a time (typed-array)')
      .meta({ env: 'REELRANK_EVAL_SCORER' }),
    ranker: rankerConfigSchema.describe('The top-N ranker: implicit ALS settings and the blend-weight grid (chosen by `npm run tune`)'),
    neighbourhood: neighbourhoodConfigSchema
      .prefault({})
      .describe('The item-item neighbourhood predictor on baseline residuals, blended with the rating model by weights fitted on validation'),
    contentMap: contentMapConfigSchema.describe('Item cold start from content (genres, year, tags, genome scores): the ridge map and the blend'),
    autoMf: z
      .object({
        factors: positiveInt.max(1024),
        maxEpochs: positiveInt.max(1000),
        learningRate: z.number().positive().max(1),
        learningRateDecay: z.number().positive().max(1),
        regularization: z.number().nonnegative(),
        initStd: z.number().positive(),
      })
      .partial()
      .strict()
      .optional()
      .describe('Settings that replace the ones above when ratingModel auto picks plain MF (large sets): fewer factors, a faster schedule'),
    evaluationMaxUsers: positiveInt.describe(
      'Ranking metrics and blend tuning use a seeded sample of this many users when there are more (exact below it)',
    ),
    diversityMaxUsers: positiveInt.describe(
      "The diversity sweep (NDCG, intra-list diversity, coverage and novelty per serving `diversity` setting, in metrics.json) runs on a seeded sample of at most this many of the evaluated test users (default 1000: it re-ranks each user's pool at every setting, and its figures are a report, not a choice)",
    ),
    refitMaxRatings: z
      .number()
      .int()
      .nonnegative()
      .describe('With refitOnAll, refit the served models on every rating only up to this many ratings; above it the validated models are served'),
    postedNewUsersPerIdentity: positiveInt.describe(
      "Posted ratings in training: new users (not in the data set) counted per writer identity, the newest kept (a key or the admin token is one identity; visitors and anonymous callers count per client address, since one address can mint many visitors). Caps what one client can push into the popular list and everyone's picks",
    ),
    postedRatingsPerIdentity: positiveInt.describe(
      'Posted ratings in training: ratings counted per writer identity (as for postedNewUsersPerIdentity), the newest kept',
    ),
    gate: gateConfigSchema
      .prefault({})
      .describe('The promotion gate: the holdout every version is scored on, and how much worse than the live model a candidate may be'),
  })
  .strict()
  .refine((c) => c.validationFraction + c.testFraction < 0.9, {
    message: 'validationFraction + testFraction must stay below 0.9',
  })
  // REELRANK_TRAIN_<KEY> overrides each scalar key (ranker, contentMap, autoMf and gate come from the file).
  .meta({ envPrefix: 'REELRANK_TRAIN_', stages: ['train'] });

export const servingConfigSchema = z
  .object({
    host: z.string().min(1).describe('Interface the API listens on').meta({ env: 'HOST' }),
    port: z.number().int().min(0).max(65535).describe('TCP port of the API').meta({ env: 'PORT' }),
    bodyLimit: z
      .string()
      .regex(/^\d+(b|kb|mb)$/)
      .describe('Largest accepted JSON body, e.g. 100kb'),
    maxRecommendations: positiveInt.max(1000).describe('Largest n_recommendations a client may ask for'),
    answerCacheEntries: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .describe(
        'Serialised answers of plain POST /recommendations (user id and n, no filters) kept per process, least recently used dropped first (about 2.5 kB each at n = 10); 0 keeps none',
      ),
    heapGrowthPercent: z
      .number()
      .int()
      .min(0)
      .max(400)
      .describe(
        "How far each server process's JavaScript heap may grow past what is live before its next full garbage collection, in percent (V8's --heap-growing-percent); under load V8 otherwise lets it reach up to 4x, memory a 20M-rating model's process keeps resident; 0 leaves V8's own choice",
      ),
    corsOrigins: z
      .string()
      .describe(
        'Origins other than its own whose pages may call the API, comma separated, or * for any; empty: none, only pages served by the API itself (same origin)',
      )
      .meta({ env: 'CORS_ORIGINS' }),
    webRoot: z.string().min(1).nullable().describe('Folder of the static web page served at / (relative to the workspace root; null serves no page)'),
    catalogueRefreshMs: z
      .number()
      .int()
      .min(50)
      .max(1000)
      .default(250)
      .describe(
        "How often each API process (every cluster worker, every replica) asks the catalogue overlay for movies added, changed or hidden by another one, in ms: such a change is served everywhere within this time (at once where it is pushed: PostgreSQL LISTEN, a cluster sibling's write)",
      )
      .meta({ env: 'REELRANK_CATALOGUE_REFRESH_MS' }),
    catalogueListeningPollMs: z
      .number()
      .int()
      .min(250)
      .max(600_000)
      .default(5_000)
      .describe(
        'With PostgreSQL, catalogue changes are pushed to every replica (LISTEN/NOTIFY) and the poll is only a safety net: its interval in ms while the listener is connected (catalogueRefreshMs again while it reconnects)',
      ),
    experimentPollMs: z
      .number()
      .int()
      .min(50)
      .max(60_000)
      .default(500)
      .describe(
        'How often each API process reads the running A/B experiment from the store: a started or concluded experiment reaches every worker and replica within it',
      )
      .meta({ env: 'REELRANK_EXPERIMENT_POLL_MS' }),
    metrics: z
      .object({
        host: z
          .string()
          .min(1)
          .describe('Interface of the metrics listener; 127.0.0.1: only this machine can scrape it')
          .meta({ env: 'REELRANK_METRICS_HOST' }),
        port: z
          .number()
          .int()
          .min(0)
          .max(65535)
          .nullable()
          .describe('TCP port of the metrics listener; 0: any free port; null: no metrics listener')
          .meta({ env: 'REELRANK_METRICS_PORT' }),
      })
      .strict()
      .describe(
        'The listener of GET /metrics (Prometheus), /metrics/summary and /dashboard without credentials (in cluster mode the primary: the summed metrics); on the API port they need the admin credential',
      ),
  })
  .strict();

/**
 * What one identity (an API key, a visitor, or a client address when anonymous) may make the API do
 * (identity.limits): env only, every key with a default a person using the page never reaches. The API
 * reads them (apps/api limits.ts); see docs/api.md "Limits".
 */
export const limitsConfigSchema = z
  .object({
    foldMaxRatings: positiveInt
      .max(100_000)
      .default(1000)
      .describe(
        "Posted ratings one fold-in uses at most: a user's newest ones, by the order posted; also the most ratings POST /recommendations/new-user takes",
      )
      .meta({ env: 'REELRANK_LIMIT_FOLD_MAX_RATINGS' }),
    foldMaxUsers: positiveInt
      .max(1000)
      .default(100)
      .describe('Distinct users one POST /predict/batch may name, each possibly folded in')
      .meta({ env: 'REELRANK_LIMIT_FOLD_MAX_USERS' }),
    foldRatingsPerSecond: z
      .number()
      .positive()
      .default(200)
      .describe(
        'Ratings one identity may have folded in per second, sustained: a new-user request costs its ratings, a user folded again after new ratings the posted ratings folded',
      )
      .meta({ env: 'REELRANK_LIMIT_FOLD_RATINGS_PER_SECOND' }),
    foldRatingsBurst: positiveInt
      .default(2000)
      .describe('Ratings one identity may have folded in at once')
      .meta({ env: 'REELRANK_LIMIT_FOLD_RATINGS_BURST' }),
    ratingsPerSecond: z
      .number()
      .positive()
      .default(20)
      .describe('Ratings one identity may write per second, sustained')
      .meta({ env: 'REELRANK_LIMIT_RATINGS_PER_SECOND' }),
    ratingsBurst: positiveInt
      .default(1000)
      .describe('Ratings one identity may write at once: one full POST /ratings batch')
      .meta({ env: 'REELRANK_LIMIT_RATINGS_BURST' }),
    newUsersPerHour: z
      .number()
      .positive()
      .default(60)
      .describe('User ids without posted ratings one identity may start rating per hour, sustained')
      .meta({ env: 'REELRANK_LIMIT_NEW_USERS_PER_HOUR' }),
    newUsersBurst: positiveInt.default(60).describe('New users one identity may start at once').meta({ env: 'REELRANK_LIMIT_NEW_USERS_BURST' }),
    maxRatingsPerUser: positiveInt
      .default(5000)
      .describe('Posted ratings one user id may hold; a write beyond it is refused with 409')
      .meta({ env: 'REELRANK_LIMIT_MAX_RATINGS_PER_USER' }),
    maxSignalsPerUser: positiveInt
      .default(5000)
      .describe('Taste signals (not interested, seen, watchlist) one user id may hold; a write beyond it is refused with 409')
      .meta({ env: 'REELRANK_LIMIT_MAX_SIGNALS_PER_USER' }),
    maxTrackedIdentities: positiveInt
      .default(100_000)
      .describe('Identities whose budgets are remembered at once per limit; the least recently active are forgotten')
      .meta({ env: 'REELRANK_LIMIT_MAX_TRACKED_IDENTITIES' }),
    adminGlobalBurst: positiveInt
      .default(50)
      .describe(
        'Failed admin authentications from all addresses together in a burst; while spent, only addresses that authenticated recently may try',
      )
      .meta({ env: 'REELRANK_LIMIT_ADMIN_GLOBAL_BURST' }),
    adminGlobalRefillSeconds: z
      .number()
      .positive()
      .default(1)
      .describe('Seconds to earn back one failure of the global admin budget')
      .meta({ env: 'REELRANK_LIMIT_ADMIN_GLOBAL_REFILL_SECONDS' }),
  })
  .strict();

/**
 * The identity settings read from the environment alone: the API's start-up and the cluster primary
 * need them before or without the files (the admin credential and its budget, how a client's address
 * is found, the per-identity limits).
 */
export const identityEnvSchema = z
  .object({
    adminToken: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'The admin bearer token: /admin/*, the details of /ready, and on the API port /metrics, /metrics/summary, /dashboard and /models; unset or empty: none of those',
      )
      .meta({ env: 'REELRANK_ADMIN_TOKEN' }),
    adminBurst: z.number().positive().default(5).describe('Admin requests allowed in a burst').meta({ env: 'REELRANK_ADMIN_BURST' }),
    adminRefillSeconds: z
      .number()
      .positive()
      .default(2)
      .describe('Seconds to earn back one admin request')
      .meta({ env: 'REELRANK_ADMIN_REFILL_SECONDS' }),
    trustProxy: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe("Express `trust proxy`: proxy hops to trust, or proxy addresses/subnets; null: the socket's address, X-Forwarded-For ignored")
      .meta({ env: 'REELRANK_TRUST_PROXY' }),
    limits: limitsConfigSchema
      .prefault({})
      .describe('What one identity (an API key, a visitor, or a client address when anonymous) may make the API do'),
  })
  .strict();

/**
 * Who may call what, and what one identity may do (config/identity.json, optional: every key has a
 * default): anonymous reads, the page's visitor cookie and the origins allowed to write with it, the
 * admin credential, the client address behind a proxy, and the per-identity limits (env only).
 */
export const identityConfigSchema = z
  .object({
    anonymousReads: z
      .boolean()
      .default(true)
      .describe(
        'Callers without credentials may use the read endpoints (recommendations, predict, similar, search, movies); false: they need a key of any role',
      )
      .meta({ env: 'REELRANK_ANONYMOUS_READS' }),
    visitorCookieSecret: z
      .string()
      .min(32)
      .nullable()
      .default(null)
      .describe(
        'HMAC-SHA256 secret of the visitor cookie, at least 32 characters (null: a random one made on first start in <dataDir>/visitor-cookie.secret, mode 0600, which replicas on one data folder share). Replicas on separate disks need the same value here',
      )
      .meta({ env: 'REELRANK_VISITOR_COOKIE_SECRET' }),
    visitorCookiePreviousSecret: z
      .string()
      .min(32)
      .nullable()
      .default(null)
      .describe('While rotating: the secret before visitorCookieSecret, still accepted for cookies it signed (new cookies use the current one)')
      .meta({ env: 'REELRANK_VISITOR_COOKIE_PREVIOUS_SECRET' }),
    visitorMaxAgeDays: z
      .number()
      .positive()
      .max(3650)
      .default(365)
      .describe('How long a visitor cookie is valid after it was issued, in days')
      .meta({ env: 'REELRANK_VISITOR_MAX_AGE_DAYS' }),
    allowedOrigins: z
      .string()
      .default('')
      .describe(
        'Origins (scheme://host[:port], comma separated) besides the server itself from which a cookie-authenticated write is accepted (empty: same origin only)',
      )
      .meta({ env: 'REELRANK_ALLOWED_ORIGINS' }),
    visitorMintBurst: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe('New visitor identities one client address may be given in a burst')
      .meta({ env: 'REELRANK_VISITOR_MINT_BURST' }),
    visitorMintRefillSeconds: z
      .number()
      .positive()
      .default(180)
      .describe('Seconds for a client address to earn one more new visitor identity')
      .meta({ env: 'REELRANK_VISITOR_MINT_REFILL_SECONDS' }),
    ...identityEnvSchema.shape,
  })
  .strict();

/**
 * Where the workspace, its artifacts and the posted data live: env only (no file: the root locates
 * config/ itself, the folders enter the stages' hashes through their env variables, and the database
 * URL holds a password). Every key has a default.
 */
export const storageConfigSchema = z
  .object({
    root: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('Workspace root (null: the folder holding nx.json above the current directory)')
      .meta({ env: 'REELRANK_ROOT', stages: ['ingest'] }),
    dataDir: z
      .string()
      .min(1)
      .default('data')
      .describe('Data folder, relative to the root')
      .meta({ env: 'REELRANK_DATA_DIR', stages: ['ingest'] }),
    modelsDir: z
      .string()
      .min(1)
      .default('models')
      .describe('Models folder, relative to the root')
      .meta({ env: 'REELRANK_MODELS_DIR', stages: ['train'] }),
    ratingsDb: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        'SQLite file of the ratings posted to POST /ratings, relative to the root (null: <dataDir>/<dataset>.ratings.db). No stage writes it; the train stage reads it',
      )
      // The train stage reads the posted ratings (the store's version enters its hash too: tools/fingerprint-ratings.mjs).
      .meta({ env: 'REELRANK_RATINGS_DB', stages: ['train'] }),
    databaseUrl: z
      .preprocess(
        (value) => (typeof value === 'string' && value.trim() === '' ? null : value), // DATABASE_URL= (empty) is unset
        z
          .string()
          .trim()
          .refine((url) => /^postgres(ql)?:\/\/./.test(url), 'must be a postgres:// or postgresql:// URL')
          .nullable(),
      )
      .default(null)
      .describe(
        'PostgreSQL server of the ratings posted to POST /ratings and of the catalogue the database stage loads (schema reelrank_catalogue) (postgres://user:password@host:port/db; null: the SQLite files ratingsDb and <dataDir>/<dataset>.db). Never logged with its password (redactDatabaseUrl)',
      )
      .meta({ env: 'DATABASE_URL' }),
    databaseConnectTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(5_000)
      .describe(
        'PostgreSQL (DATABASE_URL): how long an operation waits for a pooled connection, in ms; 0 waits forever. While the server is down, writes answer 503 within about this',
      )
      .meta({ env: 'REELRANK_DATABASE_CONNECT_TIMEOUT_MS' }),
    databaseQueryTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(600_000)
      .default(10_000)
      .describe(
        'PostgreSQL: how long one query may take before it fails (a 503) and its connection is dropped, in ms; 0: no limit. Covers a server that stops answering without closing the connection',
      )
      .meta({ env: 'REELRANK_DATABASE_QUERY_TIMEOUT_MS' }),
    keepModelVersions: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe('Trained model versions kept in the registry (models/_versions/<dataset>/; the live one is never pruned)')
      .meta({ env: 'REELRANK_KEEP_MODEL_VERSIONS' }),
    initCwd: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('Where npm was started (set by npm): a relative MOVIELENS_SOURCE is resolved against it')
      .meta({ env: 'INIT_CWD' }),
  })
  .strict();

/** A comma-separated list setting as its entries, blanks dropped. */
export const splitList = (list: string): string[] =>
  list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

/** The features of a model's drift profile (packages/model drift-profile.ts DRIFT_FEATURES). */
export const DRIFT_FEATURE_NAMES = ['rating', 'userActivity', 'genre', 'newUsers'] as const;

/** The features named by operations.drift.features (validated against DRIFT_FEATURE_NAMES when loaded). */
export const judgedDriftFeatures = (list: string): (typeof DRIFT_FEATURE_NAMES)[number][] =>
  splitList(list).filter((f): f is (typeof DRIFT_FEATURE_NAMES)[number] => (DRIFT_FEATURE_NAMES as readonly string[]).includes(f));

/**
 * The operations settings read from the environment alone: the process itself (logging, verbosity,
 * shutdown, cluster workers, the TF.js backend, the report without a model), known before the files.
 */
export const operationsEnvSchema = z
  .object({
    verbose: flag.default(false).describe('Print stack traces of stage failures').meta({ env: 'REELRANK_VERBOSE' }),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .nullable()
      .default(null)
      .describe('pino level of the API (null: info, silent under NODE_ENV=test)')
      .meta({ env: 'LOG_LEVEL' }),
    nodeEnv: z
      .string()
      .nullable()
      .default(null)
      .describe("Node's environment name (test: the API logs nothing unless LOG_LEVEL says so)")
      .meta({ env: 'NODE_ENV' }),
    shutdownSeconds: z
      .number()
      .positive()
      .default(10)
      .describe('How long in-flight requests may take after SIGTERM/SIGINT')
      .meta({ env: 'REELRANK_SHUTDOWN_SECONDS' }),
    workers: z
      .number()
      .int()
      .min(1)
      .max(256)
      .nullable()
      .default(null)
      .describe('Cluster mode: worker processes (null: one per core)')
      .meta({ env: 'REELRANK_WORKERS' }),
    tfBackend: z
      .enum(['node', 'wasm', 'cpu'])
      .nullable()
      .default(null)
      .describe('Force a TensorFlow.js backend (null: the fastest that loads)')
      .meta({ env: 'REELRANK_TF_BACKEND', stages: ['train'] }),
    reportAllowNoModel: flag
      .default(false)
      .describe('The report renders the data sections alone when no model exists')
      .meta({ env: 'REELRANK_REPORT_ALLOW_NO_MODEL', stages: ['report'] }),
  })
  .strict();

/**
 * Running the service (config/operations.json, optional: every key has a default): the process
 * settings above (env only), and `reelrank retrain --watch`: when the watcher retrains through the Nx
 * stages, how it backs off after a failure, which running servers it tells to reload the new model,
 * and the drift measurement. The stages never read the watcher's settings.
 */
export const operationsConfigSchema = z
  .object({
    ...operationsEnvSchema.shape,
    watch: z
      .object({
        minNewRatings: positiveInt
          .default(1000)
          .describe('Posted ratings newer than the served model that start a retraining at once')
          .meta({ env: 'REELRANK_RETRAIN_WATCH_MIN_NEW_RATINGS' }),
        intervalSeconds: z
          .number()
          .positive()
          .default(86_400)
          .describe(
            'Seconds after the last training at which fewer ratings (at least one) start a retraining too; with none waiting a run would change nothing, so none starts',
          )
          .meta({ env: 'REELRANK_RETRAIN_WATCH_INTERVAL_SECONDS' }),
        pollSeconds: z
          .number()
          .positive()
          .default(60)
          .describe('Seconds between two looks at the posted ratings')
          .meta({ env: 'REELRANK_RETRAIN_WATCH_POLL_SECONDS' }),
        backoffSeconds: z
          .number()
          .positive()
          .default(60)
          .describe('Wait after a failed run before the next try; doubles with each further failure')
          .meta({ env: 'REELRANK_RETRAIN_WATCH_BACKOFF_SECONDS' }),
        backoffMaxSeconds: z
          .number()
          .positive()
          .default(3600)
          .describe('Longest wait between two failed runs')
          .meta({ env: 'REELRANK_RETRAIN_WATCH_BACKOFF_MAX_SECONDS' }),
        reloadUrls: z
          .string()
          .refine(
            (list) => splitList(list).every((url) => /^https?:\/\/[^\s/]/.test(url) && URL.canParse(url)),
            'must be http(s) URLs, comma separated',
          )
          .default('')
          .describe(
            'Running servers told to load the new model after a training (POST /admin/reload), comma separated, e.g. http://127.0.0.1:8000 (empty: none, a server loads it at its next start, SIGHUP or reload)',
          )
          .meta({ env: 'REELRANK_RETRAIN_WATCH_RELOAD_URLS' }),
        reloadToken: z
          .string()
          .min(1)
          .nullable()
          .default(null)
          .describe('Bearer credential of those reloads: an admin API key (reelrank keys create --role admin) (null: REELRANK_ADMIN_TOKEN)')
          .meta({ env: 'REELRANK_RETRAIN_WATCH_RELOAD_TOKEN' }),
        onDrift: z
          .boolean()
          .default(false)
          .describe(
            "Retrain early when the posted ratings drifted from the live model's training data: a judged feature's PSI at or above operations.drift.threshold, at least one rating waiting, and driftCooldownSeconds since the last training",
          )
          .meta({ env: 'REELRANK_RETRAIN_WATCH_ON_DRIFT' }),
        driftCooldownSeconds: z
          .number()
          .min(0)
          .default(3600)
          .describe(
            'Least time after a training before drift starts another: the drift of a lasting change stays over the threshold after a retraining, since the posted ratings are a small part of the training data',
          )
          .meta({ env: 'REELRANK_RETRAIN_WATCH_DRIFT_COOLDOWN_SECONDS' }),
      })
      .strict()
      .prefault({})
      .describe('The watcher of `reelrank retrain --watch`'),
    drift: z
      .object({
        threshold: z
          .number()
          .positive()
          .default(0.25)
          .describe(
            'Population stability index at or above which a feature counts as drifted; the rule of thumb: below 0.1 stable, 0.1-0.25 moving, above 0.25 shifted',
          )
          .meta({ env: 'REELRANK_DRIFT_THRESHOLD' }),
        refreshSeconds: z
          .number()
          .positive()
          .default(300)
          .describe(
            'Seconds between two drift measurements of an API process (one read of the last week of posted ratings each) and of the retrain watcher',
          )
          .meta({ env: 'REELRANK_DRIFT_REFRESH_SECONDS' }),
        minRatings: positiveInt
          .default(200)
          .describe('Fewest posted ratings in a window (last day, last week) for it to get drift figures')
          .meta({ env: 'REELRANK_DRIFT_MIN_RATINGS' }),
        maxRatings: positiveInt
          .max(5_000_000)
          .default(200_000)
          .describe('Most posted ratings one measurement reads, the newest: bounds its memory and time')
          .meta({ env: 'REELRANK_DRIFT_MAX_RATINGS' }),
        features: z
          .string()
          .refine(
            (list) => splitList(list).length > 0 && splitList(list).every((f) => (DRIFT_FEATURE_NAMES as readonly string[]).includes(f)),
            `must be a comma-separated list of ${DRIFT_FEATURE_NAMES.join(', ')}`,
          )
          .default('rating,genre')
          .describe(
            "Features judged against the threshold (the dashboard, operations.watch.onDrift), comma separated; all four are measured. userActivity (a week of ratings per user is never a training set's) and newUsers (posted ratings come mostly from new users) move with any stream",
          )
          .meta({ env: 'REELRANK_DRIFT_FEATURES' }),
      })
      .strict()
      .prefault({})
      .describe("Drift of the posted ratings from the live model's training data (GET /metrics/drift, the dashboard, the retrain watcher)"),
  })
  .strict();

export type SyntheticSizeConfig = z.infer<typeof syntheticSizeSchema>;
export type DatasetConfig = z.infer<typeof datasetConfigSchema>;
export type ImplicitConfig = z.infer<typeof implicitConfigSchema>;
export type RankerConfig = z.infer<typeof rankerConfigSchema>;
export type EaseConfig = z.infer<typeof easeConfigSchema>;
export type NeighbourhoodConfig = z.infer<typeof neighbourhoodConfigSchema>;
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;
export type GateConfig = z.infer<typeof gateConfigSchema>;
export type ServingConfig = z.infer<typeof servingConfigSchema>;
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
export type StorageConfig = z.infer<typeof storageConfigSchema>;
export type OperationsConfig = z.infer<typeof operationsConfigSchema>;
/** The settings of each group that only the environment sets, readable before the files (loadEnvConfig). */
export interface EnvConfig {
  storage: StorageConfig;
  identity: z.infer<typeof identityEnvSchema>;
  operations: z.infer<typeof operationsEnvSchema>;
}

/** The identity settings when none are given (an app built without a loaded config: tests, tools). */
export const defaultIdentityConfig = (): IdentityConfig => identityConfigSchema.parse({});

export type ConfigGroup = 'dataset' | 'training' | 'serving' | 'identity' | 'storage' | 'operations';

/** The cached Nx stages (the `pipeline` targets, plus the report). */
export type CachedStage = 'ingest' | 'database' | 'train' | 'report';

/**
 * What a schema node says besides its type, default and doc (`.meta()`): the env variable that
 * overrides it, the cached stages whose Nx hash it enters (a group's stages hold for all its keys),
 * and for a group a prefix that names an env variable after each scalar key (prefix + KEY_IN_CAPS).
 * settings.ts reads these, so nothing else lists a setting again.
 */
export interface SettingMeta {
  env?: string;
  stages?: readonly CachedStage[];
  envPrefix?: string;
}
