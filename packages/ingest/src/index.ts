/** @reelrank/ingest: the ingest stage (download or local source -> verified originals -> processed CSVs) and the seeded MovieLens-shaped generator. */
export { downloadFile } from './lib/download.js';
export { parseMoviesFile } from './lib/parse-movies.js';
export { parseGenomeScoresFile, type GenomeScore } from './lib/parse-genome.js';
export { runIngest } from './lib/run-ingest.js';
export { resolveSourceFolder } from './lib/source-folder.js';
export {
  generateSyntheticMovieLens,
  ML20M_SHAPE,
  ML32M_SHAPE,
  MOVIELENS_GENRES,
  scaledMl20mShape,
  SYNTHETIC_GENERATOR_VERSION,
} from './lib/synthetic.js';
