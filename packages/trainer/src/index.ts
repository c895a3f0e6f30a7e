/**
 * @reelrank/trainer: the train stage (runTraining) and what the CLI, the report and the tools use
 * of it: the evaluation on a split, the metric functions, the readers and the single fits.
 */
export { evaluateOnSplit, trainRatingModel, type EvaluationReport } from './lib/evaluate-split.js';
export { prepareEvaluation, type ModelEvaluation } from './lib/evaluate.js';
export { buildIndexing, groupByUser, indexRatings, type UserItems } from './lib/indexing.js';
export { fitRanker, tuneBlendWeights } from './lib/ranking-blend.js';
export { rankingMetrics, RELEVANCE_THRESHOLD, relevantItems, type RankingMetrics, type RelevantItems } from './lib/ranking-metrics.js';
export { blendedRatingMetrics, ratingMetricsOf } from './lib/rating-metrics.js';
export { fitNeighbourhood, type NeighbourhoodSettings } from './lib/fit-neighbourhood.js';
export { fitNeighbourhoodBlend } from './lib/neighbourhood-blend.js';
export { readRatingsCsv, selectRows, type RatingsColumns } from './lib/ratings.js';
export { readCatalogueTrainingData, readTrainingData } from './lib/read-training-data.js';
export { formatModelTable } from './lib/report-table.js';
export { runTraining } from './lib/run-training.js';
export { splitRatings, splitRows } from './lib/split.js';
export { trainImplicitAls } from './lib/train-implicit.js';
export { trainMf } from './lib/train-mf.js';
export { easeSettings, implicitSettings, planTraining, type TrainingPlan } from './lib/training-plan.js';
export { easeGram, type EaseSettings, fitEase, mostRatedMovies, solveEase } from './lib/ease.js';
export { genomeByMovie, movieContentOf, readCatalogueContent } from './lib/catalogue-content.js';
export { contentMapOfServed, fitContentMap, ratingCountsOf, type ContentMapSettings } from './lib/content-map-fit.js';
export { evaluateColdStart, genrePopularityScores, type ColdStartEvaluation } from './lib/cold-start-eval.js';
export { holdOutMovies, type MovieHoldout } from './lib/movie-holdout.js';
