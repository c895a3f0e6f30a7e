/** Test helpers of the serving library (not part of its production API): a planted model and catalogue. */
export { COMEDY, MOVIES, plantedBundle, plantedContentMap, plantedRecommender, RATED, SCI_FI } from './planted.js';
export { randomServingSet, type RandomServingSet } from './random-bundle.js';
