import type { AppConfig } from '@reelrank/config';
import { readCatalogueOverlay, type OverlayMovie, type StoredRating } from '@reelrank/feedback';
import { initTensorFlow, publishBuiltModel, saveModelArtifacts, type ModelManifest } from '@reelrank/model';
import { coldStartPopularity } from './baselines.js';
import { evaluateOnSplit, trainRatingModel, type EvaluationReport } from './evaluate-split.js';
import type { RankingScorer } from './evaluate.js';
import { hashColumns, selectRows, type RatingsColumns } from './ratings.js';
import { postedRatingsSource, readCatalogueTrainingData } from './read-training-data.js';
import { dataHashWithOverlay, summarizeOverlay, withAddedMovies } from './catalogue-overlay.js';
import { collectPostedRatings, dataHashWithPosted, mergePostedRatings, type PostedSummary } from './posted-ratings.js';
import { identityCapLines } from './identity-cap-log.js';
import { formatModelTable } from './report-table.js';
import { splitRows } from './split.js';
import { errorByUserActivity } from './error-by-activity.js';
import { buildIndexing, indexRatings } from './indexing.js';
import { fitRanker } from './ranking-blend.js';
import type { ImplicitHyperParameters } from './train-implicit.js';
import { planLine, planTraining, type RatingModelKind, type TrainingPlan } from './training-plan.js';

export type RunTrainingConfig = Pick<AppConfig, 'training' | 'paths'> & {
  dataset: Pick<AppConfig['dataset'], 'dataset'>;
  /** keepModelVersions: how many trainings the registry keeps (default 5). */
  runtime?: Pick<AppConfig['runtime'], 'keepModelVersions'> & Partial<Pick<AppConfig['runtime'], 'databaseUrl'>>;
};

export interface RunTrainingOptions {
  log?: (line: string) => void;
  /** Ratings to train on instead of reading the database (tests, benchmarks). */
  ratings?: RatingsColumns;
  /** Data hash to record with given ratings (defaults to sha256 of the arrays). */
  dataHash?: string;
  /** Scorer of the ranking metrics (default 'tensor': TensorScorer batches on the TF.js backend). */
  scorer?: RankingScorer;
  /** Rating model kind (default 'svdpp': biased MF with the SVD++ user term, saved folded). */
  ratingModel?: RatingModelKind;
  /** Implicit ALS settings of the top-N ranker (default `training.ranker.implicit`); false = no ranker. */
  implicit?: ImplicitHyperParameters | false;
  /**
   * Ratings posted to the service, merged in (see posted-ratings.ts). Default when reading the database:
   * the configured store (PostgreSQL at `runtime.databaseUrl`, else the SQLite file `paths.ratingsDbPath`,
   * none when it does not exist); none with given `ratings`.
   */
  posted?: AsyncIterable<StoredRating> | false;
  /** The catalogue's movie ids: posted ratings of other movies are skipped (default: the database's; with given `ratings`, theirs). */
  knownMovieIds?: Set<number>;
  /**
   * The catalogue's overlay (catalogue-overlay.ts). Default when reading the database: the configured
   * store's (next to the posted ratings); none with given `ratings`.
   */
  catalogue?: OverlayMovie[];
}

/** The data set's users (membership tells a posted rating's new users apart). */
function userSet(columns: RatingsColumns): Set<number> {
  const users = new Set<number>();
  let last = Number.NaN;
  for (const user of columns.userIds) if (user !== last) users.add((last = user));
  return users;
}

export interface TrainingRunResult {
  manifest: ModelManifest;
  report: EvaluationReport;
  /** What was decided before fitting (also in metrics.json). */
  plan: TrainingPlan;
  seconds: number;
}

/**
 * The train stage: ratings -> seeded train/validation/test split -> the plan (planTraining: the models,
 * their settings, what the served model is fitted on) -> SGD with early stopping -> test metrics for the
 * model and the baselines -> (refitOnAll, up to refitMaxRatings ratings) refit on every rating for the
 * chosen epoch count -> cold-start list -> models/<dataset>/ via saveModelArtifacts.
 */
export async function runTraining(config: RunTrainingConfig, options: RunTrainingOptions = {}): Promise<TrainingRunResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hyper = config.training;
  let all = options.ratings;
  let dataHash = options.dataHash;
  let knownMovieIds = options.knownMovieIds;
  let posted = options.posted;
  let overlay = options.catalogue ?? [];
  let readSeconds = 0;
  const t0 = performance.now();
  if (!all) {
    const data = await readCatalogueTrainingData(config);
    all = data.ratings;
    dataHash ??= data.meta.dataHash;
    overlay =
      options.catalogue ?? (await readCatalogueOverlay({ runtime: { databaseUrl: config.runtime?.databaseUrl ?? null }, paths: config.paths }));
    knownMovieIds ??= withAddedMovies(data.movieIds, overlay);
    posted ??= postedRatingsSource(config) ?? false;
    log(`[train] read ${all.ratings.length} ratings from ${data.from} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  }
  dataHash ??= hashColumns(all);
  const catalogueSummary = summarizeOverlay(overlay);
  if (catalogueSummary) {
    dataHash = dataHashWithOverlay(dataHash, overlay);
    const { count, newestRevision, added, hidden } = catalogueSummary;
    log(`[train] catalogue overlay: ${count} movie(s) (revision ${newestRevision}): ${added} added through the API, ${hidden} hidden`);
  }
  let postedSummary: PostedSummary | null = null;
  if (posted) {
    const known = knownMovieIds ?? new Set(all.movieIds);
    const dataSetUsers = userSet(all);
    const caps = { newUsersPerIdentity: hyper.postedNewUsersPerIdentity, ratingsPerIdentity: hyper.postedRatingsPerIdentity };
    const snapshot = await collectPostedRatings(posted, (id) => known.has(id), { caps, isDataSetUser: (user) => dataSetUsers.has(user) });
    if (snapshot.skippedUnknownMovies > 0)
      log(`[train] warning: skipped ${snapshot.skippedUnknownMovies} posted rating(s) of movies not in the catalogue`);
    for (const line of identityCapLines(snapshot.identityCaps)) log(line);
    if (snapshot.count > 0) {
      const merged = mergePostedRatings(all, snapshot);
      all = merged.columns;
      postedSummary = merged.summary;
      dataHash = dataHashWithPosted(dataHash, snapshot);
      const { count, newestId, replaced, added, newUsers } = postedSummary;
      log(
        `[train] posted ratings: ${count} read (newest id ${newestId}); ${replaced} replaced the data set's, ${added} added, ${newUsers} new users`,
      );
    }
  }
  readSeconds = (performance.now() - t0) / 1000;
  if (all.ratings.length === 0) throw new Error('No ratings to train on');
  const { backend } = await initTensorFlow();

  // Test part first; evaluateOnSplit carves the validation part out of the rest with the same overall share.
  const rows = splitRows(all, { seed: hyper.seed, validationFraction: 0, testFraction: hyper.testFraction });
  const trainPart = selectRows(all, rows.train);
  const test = selectRows(all, rows.test);
  const validationShare = hyper.validationFraction / (1 - hyper.testFraction);
  const plan = planTraining(
    hyper,
    { ratings: all.ratings.length, trainRatings: trainPart.ratings.length },
    { ratingModel: options.ratingModel, implicit: options.implicit },
  );
  log(planLine(plan));
  const {
    report,
    model: evaluatedModel,
    ranking: evaluatedRanking,
  } = await evaluateOnSplit(
    trainPart,
    test,
    { ...hyper, validationFraction: validationShare },
    {
      log,
      refit: plan.evaluation.refitOnTrain,
      scorer: options.scorer ?? hyper.evalScorer,
      plan,
    },
  );

  let served = evaluatedModel;
  let servedRanking = evaluatedRanking;
  let servedSeconds = report.refit.seconds;
  let rankerSeconds = 0;
  const trainedOn = plan.served.fittedOn;
  if (trainedOn === 'all') {
    const { kind, settings, svdpp } = plan.rating;
    const epochs = report.selection.bestEpoch;
    const refit = trainRatingModel(kind, all, null, settings, { epochs, svdpp });
    served = refit.model;
    servedSeconds = refit.seconds;
    log(`[train] refit on all ${all.ratings.length} ratings for ${epochs} epochs in ${refit.seconds.toFixed(2)} s`);
    if (plan.ranking && report.ranking) {
      // The ranker too: implicit ALS (and EASE) on every rating, with the blend weights tuned on validation.
      const implicit = plan.ranking.implicit.settings;
      const indexing = buildIndexing(all);
      const ease = plan.ranking.ease.settings;
      const ranker = fitRanker({ indexing, train: indexRatings(all, indexing) }, served, implicit, report.ranking.tuning.weights, log, ease);
      servedRanking = ranker.ranking;
      rankerSeconds = ranker.seconds;
      log(`[train] ranker refit on all ratings (implicit ALS, ${implicit.sweeps} sweeps) in ${ranker.seconds.toFixed(2)} s`);
    }
  }
  const popularity = coldStartPopularity(all, hyper);
  const headline = Object.fromEntries(
    report.models.map((m) => [m.model, { rmse: m.rmse, mae: m.mae, [`precisionAt${report.k}`]: m.precisionAtK, [`ndcgAt${report.k}`]: m.ndcgAtK }]),
  );
  const mf = report.models.find((m) => m.model === plan.rating.label)!;
  const ranker = report.models.find((m) => m.model === plan.ranking?.label);
  const createdAt = new Date().toISOString();
  const seconds = (performance.now() - started) / 1000;
  const training = {
    epochsRun: report.selection.epochsRun,
    bestEpoch: report.selection.bestEpoch,
    bestValidationRmse: report.selection.bestValidationRmse,
    seconds: Number(seconds.toFixed(3)),
    servedFitSeconds: Number(servedSeconds.toFixed(3)),
    servedRankerFitSeconds: Number(rankerSeconds.toFixed(3)),
    ratingModel: report.ratingModel,
    ratings: { all: all.ratings.length, train: report.splits.fit, validation: report.splits.validation, test: report.splits.test },
    trainedOn,
    refit: { onAll: plan.served.refitOnAll, refitMaxRatings: plan.served.refitMaxRatings },
    // The posted ratings included (null: none read); count and newestId are the store's version at the snapshot.
    posted: postedSummary,
    // The catalogue's overlay read (null: none): its version, the movies it added and hid.
    catalogue: catalogueSummary,
  };
  const metricsReport = {
    dataset: config.dataset.dataset,
    createdAt,
    dataHash,
    hyperParameters: hyper,
    training,
    plan,
    coldStart: { movies: popularity.movieIds.length, minRatings: hyper.popularityMinRatings, priorWeight: hyper.popularityPriorWeight },
    ...report,
    // From the model that never saw the test rows (the served one may be refit on them).
    byUserActivity: errorByUserActivity(evaluatedModel, trainPart, test),
    timings: { ...report.timings, readDatabase: readSeconds, total: seconds },
  };
  const manifest = saveModelArtifacts(config.paths.modelDir, {
    model: served,
    popularity,
    manifest: {
      dataset: config.dataset.dataset,
      createdAt,
      dataHash,
      backend,
      hyperParameters: { ...hyper },
      training,
      metrics: {
        k: report.k,
        testRmse: mf.rmse,
        testMae: mf.mae,
        [`precisionAt${report.k}`]: mf.precisionAtK,
        [`ndcgAt${report.k}`]: mf.ndcgAtK,
        // What POST /recommendations orders by (when the artifact has a ranker).
        ...(ranker
          ? {
              ranking: {
                model: ranker.model,
                [`precisionAt${report.k}`]: ranker.precisionAtK,
                [`recallAt${report.k}`]: ranker.recallAtK,
                [`ndcgAt${report.k}`]: ranker.ndcgAtK,
              },
            }
          : {}),
        models: headline,
      },
    },
    metricsReport,
    ...(servedRanking ? { ranking: servedRanking } : {}),
  });
  // The registry keeps the last N trainings (outside this stage's Nx output); a new training goes live.
  publishBuiltModel(config.paths, config.runtime?.keepModelVersions ?? 5);
  log(
    `[train] saved ${manifest.version} (${manifest.users} users, ${manifest.movies} movies, trained on ${trainedOn}) to ${config.paths.modelDir} in ${seconds.toFixed(2)} s`,
  );
  log(`\n${formatModelTable(report.models, report.k)}\n`);
  return { manifest, report, plan, seconds };
}
