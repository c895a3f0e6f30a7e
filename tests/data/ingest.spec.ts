import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { runIngest } from '@reelrank/ingest';
import { tempWorkspace } from '@reelrank/ingest/testing';
import { requireMovieLensData } from './movielens-data';

/**
 * The ingest stage on the real ml-latest-small (`npm run test:data`): its exact counts and the lines
 * that only the real files have (a comma in a title, a title without a year, an imdb id with leading
 * zeros). `npm test` checks the same contract on generated files (packages/ingest run-ingest.spec.ts).
 */
describe('runIngest on the real ml-latest-small', () => {
  it('when run, then every row is kept and the processed files hold the known lines', async () => {
    const { source } = requireMovieLensData();
    const config = loadConfig({ root: tempWorkspace(), env: { MOVIELENS_SOURCE: source }, overrides: { dataset: { sampleSize: 500 } } });
    const report = await runIngest(config, { log: () => undefined });
    const out = config.paths.processedDir;
    expect(readdirSync(out).sort()).toEqual(['links.csv', 'movies.csv', 'ratings.csv', 'report.json', 'sample-ratings.csv', 'tags.csv']);
    expect(report.counts).toMatchObject({ ratings: 100_836, users: 610, ratedMovies: 9724, movies: 9742, links: 9742, tags: 3683, sample: 500 });
    expect(report.dropped).toEqual({ malformed: 0, duplicate: 0, outOfRange: 0, unknownMovie: 0 });
    expect(readFileSync(join(out, 'ratings.csv'), 'utf8').split('\n')[1]).toBe('1,1,4.0,964982703');
    const movies = readFileSync(join(out, 'movies.csv'), 'utf8').split('\n');
    expect(movies).toContain('11,"American President, The (1995)",1995,Comedy|Drama|Romance');
    expect(movies).toContain('40697,Babylon 5,,Sci-Fi');
    expect(readFileSync(join(out, 'links.csv'), 'utf8').split('\n')[1]).toBe('1,0114709,862');
  });
});
