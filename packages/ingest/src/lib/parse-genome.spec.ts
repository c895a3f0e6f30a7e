import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { runIngest } from './run-ingest.js';
import { generateSyntheticMovieLens } from './synthetic.js';

const workspace = join(__dirname, '..', '..', '..', '..');
const fixture = join(__dirname, '..', '__fixtures__', 'genome');

/** The tag genome (genome-tags.csv, genome-scores.csv, as ml-20m/25m/32m ship it) read by the ingest stage into processed files. */
describe('runIngest with a tag genome', () => {
  it('when the source has both genome files, then the processed folder has them, cleaned, sorted, and the report counts them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ingest-genome-'));
    mkdirSync(join(root, 'config'));
    for (const name of readdirSync(join(workspace, 'config'))) copyFileSync(join(workspace, 'config', name), join(root, 'config', name));
    const config = loadConfig({
      root,
      overrides: { dataset: { source: fixture, sampleSize: 10, dataset: 'ml-latest-small' } },
      env: { REELRANK_DATA_DIR: join(root, 'data') },
    });
    const report = await runIngest(config, { log: () => undefined });
    const out = config.paths.processedDir;
    expect(readFileSync(join(out, 'genome-tags.csv'), 'utf8')).toBe('tagId,tag\n1,007\n2,"dark, gritty"\n3,space\n');
    // Movie 999 is unknown, tag 9 is not in genome-tags, 1.2 is out of range, (1, 1) is repeated: the first row wins.
    expect(readFileSync(join(out, 'genome-scores.csv'), 'utf8')).toBe('movieId,tagId,relevance\n1,1,0.025\n1,2,0.5\n1,3,0.975\n3,3,0.8\n');
    expect(report.counts).toMatchObject({ genomeTags: 3, genomeScores: 4 });
    expect(report.files.genomeTags).toMatchObject({ read: 5, kept: 3, dropped: { malformed: 1, duplicate: 1 } });
    expect(report.files.genomeScores).toMatchObject({ read: 9, kept: 4, dropped: { malformed: 2, duplicate: 1, outOfRange: 1, unknownMovie: 1 } });
    expect(Object.keys(report.outputs)).toEqual(expect.arrayContaining(['genome-tags.csv', 'genome-scores.csv']));
  });

  it('when the source has no genome, then no genome file is written and the report has no genome counts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ingest-genome-'));
    mkdirSync(join(root, 'config'));
    for (const name of readdirSync(join(workspace, 'config'))) copyFileSync(join(workspace, 'config', name), join(root, 'config', name));
    const config = loadConfig({
      root,
      overrides: { dataset: { source: join(__dirname, '..', '__fixtures__', 'csv'), sampleSize: 10, dataset: 'ml-latest-small' } },
      env: { REELRANK_DATA_DIR: join(root, 'data') },
    });
    const report = await runIngest(config, { log: () => undefined });
    expect(report.counts.genomeTags).toBeUndefined();
    expect(Object.keys(report.outputs)).not.toContain('genome-scores.csv');
  });
});

describe('the synthetic generator with a planted genome', () => {
  it('when asked for genome tags, then it writes every movie x tag with relevance in (0, 1), varied, and ingest reads them all', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synthetic-genome-'));
    const plain = mkdtempSync(join(tmpdir(), 'synthetic-plain-'));
    const size = { users: 30, movies: 50, ratings: 900, seed: 5 };
    await generateSyntheticMovieLens({ ...size, dir, genomeTags: 6, log: () => undefined });
    await generateSyntheticMovieLens({ ...size, dir: plain, log: () => undefined });
    expect(readdirSync(plain)).not.toContain('genome-scores.csv');
    for (const name of ['ratings.csv', 'movies.csv', 'tags.csv']) expect(readFileSync(join(dir, name))).toEqual(readFileSync(join(plain, name)));
    const rows = readFileSync(join(dir, 'genome-scores.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    expect(rows).toHaveLength(50 * 6);
    const relevance = rows.map((r) => r[2]);
    expect(Math.min(...relevance)).toBeGreaterThan(0);
    expect(Math.max(...relevance)).toBeLessThan(1);
    expect(Math.max(...relevance) - Math.min(...relevance)).toBeGreaterThan(0.5);

    const root = mkdtempSync(join(tmpdir(), 'ingest-genome-'));
    mkdirSync(join(root, 'config'));
    for (const name of readdirSync(join(workspace, 'config'))) copyFileSync(join(workspace, 'config', name), join(root, 'config', name));
    const config = loadConfig({
      root,
      overrides: { dataset: { source: dir, sampleSize: 10, dataset: 'ml-latest-small' } },
      env: { REELRANK_DATA_DIR: join(root, 'data') },
    });
    const report = await runIngest(config, { log: () => undefined });
    expect(report.counts).toMatchObject({ genomeTags: 6, genomeScores: 300 });
  });
});
