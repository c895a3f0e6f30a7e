import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { hashFile } from '@reelrank/artifacts';
import { runIngest } from './run-ingest.js';
import { generateSyntheticMovieLens } from './synthetic.js';

const workspace = join(__dirname, '..', '..', '..', '..');
const fixtures = join(__dirname, '..', '__fixtures__');

/** A temp workspace root with the real config files, data under it, and the given source. */
function configFor(source: string, dataset = 'ml-latest-small', sampleSize = 500): AppConfig {
  const root = mkdtempSync(join(tmpdir(), 'ingest-run-'));
  mkdirSync(join(root, 'config'));
  for (const name of readdirSync(join(workspace, 'config'))) copyFileSync(join(workspace, 'config', name), join(root, 'config', name));
  return loadConfig({
    root,
    overrides: { dataset: { source, sampleSize, dataset: dataset as AppConfig['dataset']['dataset'] } },
    env: { REELRANK_DATA_DIR: join(root, 'data') },
  });
}

describe("runIngest on a generated MovieLens-shaped folder (ml-latest-small's files and CRLF line ends)", () => {
  // The ingest stage's own seeded generator, then rewritten with CRLF line ends like the real
  // ml-latest-small files; the real files are checked by `npm run test:data` (tests/data).
  const slice = mkdtempSync(join(tmpdir(), 'ml-slice-'));
  let sliceRows: string[][] = [];
  let movieLines: string[] = [];
  let tagCount = 0;

  beforeAll(async () => {
    const generated = mkdtempSync(join(tmpdir(), 'ml-generated-'));
    await generateSyntheticMovieLens({ dir: generated, ratings: 2000, users: 40, movies: 1500, seed: 11 });
    for (const name of ['ratings.csv', 'movies.csv', 'links.csv', 'tags.csv']) {
      const lines = readFileSync(join(generated, name), 'utf8').trimEnd().split('\n');
      // The generator leaves the year out of 0.2% of titles; the first movie loses it here, so a yearless title is always there.
      if (name === 'movies.csv') lines[1] = lines[1].replace(/ \(\d{4}\)("?),/, '$1,');
      writeFileSync(join(slice, name), `${lines.join('\r\n')}\r\n`);
      if (name === 'ratings.csv') sliceRows = lines.slice(1).map((line) => line.split(','));
      if (name === 'movies.csv') movieLines = lines.slice(1);
      if (name === 'tags.csv') tagCount = lines.length - 1;
    }
  });

  it('when run, then processed files follow the contract and report.json counts them', async () => {
    const config = configFor(slice);
    const log: string[] = [];
    const report = await runIngest(config, { log: (line) => log.push(line) });
    const out = config.paths.processedDir;
    expect(readdirSync(out).sort()).toEqual(['links.csv', 'movies.csv', 'ratings.csv', 'report.json', 'sample-ratings.csv', 'tags.csv']);
    expect(report.counts).toMatchObject({
      ratings: 2000,
      users: new Set(sliceRows.map((r) => r[0])).size,
      ratedMovies: new Set(sliceRows.map((r) => r[1])).size,
      movies: 1500,
      links: 1500,
      tags: tagCount,
      sample: 500,
    });
    expect(tagCount).toBeGreaterThan(0);
    expect(report.dropped).toEqual({ malformed: 0, duplicate: 0, outOfRange: 0, unknownMovie: 0 });

    const ratings = readFileSync(join(out, 'ratings.csv'), 'utf8').trimEnd().split('\n');
    expect(ratings[0]).toBe('userId,movieId,rating,timestamp');
    expect(ratings[1]).toBe(sliceRows[0].join(','));
    const keys = ratings.slice(1).map((l) => l.split(',').map(Number));
    expect(keys.every((k, i) => i === 0 || keys[i - 1][0] < k[0] || (keys[i - 1][0] === k[0] && keys[i - 1][1] < k[1]))).toBe(true);

    // Titles with a comma or quotes stay quoted, the year is parsed out, a title without a year has an empty year.
    const movies = readFileSync(join(out, 'movies.csv'), 'utf8').split('\n');
    expect(movies[0]).toBe('movieId,title,year,genres');
    const quoted = movieLines.find((line) => /^\d+,"[^"]*, [^"]*\((\d{4})\)",/.test(line))!;
    const [, id, title, year, genres] = /^(\d+),("[^"]*\((\d{4})\)"),(.*)$/.exec(quoted)!;
    expect(movies).toContain(`${id},${title},${year},${genres}`);
    const noYear = movieLines.find((line) => !/\(\d{4}\)"?,/.test(line))!;
    expect(noYear).toBeDefined();
    const [noYearId] = noYear.split(',');
    expect(movies.find((line) => line.startsWith(`${noYearId},`))).toMatch(/^\d+,.*[^)]"?,,[A-Za-z(]/);
    // imdb ids keep their leading zeros.
    const links = readFileSync(join(out, 'links.csv'), 'utf8').split('\n');
    expect(links[1]).toBe(readFileSync(join(slice, 'links.csv'), 'utf8').split('\r\n')[1]);
    expect(links[1]).toMatch(/^\d+,\d{7},\d*$/);

    expect(report.dataHash).toBe(await hashFile(join(out, 'ratings.csv')));
    for (const [name, { sha256 }] of Object.entries(report.outputs)) expect(await hashFile(join(out, name))).toBe(sha256);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(report);
    expect(readFileSync(join(config.paths.rawDir, 'source.json'), 'utf8')).toContain('"kind": "folder"');
    expect(log.some((l) => /\[ingest ratings\] 2,000 rows parsed/.test(l))).toBe(true);
    expect(log.at(-1)).toMatch(/^\[ingest\] ml-latest-small from folder .*: 2,000 ratings by \d+ users/);
  });

  it('when run twice on the same input, then every output byte is the same', async () => {
    const first = await runIngest(configFor(slice), { log: () => {} });
    const second = await runIngest(configFor(slice), { log: () => {} });
    expect(second.outputs).toEqual(first.outputs);
  });

  it('when the source ratings.csv already is in the processed form, then it is kept byte for byte and hashes as the rewritten one', async () => {
    // The CRLF slice is rewritten row by row; the same rows with LF endings are the processed form itself.
    const rewritten = configFor(slice);
    const logs: string[] = [];
    const fromCrlf = await runIngest(rewritten, { log: (line) => logs.push(`crlf ${line}`) });
    const lf = mkdtempSync(join(tmpdir(), 'ml-slice-lf-'));
    for (const name of ['ratings.csv', 'movies.csv', 'links.csv', 'tags.csv']) {
      writeFileSync(join(lf, name), readFileSync(join(slice, name), 'utf8').replace(/\r\n/g, '\n'));
    }
    const kept = configFor(lf);
    const fromLf = await runIngest(kept, { log: (line) => logs.push(`lf ${line}`) });
    expect(logs.filter((line) => line.includes('already in the processed form'))).toEqual([
      'lf [ingest] ratings.csv is already in the processed form: copied as it is',
    ]);
    const processed = readFileSync(join(kept.paths.processedDir, 'ratings.csv'));
    expect(processed.equals(readFileSync(join(lf, 'ratings.csv')))).toBe(true);
    expect(processed.equals(readFileSync(join(rewritten.paths.processedDir, 'ratings.csv')))).toBe(true);
    expect(fromLf.dataHash).toBe(fromCrlf.dataHash);
    expect(fromLf.dataHash).toBe(await hashFile(join(lf, 'ratings.csv')));
  });
});

describe('runIngest on each MovieLens format', () => {
  it('when the csv fixture has duplicates, bad ratings and unknown movies, then the report counts each per file', async () => {
    const report = await runIngest(configFor(join(fixtures, 'csv')), { log: () => {} });
    expect(report.files.ratings).toEqual({
      file: 'ratings.csv',
      read: 12,
      kept: 5,
      dropped: { malformed: 3, duplicate: 2, outOfRange: 1, unknownMovie: 1 },
    });
    expect(report.files.movies).toMatchObject({ read: 7, kept: 6, dropped: { malformed: 1 } });
    expect(report.files.links).toMatchObject({ read: 5, kept: 3, dropped: { malformed: 1, unknownMovie: 1 } });
    expect(report.files.tags).toMatchObject({ read: 4, kept: 2, dropped: { malformed: 1, unknownMovie: 1 } });
    expect(report.dropped).toEqual({ malformed: 6, duplicate: 2, outOfRange: 1, unknownMovie: 3 });
  });

  it('when the source is ml-1m style .dat files, then latin-1 titles come out as UTF-8', async () => {
    const config = configFor(join(fixtures, 'dat'), 'ml-1m');
    const report = await runIngest(config, { log: () => {} });
    expect(report).toMatchObject({ format: 'dat', counts: { ratings: 3, users: 2, movies: 4, links: null, tags: 2 } });
    expect(report.files.ratings.dropped).toMatchObject({ malformed: 1, outOfRange: 1 });
    expect(readFileSync(join(config.paths.processedDir, 'movies.csv'), 'utf8')).toContain(
      '3,"Cité des enfants perdus, La (1995)",1995,Adventure|Sci-Fi',
    );
  });

  it('when the source is ml-100k style u.data/u.item, then genres come from the flags', async () => {
    const config = configFor(join(fixtures, '100k'), 'ml-100k');
    const report = await runIngest(config, { log: () => {} });
    expect(report).toMatchObject({ format: '100k', counts: { ratings: 5, users: 4, movies: 5, tags: null } });
    expect(readFileSync(join(config.paths.processedDir, 'movies.csv'), 'utf8')).toContain(
      '302,L.A. Confidential (1997),1997,Crime|Film-Noir|Mystery|Thriller',
    );
  });

  it('when no rating is valid, then it fails clearly and the earlier processed folder is kept', async () => {
    const config = configFor(join(fixtures, 'csv'));
    await runIngest(config, { log: () => {} });
    const before = readFileSync(join(config.paths.processedDir, 'report.json'), 'utf8');
    const bad = mkdtempSync(join(tmpdir(), 'bad-'));
    writeFileSync(join(bad, 'ratings.csv'), 'userId,movieId,rating,timestamp\nx,1,NaN,1\n');
    copyFileSync(join(fixtures, 'csv', 'movies.csv'), join(bad, 'movies.csv'));
    await expect(runIngest({ ...config, dataset: { ...config.dataset, source: bad } }, { log: () => {} })).rejects.toThrow(/no valid ratings/);
    expect(readFileSync(join(config.paths.processedDir, 'report.json'), 'utf8')).toBe(before);
  });

  it('when offline with no source, then the error says how to use a local copy', async () => {
    const config = configFor(join(fixtures, 'csv'));
    const offline = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
    };
    await expect(
      runIngest({ ...config, dataset: { ...config.dataset, source: null } }, { log: () => {}, fetchImpl: offline, retries: 0 }),
    ).rejects.toThrow(/Cannot reach files\.grouplens\.org.*MOVIELENS_SOURCE=\/path\/to\/ml-latest-small npm start/);
  });
});
