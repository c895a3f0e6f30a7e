import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, tempWorkspace } from '@reelrank/ingest/testing';
import { loadModelArtifacts, type MovieContent } from '@reelrank/model';
import { genomeByMovie, readCatalogueContent } from './catalogue-content.js';
import { contentMapOfServed, ratingCountsOf } from './content-map-fit.js';
import { readTrainingData } from './read-training-data.js';
import { runTraining } from './run-training.js';

describe('genomeByMovie', () => {
  it('when tags differ in how much their relevance varies across movies, then the most varied are kept (ties by tag id) for every movie', () => {
    // Tag 1 barely varies, tag 2 varies most, tags 3 and 4 tie.
    const rows: Array<[number, number, number]> = [
      [10, 1, 0.5],
      [10, 2, 0.0],
      [10, 3, 0.2],
      [10, 4, 0.8],
      [11, 1, 0.51],
      [11, 2, 1.0],
      [11, 3, 0.8],
      [11, 4, 0.2],
    ];
    const columns = {
      movieIds: Int32Array.from(rows, (r) => r[0]),
      tagIds: Int32Array.from(rows, (r) => r[1]),
      relevance: Float32Array.from(rows, (r) => r[2]),
    };
    const kept = genomeByMovie(columns, 2);
    expect([...kept.keys()]).toEqual([10, 11]);
    expect([...kept.get(10)!.keys()].sort()).toEqual([2, 3]);
    expect(kept.get(11)!.get(2)).toBe(1);
    expect(genomeByMovie(columns, 0).size).toBe(0);
  });
});

/**
 * The genome's way from the data set to the map: a generated data set whose genres say nothing of
 * taste (genreAligned off) and whose planted genome follows the planted movie factors, through the
 * real ingest, database and train stages.
 */
describe('the content map with a planted tag genome (generated data, real stages)', () => {
  let config: AppConfig;
  const quiet = () => undefined;

  beforeAll(async () => {
    const source = await generatedMovieLensSource({
      users: 300,
      movies: 240,
      ratings: 24_000,
      seed: 21,
      factors: 4,
      genreAligned: false,
      genomeTags: 16,
    });
    config = loadConfig({
      root: tempWorkspace(),
      env: { MOVIELENS_SOURCE: source },
      overrides: { training: { maxEpochs: 20, factors: 4, ratingModel: 'mf' } },
    });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
  }, 60_000);

  it('when the train stage fits the map, then its features include the genome tags read from the database', async () => {
    await runTraining(config, { log: quiet, implicit: false });
    const { contentMap } = loadModelArtifacts(config.paths.modelDir);
    expect(contentMap?.map.spec.genomeTags).toHaveLength(Math.min(16, config.training.contentMap.genomeVocabulary));
  }, 120_000);

  it('when the map is fitted with and without the genome on the same models, then the genome lowers the validation error of the rating factors', async () => {
    const bundle = loadModelArtifacts(config.paths.modelDir);
    const content = await readCatalogueContent(config, config.training.contentMap);
    expect([...content.values()].every((c) => (c.genome?.size ?? 0) > 0)).toBe(true);
    const withoutGenome = new Map<number, MovieContent>([...content].map(([id, c]) => [id, { genres: c.genres, year: c.year, tags: c.tags }]));
    const ratingCounts = ratingCountsOf(bundle.model, readTrainingData(config.paths.dbPath).ratings);
    const settings = { ...config.training.contentMap, seed: config.training.seed };
    const fit = (using: ReadonlyMap<number, MovieContent>) => {
      const outcome = contentMapOfServed({ model: bundle.model, ratingCounts, content: using }, settings, quiet);
      if ('skipped' in outcome) throw new Error(outcome.skipped);
      return Math.min(...outcome.report.search.map((s) => s.validationRmse.ratingFactors ?? Infinity));
    };
    const genomeError = fit(content);
    const plainError = fit(withoutGenome);
    expect(genomeError).toBeLessThan(0.8 * plainError);
  }, 60_000);
});
