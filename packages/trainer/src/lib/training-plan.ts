import type { EaseConfig, TrainingConfig } from '@reelrank/config';
import { easeInputLabel, type EaseSettings } from './ease.js';
import type { NeighbourhoodSettings } from './fit-neighbourhood.js';
import type { BlendGrid } from './ranking-blend.js';
import { RELEVANCE_THRESHOLD } from './ranking-metrics.js';
import type { ImplicitHyperParameters } from './train-implicit.js';
import type { MfHyperParameters } from './train-mf.js';
import { DEFAULT_SVDPP, type SvdppHyperParameters } from './train-svdpp.js';

/** 'svdpp': biased MF + |N(u)|^-½ Σ y_j user term, saved folded as a plain MfModel; 'mf': plain biased MF. */
export type RatingModelKind = 'mf' | 'svdpp';

/** What each rating model is called in the report (its row) and in the ranker's name. */
export const RATING_MODEL_LABELS: Record<RatingModelKind, { row: string; short: string }> = {
  mf: { row: 'biased MF (SGD)', short: 'MF' },
  svdpp: { row: 'SVD++ (SGD)', short: 'SVD++' },
};

/** One model of the plan: what it is, its report row, its settings and how it is fitted. */
export interface PlannedModel<Kind extends string, Settings> {
  kind: Kind;
  label: string;
  settings: Settings;
  fit: string;
}

/** EASE in the ranker: its settings (K = maxMovies most-rated movies, lambda) when fitted, null when not; `chosenBy` says why. */
export type PlannedEase = PlannedModel<'ease', EaseSettings | null> & { fitted: boolean; chosenBy: string };

/** The ranker's implicit ALS: its settings (the sweeps for the set's size); `chosenBy` says why. */
export type PlannedImplicit = PlannedModel<'implicit-als', ImplicitHyperParameters> & { chosenBy: string };

/** The item-item neighbourhood predictor blended with the rating model: its settings when fitted, null when not; `chosenBy` says why. */
export type PlannedNeighbourhood = PlannedModel<'item-knn', NeighbourhoodSettings | null> & { fitted: boolean; chosenBy: string };

/** The models a training fits and their settings (what `evaluateOnSplit` needs). */
export interface ModelPlan {
  /** The rating model (predicted_rating, the rating half of the blend), and why this kind. */
  rating: PlannedModel<RatingModelKind, MfHyperParameters> & {
    chosenBy: string;
    svdpp: SvdppHyperParameters | null;
    /** The neighbourhood predictor blended into the served rating (its blend weights fitted on validation). */
    neighbourhood: PlannedNeighbourhood;
  };
  /** The served top-N ranker (null: none): its fitted components and the blend over them and the rating model. */
  ranking: {
    label: string;
    implicit: PlannedImplicit;
    ease: PlannedEase;
    blend: BlendGrid & { tunedOn: string };
  } | null;
}

/**
 * The validation part carved out of the train part (early stopping, the blend tuning, the neighbourhood blend):
 * `fraction` of the train ratings, which is validationFraction's share of every rating unless that is more than
 * `maxRatings` (validationMaxRatings); `chosenBy` says which.
 */
export interface PlannedValidation {
  fraction: number;
  share: number;
  maxRatings: number | null;
  chosenBy: string;
}

/** The whole decision of a training: the models, what the test metrics come from and what the served model is fitted on. */
export interface TrainingPlan extends ModelPlan {
  ratings: { all: number; train: number };
  validation: PlannedValidation;
  /** Test metrics come from models fitted on all of train (refit after early stopping) or on the fit part only. */
  evaluation: { refitOnTrain: boolean; testModelFittedOn: 'train' | 'fit' };
  served: { fittedOn: 'all' | 'train' | 'fit'; refitOnAll: boolean; refitMaxRatings: number; reason: string };
}

export type PlanConfig = Pick<
  TrainingConfig,
  | 'seed'
  | 'factors'
  | 'maxEpochs'
  | 'learningRate'
  | 'learningRateDecay'
  | 'regularization'
  | 'biasRegularization'
  | 'initStd'
  | 'patience'
  | 'rankingK'
  | 'ranker'
  | 'autoSvdppMaxRatings'
  | 'autoMf'
> &
  Partial<Pick<TrainingConfig, 'neighbourhood'>> &
  Partial<Pick<TrainingConfig, 'ratingModel'>>;

/** Choices a caller makes instead of the config (tests, benchmarks, tools). */
export interface PlanOverrides {
  ratingModel?: RatingModelKind;
  /** Implicit ALS settings of the ranker; false = no ranker. */
  implicit?: ImplicitHyperParameters | false;
  /** EASE settings of the ranker, fitted whatever the set's size; false = no EASE term. */
  ease?: EaseSettings | false;
  /** Neighbourhood settings of the rating blend, fitted whatever the set's size; false = the rating model alone. */
  neighbourhood?: NeighbourhoodSettings | false;
}

/** The ranker's implicit ALS settings of a training config (`training.ranker.implicit`, seeded by the training seed). */
export function implicitSettings(training: Pick<TrainingConfig, 'seed' | 'ranker'>): ImplicitHyperParameters {
  return { ...training.ranker.implicit, seed: training.seed };
}

/**
 * EASE's settings from its config: λ, K and what a rating counts in X, 1 from the relevance threshold
 * up (a liked movie, as the ranking protocol counts it) and `otherRatingWeight` below (1: the 0/1 X).
 */
export function easeSettings({ lambda, maxMovies, otherRatingWeight }: Pick<EaseConfig, 'lambda' | 'maxMovies' | 'otherRatingWeight'>): EaseSettings {
  return {
    lambda,
    maxMovies,
    ...(otherRatingWeight === 1 ? {} : { input: { likedRating: RELEVANCE_THRESHOLD, otherWeight: otherRatingWeight } }),
  };
}

/**
 * The ranker's implicit ALS for a fit on `trainRatings` train ratings: `ranker.largeSetSweeps.sweeps`
 * from its `minRatings` up, else `ranker.implicit.sweeps` (the caller's settings as they are).
 */
export function planImplicit(
  config: Pick<TrainingConfig, 'seed' | 'ranker'>,
  trainRatings: number,
  override?: ImplicitHyperParameters,
): PlannedImplicit {
  const base = { kind: 'implicit-als' as const, label: 'implicit ALS' };
  const planned = (settings: ImplicitHyperParameters, chosenBy: string): PlannedImplicit => ({
    ...base,
    settings,
    chosenBy,
    fit: `${settings.sweeps} sweeps`,
  });
  if (override) return planned(override, 'asked by the caller');
  const settings = implicitSettings(config);
  const large = config.ranker.largeSetSweeps;
  if (!large) return planned(settings, 'ranker.implicit.sweeps (no ranker.largeSetSweeps)');
  if (trainRatings < large.minRatings)
    return planned(settings, `ranker.implicit.sweeps: ${trainRatings} train ratings < ranker.largeSetSweeps.minRatings ${large.minRatings}`);
  return planned(
    { ...settings, sweeps: large.sweeps },
    `ranker.largeSetSweeps: ${trainRatings} train ratings >= ranker.largeSetSweeps.minRatings ${large.minRatings}`,
  );
}

/**
 * EASE in the ranker: fitted up to `ranker.ease.maxRatings` train ratings (its Gram and K³ inverse),
 * unless the caller asks for it or leaves it out.
 */
export function planEase(config: Pick<TrainingConfig, 'ranker'>, trainRatings: number, override?: EaseSettings | false): PlannedEase {
  const { maxRatings } = config.ranker.ease;
  const notFitted = (chosenBy: string): PlannedEase => ({ kind: 'ease', label: 'EASE', settings: null, fitted: false, chosenBy, fit: 'not fitted' });
  if (override === false) return notFitted('left out by the caller');
  if (override === undefined && trainRatings > maxRatings) return notFitted(`${trainRatings} train ratings > ranker.ease.maxRatings ${maxRatings}`);
  const settings = override ?? easeSettings(config.ranker.ease);
  return {
    kind: 'ease',
    label: 'EASE',
    settings,
    fitted: true,
    chosenBy: override ? 'asked by the caller' : `${trainRatings} train ratings <= ranker.ease.maxRatings ${maxRatings}`,
    fit: `closed form (one pass) over the ${settings.maxMovies} most-rated movies, lambda ${settings.lambda}${easeInputLabel(settings.input)}`,
  };
}

/**
 * The neighbourhood predictor: fitted up to `neighbourhood.maxRatings` train ratings (its similarity pass
 * grows with the squared ratings per user), unless the caller asks for it or leaves it out.
 */
export function planNeighbourhood(
  config: Partial<Pick<TrainingConfig, 'neighbourhood'>>,
  trainRatings: number,
  override?: NeighbourhoodSettings | false,
): PlannedNeighbourhood {
  const notFitted = (chosenBy: string): PlannedNeighbourhood => ({
    kind: 'item-knn',
    label: 'item kNN on baseline residuals',
    settings: null,
    fitted: false,
    chosenBy,
    fit: 'not fitted',
  });
  if (override === false) return notFitted('left out by the caller');
  if (override === undefined && !config.neighbourhood) return notFitted('no training.neighbourhood settings');
  const maxRatings = config.neighbourhood?.maxRatings ?? 0;
  if (override === undefined && trainRatings > maxRatings) return notFitted(`${trainRatings} train ratings > neighbourhood.maxRatings ${maxRatings}`);
  const { k, candidates, shrinkage, minCommon } = override ?? config.neighbourhood!;
  const settings = { k, candidates, shrinkage, minCommon };
  return {
    kind: 'item-knn',
    label: 'item kNN on baseline residuals',
    settings,
    fitted: true,
    chosenBy: override ? 'asked by the caller' : `${trainRatings} train ratings <= neighbourhood.maxRatings ${maxRatings}`,
    fit: `shrunk Pearson (lambda ${shrinkage}) over ${candidates} neighbours per movie, k ${k}; blend weights by least squares on the validation part`,
  };
}

/**
 * `auto` picks SVD++ up to `autoSvdppMaxRatings` (config) ratings and plain MF (with `autoMf`) above, by
 * measured accuracy per second (docs/measured.md, "Training speed"): both run on parallel SIMD kernels.
 */
export function resolveRatingModel(setting: 'auto' | RatingModelKind | undefined, ratings: number, autoSvdppMaxRatings: number): RatingModelKind {
  if (setting === 'svdpp' || setting === 'mf') return setting;
  return ratings <= autoSvdppMaxRatings ? 'svdpp' : 'mf';
}

/** The models fitted on `trainRatings` ratings (the train part, test rows excluded) and their settings. */
export function planModels(config: PlanConfig, trainRatings: number, overrides: PlanOverrides = {}): ModelPlan {
  const setting = config.ratingModel ?? 'auto';
  const kind = overrides.ratingModel ?? resolveRatingModel(setting, trainRatings, config.autoSvdppMaxRatings);
  // When auto picks plain MF (a large set), its own settings apply: fewer factors, a faster schedule.
  const autoMf = !overrides.ratingModel && setting === 'auto' && kind === 'mf';
  const hyper = autoMf ? { ...config, ...config.autoMf } : config;
  const chosenBy = overrides.ratingModel
    ? `${kind}, asked by the caller`
    : setting !== 'auto'
      ? `ratingModel ${setting}`
      : `ratingModel auto: ${trainRatings} train ratings ${kind === 'svdpp' ? '<=' : '>'} autoSvdppMaxRatings ${config.autoSvdppMaxRatings}${autoMf ? ', with the autoMf settings' : ''}`;
  const implicit = overrides.implicit === false ? false : planImplicit(config, trainRatings, overrides.implicit);
  const ease = planEase(config, trainRatings, overrides.ease);
  const labels = RATING_MODEL_LABELS[kind];
  const neighbourhood = planNeighbourhood(config, trainRatings, overrides.neighbourhood);
  return {
    rating: {
      kind,
      label: labels.row,
      neighbourhood,
      chosenBy,
      settings: {
        seed: hyper.seed,
        factors: hyper.factors,
        maxEpochs: hyper.maxEpochs,
        learningRate: hyper.learningRate,
        learningRateDecay: hyper.learningRateDecay,
        regularization: hyper.regularization,
        biasRegularization: hyper.biasRegularization,
        initStd: hyper.initStd,
        patience: hyper.patience,
      },
      svdpp: kind === 'svdpp' ? DEFAULT_SVDPP : null,
      fit: `SGD, epochs chosen by early stopping on validation RMSE (patience ${hyper.patience}, at most ${hyper.maxEpochs})`,
    },
    ranking:
      implicit === false
        ? null
        : {
            label: `served ranking (${labels.short} + implicit ALS + popularity${ease.fitted ? ' + EASE' : ''})`,
            implicit,
            ease,
            blend: {
              ratingWeightGrid: config.ranker.ratingWeightGrid,
              popularityWeightGrid: config.ranker.popularityWeightGrid,
              maxTuningUsers: config.ranker.maxTuningUsers,
              ...(ease.fitted ? { ease: { weightGrid: config.ranker.ease.weightGrid } } : {}),
              tunedOn: `validation NDCG@${config.rankingK} (w_implicit 1)`,
            },
          },
  };
}

/**
 * The validation part of a train part of `trainRatings` ratings: validationFraction is a share of every rating, so of the
 * train part (test rows out) it is validationFraction / (1 - testFraction); above validationMaxRatings ratings the
 * fraction shrinks to hold that many (in expectation: the carve rounds per user), the rest staying in the fit part.
 */
export function planValidation(
  config: Pick<TrainingConfig, 'validationFraction' | 'testFraction' | 'validationMaxRatings'>,
  trainRatings: number,
): PlannedValidation {
  const share = config.validationFraction / (1 - config.testFraction);
  const maxRatings = config.validationMaxRatings;
  const base = { share, maxRatings };
  if (maxRatings === null) return { ...base, fraction: share, chosenBy: 'validationFraction (no validationMaxRatings)' };
  const atShare = Math.round(share * trainRatings);
  if (atShare <= maxRatings)
    return { ...base, fraction: share, chosenBy: `validationFraction: ${atShare} ratings <= validationMaxRatings ${maxRatings}` };
  return {
    ...base,
    fraction: maxRatings / trainRatings,
    chosenBy: `validationMaxRatings ${maxRatings}: validationFraction would hold ${atShare} of ${trainRatings} train ratings`,
  };
}

/**
 * Decides a training: the models and their settings (planModels, on the train part's size) and what the
 * served model is fitted on. With refitOnAll (and at most refitMaxRatings ratings) the served models are
 * fitted again on every rating for the chosen epoch count, and the test metrics come from the models fitted
 * on the fit part; above refitMaxRatings those validated models are served as they are (the fit part already
 * holds millions of ratings); without refitOnAll the models are refit on all of train and served.
 */
export function planTraining(
  config: PlanConfig & Pick<TrainingConfig, 'refitOnAll' | 'refitMaxRatings' | 'validationFraction' | 'testFraction' | 'validationMaxRatings'>,
  data: { ratings: number; trainRatings: number },
  overrides: PlanOverrides = {},
): TrainingPlan {
  const models = planModels(config, data.trainRatings, overrides);
  const refitOnAll = config.refitOnAll && data.ratings <= config.refitMaxRatings;
  const served: TrainingPlan['served'] = refitOnAll
    ? { fittedOn: 'all', refitOnAll, refitMaxRatings: config.refitMaxRatings, reason: 'refitOnAll: refit on every rating for the chosen epoch count' }
    : config.refitOnAll
      ? {
          fittedOn: 'fit',
          refitOnAll,
          refitMaxRatings: config.refitMaxRatings,
          reason: `no refit: ${data.ratings} ratings > refitMaxRatings ${config.refitMaxRatings}; serving the models validated on the fit part`,
        }
      : {
          fittedOn: 'train',
          refitOnAll,
          refitMaxRatings: config.refitMaxRatings,
          reason: 'refitOnAll off: serving the models refit on all of train',
        };
  // With a refit on all ratings coming (or too many ratings for one), the test figures come from the models selected on the fit part.
  const refitOnTrain = !config.refitOnAll;
  return {
    ratings: { all: data.ratings, train: data.trainRatings },
    validation: planValidation(config, data.trainRatings),
    ...models,
    evaluation: { refitOnTrain, testModelFittedOn: refitOnTrain ? 'train' : 'fit' },
    served,
  };
}

/** The plan in one log line. */
export function planLine(plan: TrainingPlan): string {
  const { rating, ranking, served, validation } = plan;
  const s = rating.settings;
  const ranker = ranking
    ? `${ranking.label}: implicit ALS k ${ranking.implicit.settings.factors}, ${ranking.implicit.fit} (${ranking.implicit.chosenBy}), ${ranking.ease.fitted ? `EASE ${ranking.ease.fit}` : `no EASE in the ranker (${ranking.ease.chosenBy})`}, blend tuned on ${ranking.blend.tunedOn}`
    : 'no ranker';
  const nb = rating.neighbourhood;
  const blend = nb.fitted ? `blended with ${nb.label} (${nb.fit})` : `no neighbourhood blend (${nb.chosenBy})`;
  return (
    `[train] plan: validation part ${(validation.fraction * 100).toFixed(2)}% of train (${validation.chosenBy}); ` +
    `${rating.label} (${rating.chosenBy}; k ${s.factors}, lr ${s.learningRate} x ${s.learningRateDecay} per epoch, ${rating.fit}), ${blend}; ${ranker}; ` +
    `test metrics from the models fitted on the ${plan.evaluation.testModelFittedOn} part; served fitted on ${served.fittedOn} (${served.reason})`
  );
}
