import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@reelrank/artifacts';
import { makeZip } from '../__fixtures__/make-zip.js';
import { acquireSource, isRecognisedFile } from './acquire-source.js';
import { commonTopFolder } from './zip.js';

const ratings = 'userId,movieId,rating,timestamp\r\n1,1,4.0,1\r\n';
const movies = 'movieId,title,genres\r\n1,Toy Story (1995),Comedy\r\n';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'acquire-'));
});

describe('acquireSource', () => {
  it('when the source is a folder, then only the recognised files are copied and source.json records their sha256', async () => {
    const src = join(dir, 'ml-small');
    mkdirSync(src);
    writeFileSync(join(src, 'ratings.csv'), ratings);
    writeFileSync(join(src, 'movies.csv'), movies);
    writeFileSync(join(src, 'README.txt'), 'licence');
    writeFileSync(join(src, 'tag-relevance.csv'), 'big and unused');
    const rawDir = join(dir, 'data', 'raw', 'ml-small');
    const info = await acquireSource({ dataset: 'ml-latest-small', source: src, rawDir });
    expect(readdirSync(rawDir).sort()).toEqual(['README.txt', 'movies.csv', 'ratings.csv', 'source.json']);
    expect(info).toMatchObject({ kind: 'folder', location: src });
    expect(info.files['ratings.csv']).toEqual({ bytes: ratings.length, sha256: sha256(ratings) });
    expect(JSON.parse(readFileSync(join(rawDir, 'source.json'), 'utf8'))).toEqual(info);
  });

  it('when the folder given is the parent of the unzipped set, then its single sub-folder is used', async () => {
    mkdirSync(join(dir, 'downloads', 'ml-latest-small'), { recursive: true });
    writeFileSync(join(dir, 'downloads', 'ml-latest-small', 'ratings.csv'), ratings);
    const info = await acquireSource({ dataset: 'ml-latest-small', source: join(dir, 'downloads'), rawDir: join(dir, 'raw') });
    expect(info.location).toBe(join(dir, 'downloads', 'ml-latest-small'));
  });

  it('when the source is a zip with a top folder, then the recognised files are extracted flat', async () => {
    const zip = join(dir, 'ml-x.zip');
    writeFileSync(
      zip,
      makeZip({ 'ml-x/ratings.csv': ratings, 'ml-x/movies.csv': movies, 'ml-x/u1.base': 'skip', '__MACOSX/ml-x/._ratings.csv': 'junk' }),
    );
    const rawDir = join(dir, 'raw');
    const info = await acquireSource({ dataset: 'ml-latest-small', source: zip, rawDir });
    expect(readdirSync(rawDir).sort()).toEqual(['movies.csv', 'ratings.csv', 'source.json']);
    expect(readFileSync(join(rawDir, 'ratings.csv'), 'utf8')).toBe(ratings);
    expect(info).toMatchObject({ kind: 'zip', zipSha256: sha256(readFileSync(zip)) });
  });

  it('when the zip holds no ratings file, then it fails and the earlier raw folder stays as it was', async () => {
    const rawDir = join(dir, 'raw');
    mkdirSync(rawDir);
    writeFileSync(join(rawDir, 'ratings.csv'), 'old');
    const zip = join(dir, 'empty.zip');
    writeFileSync(zip, makeZip({ 'x/movies.csv': movies }));
    await expect(acquireSource({ dataset: 'ml-latest-small', source: zip, rawDir })).rejects.toThrow(/holds no MovieLens ratings file/);
    expect(readFileSync(join(rawDir, 'ratings.csv'), 'utf8')).toBe('old');
  });

  it('when a zip entry escapes the target folder, then extraction is refused', async () => {
    const zip = join(dir, 'evil.zip');
    writeFileSync(zip, makeZip({ 'ratings.csv': ratings, '../evil.csv': 'x' }));
    await expect(acquireSource({ dataset: 'ml-latest-small', source: zip, rawDir: join(dir, 'raw') })).rejects.toThrow(
      /Unsafe path|invalid relative path/,
    ); // yauzl refuses it first
    expect(existsSync(join(dir, 'evil.csv'))).toBe(false);
  });

  it('when the source does not exist, then the error names it and MOVIELENS_SOURCE', async () => {
    await expect(acquireSource({ dataset: 'ml-latest-small', source: join(dir, 'nope'), rawDir: join(dir, 'raw') })).rejects.toThrow(
      /nope does not exist \(check MOVIELENS_SOURCE\)/,
    );
  });

  it('when no source is given, then the named set is downloaded next to rawDir and extracted', async () => {
    const zipBytes = makeZip({ 'ml-latest/ratings.csv': ratings, 'ml-latest/movies.csv': movies });
    const urls: string[] = [];
    const fetchImpl = async (url: string) => {
      urls.push(url);
      return new Response(new Uint8Array(zipBytes), { status: 200, headers: { 'content-length': String(zipBytes.length) } });
    };
    const rawDir = join(dir, 'data', 'raw', 'ml-latest');
    const info = await acquireSource({ dataset: 'ml-latest', source: null, rawDir, fetchImpl });
    expect(urls).toEqual(['https://files.grouplens.org/datasets/movielens/ml-latest.zip']);
    expect(info).toMatchObject({ kind: 'download', url: urls[0], location: join(dir, 'data', 'raw', 'ml-latest.zip') });
    expect(readFileSync(join(rawDir, 'movies.csv'), 'utf8')).toBe(movies);
  });
});

describe('commonTopFolder / isRecognisedFile', () => {
  it('when every entry shares one folder, then it is the prefix to strip; otherwise nothing is stripped', () => {
    expect(commonTopFolder(['ml-1m/', 'ml-1m/ratings.dat', 'ml-1m/movies.dat', '__MACOSX/ml-1m/._x'])).toBe('ml-1m/');
    expect(commonTopFolder(['ratings.csv', 'ml/movies.csv'])).toBe('');
  });

  it('when names are MovieLens data files or READMEs, then they are recognised', () => {
    expect(['u.data', 'u.item', 'ratings.dat', 'tags.csv', 'genome-tags.csv', 'genome-scores.csv', 'README.html'].every(isRecognisedFile)).toBe(true);
    expect(['u1.base', 'sub/ratings.csv', 'sub/genome-tags.csv'].some(isRecognisedFile)).toBe(false);
  });
});
