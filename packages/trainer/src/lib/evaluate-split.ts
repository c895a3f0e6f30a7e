import type { TrainingConfig } from '@reelrank/config';
import { initTensorFlow, type MfModel, type RankingModel } from '@reelrank/model';
import { baselineOfFit, fitBaseline, fitFallbackBiases, fitGlobalMean } from './baselines.js';
import { evaluateMfModel, evaluateMostRated, prepareEvaluation, withHeldOut, type ModelEvaluation, type RankingScorer } from './evaluate.js';
import { evaluateRanker, fitRanker, sampleUsers, tuneBlendWeights, type BlendTuning } from './ranking-blend.js';
import type { TasteSignalColumns } from './taste-signals.js';
import { diversityAccumulator, diversitySweep, type DiversityPoint } from './diversity-sweep.js';
import { splitRatings } from './split.js';
import { fitNeighbourhood, type NeighbourhoodSettings } from './fit-neighbourhood.js';
import { selectNeighbourhoodBlend } from './neighbourhood-blend.js';
import type { RatingsByUser } from './ratings-by-user.js';
import { blendedRatingMetrics } from './rating-metrics.js';
import type { NeighbourhoodBlend, NeighbourhoodModel } from '@reelrank/model';
import { StepClock, type StepTime } from './step-clock.js';
import type { ImplicitHyperParameters } from './train-implicit.js';
import type { EaseSettings } from './ease.js';
import { DEFAULT_SVDPP, trainSvdpp, type SvdppHyperParameters } from './train-svdpp.js';
import type { RatingsColumns } from './ratings.js';
import { trainMf, type EpochStats, type MfHyperParameters } from './train-mf.js';
import { planModels, type ModelPlan, type RatingModelKind } from './training-plan.js';
import { stepThreads } from './train-threads.js';
import { evaluateOffThread } from './evaluate-off-thread.js';

export type EvaluationHyperParameters = MfHyperParameters &
  Pick<TrainingConfig, 'validationFraction' | 'rankingK' | 'ranker' | 'autoSvdppMaxRatings' | 'evaluationMaxUsers' | 'diversityMaxUsers' | 'autoMf'> &
  Partial<Pick<TrainingConfig, 'ratingModel'>>;

/** The full evaluation report (metrics.json holds it, plus what run-training adds). */
export interface EvaluationReport {
  k: number;
  relevanceThreshold: number;
  backend: string;
  rankingScorer: RankingScorer;
  splits: { fit: number; validation: number; train: number; test: number };
  test: {
    unknownUserRows: number;
    unknownMovieRows: number;
    /** Test users with a relevant rating, and how many of them the ranking metrics were computed on. */
    rankingUsers: number;
    rankingUsersEvaluated: number;
    unknownUserRelevantRows: number;
  };
  /** The seeded user sample of the ranking metrics and the blend tuning (null: every user evaluated). */
  evaluationSample: { maxUsers: number; seed: number; testUsers: number; ofTestUsers: number } | null;
  models: ModelEvaluation[];
  selection: { bestEpoch: number; epochsRun: number; bestValidationRmse: number | null; seconds: number; history: EpochStats[] };
  /** What the evaluated MF model was trained on: all of train (refit) or the fit part (no refit). */
  refit: { on: 'train' | 'fit'; epochs: number; seconds: number };
  timings: Record<string, number>;
  /** Wall and CPU seconds of the same steps. */
  stepTimes: Record<string, StepTime>;
  /** Which rating model was trained: plain biased MF or MF with the SVD++ implicit user term folded in. */
  ratingModel: RatingModelKind;
  /**
   * The neighbourhood predictor blended with the rating model (null: not fitted): its settings, the blend
   * weights fitted on the validation part, the validation RMSE alone and blended, fit seconds.
   */
  neighbourhood: {
    settings: NeighbourhoodSettings;
    blend: NeighbourhoodBlend;
    validationRows: number;
    validationRmse: { ratingModel: number; blended: number };
    seconds: number;
  } | null;
  /** The SGD settings it was trained with (config, with `autoMf` applied when auto picked plain MF). */
  ratingHyperParameters: MfHyperParameters;
  /** The top-N ranker: implicit ALS and EASE settings, blend weights tuned on the validation part, the grid. */
  ranking: {
    implicit: ImplicitHyperParameters;
    /** EASE's settings (null: not in the blend); easeFitSeconds: its fits on the fit part and (refit) on train. */
    ease: EaseSettings | null;
    easeFitSeconds: number;
    tuning: Omit<BlendTuning, 'grid'> & { grid: BlendTuning['grid'] };
    fitSeconds: number;
    /** The serving `diversity` setting on the test protocol: NDCG against intra-list diversity, coverage and novelty (diversity-sweep.ts). */
    diversity: DiversityPoint[];
  } | null;
}

/** Trains the rating model of the given kind (same contract as trainMf). */
export function trainRatingModel(
  kind: RatingModelKind,
  train: RatingsColumns,
  validation: RatingsColumns | null,
  hyper: MfHyperParameters,
  options: Parameters<typeof trainMf>[3] & { svdpp?: SvdppHyperParameters | null } = {},
): ReturnType<typeof trainMf> {
  const result =
    kind === 'svdpp'
      ? trainSvdpp(train, validation, { ...DEFAULT_SVDPP, ...options.svdpp, ...hyper }, options)
      : trainMf(train, validation, hyper, options);
  // Unknown users and movies are predicted by a baseline fitted on the same ratings (see MfModel.fallback):
  // the one the trainer's biases started from (same ratings, indices and fit), else fitted here.
  result.model.fallback = result.baseline ?? fitFallbackBiases(train, result.model);
  return result;
}

export interface EvaluateOnSplitResult {
  report: EvaluationReport;
  /** The model refit on all of `train` for the chosen epoch count (the one evaluated). */
  model: MfModel;
  /** The ranker evaluated with it (null when disabled). */
  ranking: RankingModel | null;
  /** The neighbourhood predictor evaluated with it and the ratings it reads (null when not fitted). */
  neighbourhood: { model: NeighbourhoodModel; byUser: RatingsByUser } | null;
}

export interface EvaluateOnSplitOptions {
  log?: (line: string) => void;
  refit?: boolean;
  scorer?: RankingScorer;
  /** The models and their settings (runTraining's plan); default: `planModels` of `hyper` on `train`, with the choices below. */
  plan?: ModelPlan;
  /** Rating model kind instead of the config's (without a plan). */
  ratingModel?: RatingModelKind;
  /** Implicit ALS settings of the ranker instead of the config's; false = no ranker (without a plan). */
  implicit?: ImplicitHyperParameters | false;
  /** EASE settings of the ranker instead of the config's (fitted whatever the size); false = no EASE term (without a plan). */
  ease?: EaseSettings | false;
  /** Neighbourhood settings of the rating blend instead of the config's; false = the rating model alone (without a plan). */
  neighbourhood?: NeighbourhoodSettings | false;
  /** The users' taste signals, for the ranker's implicit fits (taste-signals.ts). */
  signals?: TasteSignalColumns;
  /** Called once the epoch count is chosen, before the evaluation (the train stage starts its fit on every rating then). */
  onSelection?: (selection: { bestEpoch: number }) => void;
}

/**
 * Fits on `train` (carving a validation part out of train only, `validationFraction` of it, to pick
 * the epoch count by early stopping; then refitting on all of train for that many epochs) and
 * evaluates on `test`, next to the global mean, the ALS baseline and the most-rated list.
 */
export async function evaluateOnSplit(
  train: RatingsColumns,
  test: RatingsColumns,
  hyper: EvaluationHyperParameters,
  options: EvaluateOnSplitOptions = {},
): Promise<EvaluateOnSplitResult> {
  const log = options.log ?? (() => undefined);
  const clock = new StepClock();
  const time = <T>(label: string, work: () => T): T => clock.time(label, work);
  const { tf, backend } = await initTensorFlow();
  // A different stream than the train/test split's, so the carve does not mirror it.
  const carve = time('carveValidation', () =>
    splitRatings(train, { seed: hyper.seed + 1, validationFraction: hyper.validationFraction, testFraction: 0 }),
  );
  log(`[train] selecting epochs: fit ${carve.train.ratings.length} ratings, validation ${carve.validation.ratings.length}`);
  const plan =
    options.plan ??
    planModels(hyper, train.ratings.length, {
      ratingModel: options.ratingModel,
      implicit: options.implicit,
      ease: options.ease,
      neighbourhood: options.neighbourhood,
    });
  if (!options.plan) log(`[train] rating model: ${plan.rating.label} (${plan.rating.chosenBy})`);
  if (!options.plan && plan.ranking && !plan.ranking.ease.fitted) log(`[train] no EASE in the ranker: ${plan.ranking.ease.chosenBy}`);
  const kind = plan.rating.kind;
  const fitHyper: EvaluationHyperParameters = { ...hyper, ...plan.rating.settings };
  const fitOptions = { svdpp: plan.rating.svdpp };
  const selection = time('selection', () => trainRatingModel(kind, carve.train, carve.validation, fitHyper, { log, ...fitOptions }));
  options.onSelection?.(selection);
  const refitOn = options.refit !== false;
  const final = refitOn
    ? time('refit', () => trainRatingModel(kind, train, null, fitHyper, { epochs: selection.bestEpoch, ...fitOptions }))
    : selection;
  if (refitOn) log(`[train] refit on all ${train.ratings.length} train ratings for ${selection.bestEpoch} epochs in ${final.seconds.toFixed(2)} s`);
  // Without a refit the model only knows the fit part: every model is then fit and judged on that part.
  const evalTrain = refitOn ? train : carve.train;
  // The evaluated model was fitted on evalTrain: the indexed rows its fit kept (plain MF's) are reused.
  const allData = time('prepareEvaluation', () => prepareEvaluation(evalTrain, test, final));
  // Ranking metrics rank the whole catalogue per user: above evaluationMaxUsers, a seeded sample of users.
  const maxUsers = hyper.evaluationMaxUsers;
  const sampledRelevant = sampleUsers(allData.relevant, maxUsers, hyper.seed);
  const sampled = sampledRelevant !== allData.relevant;
  const data = sampled ? { ...allData, relevant: sampledRelevant } : allData;
  if (sampled) log(`[train] ranking metrics on a seeded sample of ${data.relevant.users.length} of ${allData.relevant.users.length} test users`);
  const evalOptions = { tf, k: hyper.rankingK, scorer: options.scorer };
  const models: ModelEvaluation[] = [];
  // Above parallelMinRatings the rating model's row is evaluated on a worker thread while this one evaluates the others.
  const ratingRowOptions = { ...evalOptions, fitSeconds: selection.seconds + (refitOn ? final.seconds : 0) };
  const ratingRow =
    stepThreads(evalTrain.ratings.length, hyper) > 1
      ? evaluateOffThread({ kind: 'mf', name: plan.rating.label, model: final.model }, data, {
          k: hyper.rankingK,
          scorer: options.scorer,
          fitSeconds: ratingRowOptions.fitSeconds,
          backend,
        })
      : null;
  // A failure surfaces where the row is awaited.
  ratingRow?.catch(() => undefined);
  await clock.timeAsync('evaluation', async () => {
    const globalStart = performance.now();
    const globalMean = fitGlobalMean(evalTrain);
    models.push(
      evaluateMfModel('global mean', globalMean, data, { ...evalOptions, fitSeconds: (performance.now() - globalStart) / 1000, ranking: false }),
    );
    const baselineStart = performance.now();
    // The rating model's fit started from this very baseline on evalTrain (its ratings): reused, not refitted.
    const baseline = final.baseline ? baselineOfFit(final.indexing, final.baseline) : fitBaseline(evalTrain);
    models.push(
      evaluateMfModel('baseline (mu + b_u + b_i, ALS)', baseline, data, { ...evalOptions, fitSeconds: (performance.now() - baselineStart) / 1000 }),
    );
    models.push(evaluateMostRated(data, { k: hyper.rankingK }));
    if (!ratingRow) models.push(evaluateMfModel(plan.rating.label, final.model, data, ratingRowOptions));
  });
  // Off-thread, the rating model's row takes its place in the table when it is collected: after the ranker's
  // fit and tuning, which keep this thread busy meanwhile (else this thread would only wait for it).
  const ratingSlot = models.length;
  let pendingRatingRow = ratingRow;
  const collectRatingRow = async () => {
    const row = pendingRatingRow;
    pendingRatingRow = null;
    if (row) models.splice(ratingSlot, 0, await clock.timeAsync('evaluation', () => row));
  };

  // The neighbourhood blend: lists on the fit part with the selection model, weights on the validation part;
  // the evaluated lists come from the evaluated model's ratings (all of train after a refit).
  const nbSettings = plan.rating.neighbourhood.settings;
  let neighbourhood: EvaluateOnSplitResult['neighbourhood'] = null;
  let neighbourhoodReport: EvaluationReport['neighbourhood'] = null;
  let blendedRow: ModelEvaluation | null = null;
  if (nbSettings) {
    const chosen = time('neighbourhoodSelection', () => selectNeighbourhoodBlend(carve.train, carve.validation, selection.model, nbSettings));
    const { blend, validationRows, validationRmse } = chosen;
    log(
      `[train] neighbourhood blend on ${validationRows} validation ratings: w_rating ${blend.rating.toFixed(3)}, w_knn ${blend.neighbourhood.toFixed(3)}, w_confident ${blend.confident.toFixed(3)}, intercept ${blend.intercept.toFixed(3)} (RMSE ${validationRmse.ratingModel.toFixed(4)} -> ${validationRmse.blended.toFixed(4)})`,
    );
    const evaluated = refitOn ? time('neighbourhoodRefit', () => fitNeighbourhood(train, final.model, nbSettings, blend)) : chosen.fitted;
    neighbourhood = { model: evaluated.model, byUser: evaluated.byUser };
    const evalStart = performance.now();
    const rated = blendedRatingMetrics(final.model, evaluated.model, evaluated.byUser, data.test);
    blendedRow = {
      model: `${plan.rating.label} + ${plan.rating.neighbourhood.label}`,
      rmse: rated.rmse,
      mae: rated.mae,
      precisionAtK: null,
      recallAtK: null,
      ndcgAtK: null,
      coverage: null,
      fitSeconds: chosen.seconds + (refitOn ? evaluated.seconds : 0),
      evalSeconds: (performance.now() - evalStart) / 1000,
    };
    models.push(blendedRow);
    neighbourhoodReport = {
      settings: nbSettings,
      blend,
      validationRows,
      validationRmse,
      seconds: chosen.seconds + (refitOn ? evaluated.seconds : 0),
    };
  }

  // The ranker: implicit ALS on the fit part, blend weights tuned on the validation part, then
  // (with a refit) implicit ALS again on all of train, evaluated on test like the other rows.
  let ranking: RankingModel | null = null;
  let rankingReport: EvaluationReport['ranking'] = null;
  if (plan.ranking) {
    const implicit = plan.ranking.implicit.settings;
    const ease = plan.ranking.ease.settings;
    // Without a refit the test evaluation already indexed the fit part: reuse it, index only the validation part;
    // with one, the selection fit indexed the fit part (plain MF keeps its indexed rows).
    const validationData = time('prepareValidation', () => {
      if (evalTrain !== carve.train) return prepareEvaluation(carve.train, carve.validation, selection);
      return withHeldOut(allData, carve.validation);
    });
    const tuneFit = time('rankerFitSelection', () =>
      fitRanker(validationData, selection.model, implicit, { implicit: 1, rating: 0, popularity: 0 }, log, ease, options.signals, tf),
    );
    const tuning = time('rankerTuning', () =>
      tuneBlendWeights(tf, validationData, selection.model, tuneFit.ranking, hyper.rankingK, hyper.ranker, {
        maxUsers,
        seed: hyper.seed,
        threads: stepThreads(validationData.train.ratings.length, hyper),
      }),
    );
    log(
      `[train] ranker blend on validation: w_rating ${tuning.weights.rating}, w_popularity ${tuning.weights.popularity}, w_ease ${tuning.weights.ease ?? 'none'} (NDCG@${hyper.rankingK} ${tuning.grid[0].ndcg.toFixed(4)} on ${tuning.users} of ${tuning.ofUsers} validation users; implicit alone ${tuning.grid.find((g) => g.rating === 0 && g.popularity === 0 && !g.ease)?.ndcg.toFixed(4)})`,
    );
    await collectRatingRow();
    let fitSeconds = tuneFit.seconds;
    let easeFitSeconds = tuneFit.easeSeconds;
    if (refitOn) {
      const refit = time('rankerRefit', () => fitRanker(data, final.model, implicit, tuning.weights, log, ease, options.signals, tf));
      ranking = refit.ranking;
      fitSeconds += refit.seconds;
      easeFitSeconds += refit.easeSeconds;
    } else ranking = { ...tuneFit.ranking, weights: { ...tuning.weights }, ...(tuning.weights.ease ? {} : { ease: undefined }) };
    const evaluatedRanking = ranking;
    const diversityData = { ...data, relevant: sampleUsers(data.relevant, hyper.diversityMaxUsers, hyper.seed) };
    // When the sweep's users are the evaluated ones, it reads the test evaluation's score rows.
    const sharedSweep =
      diversityData.relevant === data.relevant ? diversityAccumulator(final.model, evaluatedRanking, diversityData, { k: hyper.rankingK }) : null;
    const rankerFitSeconds = fitSeconds + tuning.seconds;
    // Without a shared sweep, above parallelMinRatings the ranker's row is evaluated on a worker thread
    // while this one runs the diversity sweep.
    const rankerOffThread =
      !sharedSweep && stepThreads(evalTrain.ratings.length, hyper) > 1
        ? evaluateOffThread({ kind: 'ranker', name: plan.ranking.label, ratingModel: final.model, ranking: evaluatedRanking }, data, {
            k: hyper.rankingK,
            scorer: options.scorer,
            fitSeconds: rankerFitSeconds,
            backend,
          })
        : null;
    // A failure surfaces where the row is awaited.
    rankerOffThread?.catch(() => undefined);
    const sweep = () =>
      time('diversitySweep', () =>
        sharedSweep && sharedSweep.users === diversityData.relevant.users.length
          ? sharedSweep.finish()
          : diversitySweep(final.model, evaluatedRanking, diversityData, { tf, k: hyper.rankingK }),
      );
    const sweptFirst = rankerOffThread ? sweep() : null;
    await clock.timeAsync('evaluation', async () => {
      const rankerRow = await (rankerOffThread ??
        evaluateRanker(plan.ranking!.label, final.model, evaluatedRanking, data, {
          ...evalOptions,
          fitSeconds: rankerFitSeconds,
          ...(sharedSweep ? { onRows: (users: Int32Array, rows: Float32Array) => sharedSweep.addBatch(users, rows) } : {}),
        }));
      // Its predicted_rating is the served one: the neighbourhood blend when there is one.
      models.push(blendedRow ? { ...rankerRow, rmse: blendedRow.rmse, mae: blendedRow.mae } : rankerRow);
    });
    const diversity = sweptFirst ?? sweep();
    rankingReport = { implicit, ease, easeFitSeconds, tuning, fitSeconds, diversity };
  }
  await collectRatingRow();
  const report: EvaluationReport = {
    k: hyper.rankingK,
    relevanceThreshold: 4,
    backend,
    rankingScorer: options.scorer ?? 'tensor',
    splits: { fit: carve.train.ratings.length, validation: carve.validation.ratings.length, train: train.ratings.length, test: test.ratings.length },
    test: {
      unknownUserRows: data.test.unknownUsers,
      unknownMovieRows: data.test.unknownMovies,
      rankingUsers: allData.relevant.users.length,
      rankingUsersEvaluated: data.relevant.users.length,
      unknownUserRelevantRows: data.relevant.skippedUnknownUserRows,
    },
    evaluationSample: sampled
      ? { maxUsers, seed: hyper.seed, testUsers: data.relevant.users.length, ofTestUsers: allData.relevant.users.length }
      : null,
    models,
    selection: {
      bestEpoch: selection.bestEpoch,
      epochsRun: selection.epochsRun,
      bestValidationRmse: selection.bestValidationRmse,
      seconds: selection.seconds,
      history: selection.history,
    },
    refit: { on: refitOn ? 'train' : 'fit', epochs: selection.bestEpoch, seconds: refitOn ? final.seconds : 0 },
    timings: clock.wallSeconds(),
    stepTimes: clock.steps,
    ratingModel: kind,
    neighbourhood: neighbourhoodReport,
    ratingHyperParameters: plan.rating.settings,
    ranking: rankingReport,
  };
  return { report, model: final.model, ranking, neighbourhood };
}
