/** @reelrank/ingest: the ingest stage (download or local source -> verified originals -> processed CSVs), its streaming reader and the seeded MovieLens-shaped generator. */
export { downloadFile } from './lib/download.js';
export { parseRatingsFile } from './lib/parse-ratings.js';
export { parseMoviesFile } from './lib/parse-movies.js';
export { parseGenomeScoresFile, type GenomeScore } from './lib/parse-genome.js';
export { runIngest } from './lib/run-ingest.js';
export { resolveSourceFolder } from './lib/source-folder.js';
export { streamRows } from './lib/stream-rows.js';
export { generateSyntheticMovieLens, ML20M_SHAPE, MOVIELENS_GENRES, scaledMl20mShape, SYNTHETIC_GENERATOR_VERSION } from './lib/synthetic.js';
