import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '@reelrank/config';
import { writeFileAtomic } from '@reelrank/artifacts';
import { readCatalogueOverlay, type OverlayMovie, type StoredRating, type StoredSignal } from '@reelrank/feedback';
import {
  initTensorFlow,
  publishBuiltModel,
  readLiveVersion,
  saveModelArtifacts,
  type GateVerdict,
  type ModelManifest,
  type MovieContent,
} from '@reelrank/model';
import { profileTrainingData, saveTrainingProfile } from './training-profile.js';
import { readCatalogueContent } from './catalogue-content.js';
import { coldStartPopularity } from './baselines.js';
import { evaluateOnSplit, type EvaluationReport } from './evaluate-split.js';
import type { RankingScorer } from './evaluate.js';
import { hashColumns, type RatingsColumns } from './ratings.js';
import { postedRatingsSource, postedSignalsSource, readCatalogueTrainingData } from './read-training-data.js';
import { collectTasteSignals, dataHashWithSignals, type TasteSignals } from './taste-signals.js';
import { dataHashWithOverlay, summarizeOverlay, withAddedMovies } from './catalogue-overlay.js';
import { collectPostedRatings, dataHashWithPosted, mergePostedRatings, type PostedSummary } from './posted-ratings.js';
import { identityCapLines } from './identity-cap-log.js';
import { formatModelTable } from './report-table.js';
import { splitRatings } from './split.js';
import { splitGateHoldout } from './gate-holdout.js';
import { gateTheCandidate } from './gate-run.js';
import { recordFailedRun, recordRun } from './run-record.js';
import { errorByUserActivity } from './error-by-activity.js';
import type { ImplicitHyperParameters } from './train-implicit.js';
import { planLine, planTraining, type RatingModelKind, type TrainingPlan } from './training-plan.js';
import { groupSteps, StepClock, stepLine, type StepTime } from './step-clock.js';
import { contentMapSource, contentMapStep, servedFitOffThread, startServedFit, withTunedWeights, type ContentMapOutcome } from './served-fit.js';

export type RunTrainingConfig = Pick<AppConfig, 'training' | 'paths'> & {
  dataset: Pick<AppConfig['dataset'], 'dataset'>;
  /** keepModelVersions: how many trainings the registry keeps (default 5). */
  storage?: Pick<AppConfig['storage'], 'keepModelVersions'> & Partial<Pick<AppConfig['storage'], 'databaseUrl'>>;
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
   * the configured store (PostgreSQL at `storage.databaseUrl`, else the SQLite file `paths.ratingsDbPath`,
   * none when it does not exist); none with given `ratings`.
   */
  posted?: AsyncIterable<StoredRating> | false;
  /**
   * The users' taste signals (not interested, seen, watchlist), for the ranker's implicit fit (taste-signals.ts).
   * Default when reading the database: the configured store's; none with given `ratings`.
   */
  signals?: AsyncIterable<StoredSignal> | false;
  /** The catalogue's movie ids: posted ratings of other movies are skipped (default: the database's; with given `ratings`, theirs). */
  knownMovieIds?: Set<number>;
  /** The catalogue's movies with their genres, for the drift profile (default: the database's; with given `ratings`, none: no genre known). */
  movies?: readonly { movieId: number; genres: readonly string[] }[];
  /** Each movie's content, for the content map (default: the database's; none with given `ratings`). */
  content?: ReadonlyMap<number, MovieContent>;
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
  /** The promotion gate's verdict: whether this training went live. */
  gate: GateVerdict;
  /** Seconds per step (metrics.json's `timings`). */
  steps: Record<string, number>;
  /** Wall and CPU seconds of the stage's steps: read, rating model, ranker, tuning, evaluation, content map, save (metrics.json's `steps`). */
  stepTimes: Record<string, StepTime>;
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
  const startedAt = new Date();
  const liveBefore = readLiveVersion(config.paths.registryDir);
  let result: TrainingRunResult;
  try {
    result = await trainAndGate(config, options);
  } catch (error) {
    recordFailedRun(config, { startedAt, liveBefore, error });
    throw error;
  }
  recordRun(config, { startedAt, liveBefore, result });
  return result;
}

/**
 * The run itself: the gate holdout set aside (gate-holdout.ts) before anything else sees the ratings,
 * the training on the rest, then the promotion gate (gate-run.ts) before the model is saved and published.
 */
async function trainAndGate(config: RunTrainingConfig, options: RunTrainingOptions): Promise<TrainingRunResult> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const clock = new StepClock();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hyper = config.training;
  let all = options.ratings;
  let dataHash = options.dataHash;
  let knownMovieIds = options.knownMovieIds;
  let posted = options.posted;
  let movies = options.movies ?? [];
  let signalSource = options.signals;
  let overlay = options.catalogue ?? [];
  let readSeconds = 0;
  const t0 = performance.now();
  if (!all) {
    // Released at the end of this block (as the read columns below): at scale they are the largest arrays held.
    let data: Awaited<ReturnType<typeof readCatalogueTrainingData>> | null = await readCatalogueTrainingData(config);
    all = data.ratings;
    dataHash ??= data.meta.dataHash;
    overlay =
      options.catalogue ?? (await readCatalogueOverlay({ storage: { databaseUrl: config.storage?.databaseUrl ?? null }, paths: config.paths }));
    knownMovieIds ??= withAddedMovies(data.movieIds, overlay);
    movies = options.movies ?? data.movies;
    posted ??= postedRatingsSource(config) ?? false;
    signalSource ??= postedSignalsSource(config) ?? false;
    log(`[train] read ${all.ratings.length} ratings from ${data.from} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    data = null;
  }
  dataHash ??= hashColumns(all);
  // The data set's users, before the posted ratings join them (the profile's "new users").
  let dataSetColumns: RatingsColumns | null = all;
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
  let signals: TasteSignals | null = null;
  if (signalSource) {
    const known = knownMovieIds ?? new Set(all.movieIds);
    signals = await collectTasteSignals(signalSource, (id) => known.has(id), all);
    dataHash = dataHashWithSignals(dataHash, signals);
    const { count, used, ratedPairs, unknownMovies } = signals.summary;
    if (count > 0)
      log(
        `[train] taste signals: ${count} read; ranker uses ${used.seen} seen, ${used.watchlist} watchlist, ${used.not_interested} not interested (${ratedPairs} of rated pairs and ${unknownMovies} of unknown movies left out)`,
      );
  }
  // The drift profile describes every rating read (the gate holdout's too: it is the same data).
  const profile = profileTrainingData(all, dataSetColumns, movies);
  dataSetColumns = null;
  // The gate holdout leaves here: no split, fit, tuning, early stopping or selection below sees it.
  const gateSplit = splitGateHoldout(all, hyper.gate);
  const ratingsRead = all.ratings.length;
  all = gateSplit.rest;
  if (gateSplit.holdout.ratings.length)
    log(
      `[train] gate holdout: ${gateSplit.holdout.ratings.length} of ${ratingsRead} ratings (share ${hyper.gate.holdoutShare}, seed ${hyper.gate.seed}) set aside`,
    );
  readSeconds = (performance.now() - t0) / 1000;
  const readCpu = process.cpuUsage(cpuStarted);
  clock.steps.readDatabase = { wall: readSeconds, cpu: (readCpu.user + readCpu.system) / 1e6 };
  if (all.ratings.length === 0) throw new Error('No ratings to train on');
  const { tf, backend } = await initTensorFlow();

  // Test part first; evaluateOnSplit carves the validation part out of the rest (plan.validation: the same overall share, capped).
  const { train: trainPart, test } = splitRatings(all, { seed: hyper.seed, validationFraction: 0, testFraction: hyper.testFraction });
  const plan = planTraining(
    hyper,
    { ratings: all.ratings.length, trainRatings: trainPart.ratings.length },
    { ratingModel: options.ratingModel, implicit: options.implicit },
  );
  log(planLine(plan));
  // Item cold start: the content map of the served models (which it only reads, so their weights stay as they are).
  let content = options.content;
  if (!content && !options.ratings && hyper.contentMap.enabled) content = await readCatalogueContent(config, hyper.contentMap);
  const contentSource = contentMapSource(hyper.contentMap, hyper.seed, content);
  const trainedOn = plan.served.fittedOn;
  // Refit on all: the served models (and their content map) are fitted from the chosen epoch count on, on a
  // worker thread beside the evaluation and the tuning when there is more than one thread (served-fit.ts).
  const servedOnAll =
    trainedOn === 'all'
      ? startServedFit(
          {
            all,
            rating: { kind: plan.rating.kind, settings: plan.rating.settings, svdpp: plan.rating.svdpp },
            neighbourhood: plan.rating.neighbourhood.settings,
            ranking: plan.ranking ? { implicit: plan.ranking.implicit.settings, ease: plan.ranking.ease.settings } : null,
            signals: signals?.columns,
            contentMap: contentSource,
          },
          { offThread: servedFitOffThread(hyper), backend, tf, log },
        )
      : null;
  const {
    report,
    model: evaluatedModel,
    ranking: evaluatedRanking,
    neighbourhood: evaluatedNeighbourhood,
  } = await evaluateOnSplit(
    trainPart,
    test,
    { ...hyper, validationFraction: plan.validation.fraction },
    {
      log,
      refit: plan.evaluation.refitOnTrain,
      scorer: options.scorer ?? hyper.evalScorer,
      plan,
      signals: signals?.columns,
      onSelection: (selection) => servedOnAll?.start(selection.bestEpoch),
    },
  ).catch(async (error: unknown) => {
    await servedOnAll?.close();
    throw error;
  });

  let served = evaluatedModel;
  let servedRanking = evaluatedRanking;
  let servedNeighbourhood = evaluatedNeighbourhood?.model;
  let servedSeconds = report.refit.seconds;
  let rankerSeconds = 0;
  let neighbourhoodSeconds = 0;
  let contentMap: ContentMapOutcome;
  // The steps of a fit on the worker thread: their wall time overlaps this thread's steps.
  let offThreadSteps: Record<string, StepTime> = {};
  if (servedOnAll) {
    const epochs = report.selection.bestEpoch;
    const fit = servedOnAll.offThread ? await clock.timeAsync('servedWait', () => servedOnAll.result(epochs)) : await servedOnAll.result(epochs);
    if (servedOnAll.offThread) offThreadSteps = fit.steps;
    else Object.assign(clock.steps, fit.steps);
    const tuned = withTunedWeights(fit, { neighbourhood: report.neighbourhood?.blend ?? null, ranking: report.ranking?.tuning.weights ?? null });
    served = tuned.model;
    servedSeconds = fit.seconds;
    servedNeighbourhood = tuned.neighbourhood ?? undefined;
    neighbourhoodSeconds = fit.neighbourhood?.seconds ?? 0;
    servedRanking = tuned.ranking;
    rankerSeconds = fit.ranking?.seconds ?? 0;
    contentMap = fit.contentMap;
  } else {
    contentMap = clock.time('contentMap', () =>
      contentMapStep({ model: served, ranking: servedRanking ?? undefined }, trainPart, contentSource, log),
    );
  }
  const popularity = coldStartPopularity(all, hyper);
  if ('skipped' in contentMap) log(`[train] no content map: ${contentMap.skipped}`);
  const gate = await clock.timeAsync('gate', () =>
    gateTheCandidate(
      config,
      { model: served, ranking: servedRanking ?? undefined, popularity, ...(servedNeighbourhood ? { neighbourhood: servedNeighbourhood } : {}) },
      gateSplit,
      log,
    ),
  );
  const gateSeconds = clock.steps.gate.wall;
  const headline = Object.fromEntries(
    report.models.map((m) => [m.model, { rmse: m.rmse, mae: m.mae, [`precisionAt${report.k}`]: m.precisionAtK, [`ndcgAt${report.k}`]: m.ndcgAtK }]),
  );
  // RMSE/MAE of the served rating (the blend with the neighbourhood predictor when there is one); P/NDCG of the
  // rating model, which orders the lists when there is no ranker.
  const mf = report.models.find((m) => m.model === plan.rating.label)!;
  const servedRating = report.models.find((m) => m.model === `${plan.rating.label} + ${plan.rating.neighbourhood.label}`) ?? mf;
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
    ratings: {
      all: all.ratings.length,
      train: report.splits.fit,
      validation: report.splits.validation,
      test: report.splits.test,
      gateHoldout: gateSplit.holdout.ratings.length,
    },
    trainedOn,
    refit: { onAll: plan.served.refitOnAll, refitMaxRatings: plan.served.refitMaxRatings },
    // The posted ratings included (null: none read); count and newestId are the store's version at the snapshot.
    posted: postedSummary,
    // The taste signals read (null: none read) and what the ranker used of them.
    signals: signals?.summary ?? null,
    contentMap:
      'skipped' in contentMap
        ? { fitted: false, reason: contentMap.skipped }
        : {
            fitted: true,
            movies: contentMap.report.trainingMovies,
            lambda: contentMap.report.lambda,
            coldStartMovies: contentMap.report.coldStartMovies,
          },
    // The catalogue's overlay read (null: none): its version, the movies it added and hid.
    catalogue: catalogueSummary,
  };
  // Per step, wall seconds (the machine may be shared), and the process's CPU seconds (user + system, every thread).
  const cpu = process.cpuUsage(cpuStarted);
  const steps = {
    ...report.timings,
    readDatabase: readSeconds,
    servedFit: servedSeconds,
    servedRankerFit: rankerSeconds,
    servedNeighbourhoodFit: neighbourhoodSeconds,
    gate: gateSeconds,
    cpu: (cpu.user + cpu.system) / 1e6,
    total: seconds,
  };
  log(
    `[train] steps (s): ${Object.entries(steps)
      .map(([step, s]) => `${step} ${s.toFixed(2)}`)
      .join(', ')}`,
  );
  const detail = { ...report.stepTimes, ...clock.steps };
  // Saving is timed after metrics.json is written: its figure is added to the file before the registry copies it.
  const stepTimesBeforeSave = groupSteps(detail, { wall: seconds, cpu: steps.cpu }, offThreadSteps);
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
    contentMap: 'skipped' in contentMap ? null : contentMap.report,
    timings: steps,
    steps: stepTimesBeforeSave,
    gate,
  };
  const saveStarted = { wall: performance.now(), cpu: process.cpuUsage() };
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
      gate,
      metrics: {
        k: report.k,
        testRmse: servedRating.rmse,
        testMae: servedRating.mae,
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
    ...('artifact' in contentMap ? { contentMap: contentMap.artifact } : {}),
    ...(servedNeighbourhood ? { neighbourhood: servedNeighbourhood } : {}),
  });
  // A side output: the weights never see it. Written before the registry copies the folder.
  saveTrainingProfile(config.paths.modelDir, profile, manifest.version);
  log(`[train] drift profile of ${profile.profile.ratings} ratings in ${profile.seconds.toFixed(3)} s`);
  const saveCpu = process.cpuUsage(saveStarted.cpu);
  detail.save = { wall: (performance.now() - saveStarted.wall) / 1000, cpu: (saveCpu.user + saveCpu.system) / 1e6 };
  const stageCpu = process.cpuUsage(cpuStarted);
  const stepTimes = groupSteps(detail, { wall: (performance.now() - started) / 1000, cpu: (stageCpu.user + stageCpu.system) / 1e6 }, offThreadSteps);
  addStepsToMetrics(config.paths.modelDir, stepTimes);
  log(`[train] steps, wall s (cpu s): ${stepLine(stepTimes)}`);
  // The registry keeps the last N trainings (outside this stage's Nx output); a promoted training goes live.
  publishBuiltModel(config.paths, config.storage?.keepModelVersions ?? 5);
  log(
    `[train] saved ${manifest.version} (${manifest.users} users, ${manifest.movies} movies, trained on ${trainedOn}) to ${config.paths.modelDir} in ${seconds.toFixed(2)} s`,
  );
  log(`\n${formatModelTable(report.models, report.k)}\n`);
  return { manifest, gate, steps, stepTimes, report, plan, seconds };
}

/** Puts the final per-step times (saving included) into the saved metrics.json. */
function addStepsToMetrics(modelDir: string, stepTimes: Record<string, StepTime>): void {
  const path = join(modelDir, 'metrics.json');
  const metrics = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileAtomic(path, `${JSON.stringify({ ...metrics, steps: stepTimes }, null, 2)}\n`);
}
