/** @reelrank/model: the trained model shared by trainer and server: artifact format, scoring math, top-N, fold-in, ranking blend, TF.js backend. */
export { gateOf, type GateDecision, type GateModelFigures, type GateVerdict, isRejected } from './lib/gate-verdict.js';
export {
  appendTrainingRun,
  readTrainingRuns,
  RUN_HISTORY_FILE,
  trainingRunOf,
  type TrainingRunOutcome,
  type TrainingRunRecord,
} from './lib/run-history.js';
export { pinnedVersions, readVersionPins, writeVersionPins } from './lib/version-pins.js';
export { describeModelVersion, gateHistory, gateJson, type ModelVersionDetails, runJson } from './lib/version-details.js';
export { foldInUserCg, foldInUserCgSteps, type FoldInCgOptions } from './lib/fold-in-cg.js';
export { foldInUserDual, foldInUserDualSteps } from './lib/fold-in-dual.js';
export { finish, type Steps } from './lib/steps.js';
export { type FoldedInUser, foldInModel, type FoldInOptions } from './lib/fold-in.js';
export { type BiasModel, buildModelIndex, type MfModel, type ModelIndex, RATING_MAX, RATING_MIN } from './lib/mf-model.js';
export {
  loadModelArtifacts,
  type ContentMapManifest,
  type ModelBundle,
  ModelLoadError,
  type ModelManifest,
  readModelManifest,
  saveModelArtifacts,
} from './lib/model-artifacts.js';
export {
  headlineMetrics,
  type HeadlineMetrics,
  BUILT_POINTER,
  LIVE_POINTER,
  listModelVersions,
  type LiveModel,
  liveModel,
  MODEL_VERSION_PATTERN,
  modelVersionDir,
  type ModelVersionInfo,
  pruneModelVersions,
  publishBuiltModel,
  readBuiltVersion,
  readLiveVersion,
  registerModelVersion,
  type RegistryPaths,
  resolveLiveModel,
  setLiveVersion,
  syncModelRegistry,
} from './lib/model-registry.js';
export { buildIdIndex, type IdIndex } from './lib/id-index.js';
export { computePopularity, type PopularityRanking } from './lib/popularity.js';
export {
  choleskySolveInPlace,
  confidenceOf,
  foldInImplicitUser,
  gramOf,
  type ImplicitConfidence,
  implicitGram,
  implicitSolveBuffers,
  popularityPrior,
  type RankingBlendWeights,
  type RankingModel,
  rankingMovieModel,
  type RankingMovieModel,
  rankingScoringModel,
  rankingUserBias,
  scoreForRanking,
  solveImplicitRow,
  writeRankingUserVector,
} from './lib/ranking-model.js';
export {
  readRetrainWatchState,
  type RetrainCheck,
  type RetrainDecision,
  type RetrainOutcome,
  type RetrainRun,
  type RetrainWatchState,
  writeRetrainWatchState,
} from './lib/retrain-watch-state.js';
export {
  assertNeighbourhoodShape,
  blendInputs,
  type NeighbourhoodBlend,
  type NeighbourhoodModel,
  neighbourhoodTerm,
  neighbourScratch,
  type NeighbourScratch,
  predictBlended,
  predictServedRating,
  type UserRatings,
} from './lib/neighbourhood-model.js';
export { clipRating, predictRating, predictRaw, scoreAllMovies } from './lib/scoring.js';
export { createMovieScorer, type MovieScorer } from './lib/simd-scorer.js';
export { createBoundScorer, type MovieBoundScorer } from './lib/int8-bound-scorer.js';
export { TensorScorer } from './lib/tensor-scoring.js';
export { initTensorFlow, type Tf } from './lib/tf-backend.js';
export { topNInto } from './lib/top-n-masked.js';
export { topN } from './lib/top-n.js';
export {
  blendMovieFactors,
  type BlendSettings,
  type ContentFeatureSpec,
  contentFactors,
  contentFeatures,
  type ContentMap,
  featureCount,
  learnedShare,
  type MovieContent,
  type MovieFactors,
  targetCount,
} from './lib/content-map.js';
export { type ContentMapArtifact, parseContentMap, serialiseContentMap } from './lib/content-map-artifact.js';
export { movieFactorsAt, type MovieFactorsEntry, withMovieFactors } from './lib/with-movie-factors.js';
export {
  addEaseScores,
  assertEaseShape,
  type EaseInput,
  type EaseModel,
  easePositions,
  easeRatingWeight,
  type EaseScorer,
  easeScorer,
  fillEaseSums,
  type RatedSpan,
} from './lib/ease-model.js';
export {
  buildDriftProfile,
  buildGenreIndex,
  DRIFT_FEATURES,
  DRIFT_PROFILE_FILE,
  type DriftFeature,
  type DriftProfile,
  type FeatureHistogram,
  type GenreIndex,
  idRanges,
  type ProfileBinning,
  profileRatings,
  type RatingsProfile,
  type RatingsSample,
  readDriftProfile,
  writeDriftProfile,
} from './lib/drift-profile.js';
export { PSI_PSEUDO_COUNT, populationStabilityIndex, smoothedShares } from './lib/drift-psi.js';
export {
  describeDrift,
  type DriftFinding,
  type DriftReport,
  type DriftSettings,
  DRIFT_WINDOWS,
  type DriftWindowName,
  type DriftWindowReport,
  driftOf,
  measureDrift,
  type PostedRow,
} from './lib/drift-report.js';
export { mmrRerank, unitCosine, unitRows } from './lib/mmr.js';
