/** @reelrank/model: the trained model shared by trainer and server: artifact format, scoring math, top-N, fold-in, ranking blend, TF.js backend. */
export { foldInUserCg, foldInUserCgSteps, type FoldInCgOptions } from './lib/fold-in-cg.js';
export { foldInUserDual, foldInUserDualSteps } from './lib/fold-in-dual.js';
export { finish, type Steps } from './lib/steps.js';
export { type FoldedInUser, foldInModel, type FoldInOptions } from './lib/fold-in.js';
export { type BiasModel, buildModelIndex, type MfModel, type ModelIndex, RATING_MAX, RATING_MIN } from './lib/mf-model.js';
export {
  loadModelArtifacts,
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
  rankingScoringModel,
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
export { clipRating, predictRating, scoreAllMovies } from './lib/scoring.js';
export { createMovieScorer, type MovieScorer } from './lib/simd-scorer.js';
export { createBoundScorer, type MovieBoundScorer } from './lib/int8-bound-scorer.js';
export { TensorScorer } from './lib/tensor-scoring.js';
export { initTensorFlow, type Tf } from './lib/tf-backend.js';
export { topNInto } from './lib/top-n-masked.js';
export { topN } from './lib/top-n.js';
export { addEaseScores, assertEaseShape, type EaseModel, easePositions, type EaseScorer, easeScorer, fillEaseSums } from './lib/ease-model.js';
