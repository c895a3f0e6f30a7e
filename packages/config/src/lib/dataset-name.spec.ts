import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetNameFromSource } from './dataset-name.js';
import { ConfigError, loadConfig } from './load-config.js';

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A folder holding a ratings file, as a local source has. */
function sourceFolder(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,1\n');
  return dir;
}

describe('datasetNameFromSource', () => {
  it('when the source is a zip, then the name is the zip name without .zip', () => {
    expect(datasetNameFromSource('/data/downloads/ml-1m.zip')).toBe('ml-1m');
    expect(datasetNameFromSource('/data/downloads/ML-20M.ZIP')).toBe('ML-20M');
  });

  it('when the source is a folder of files, then the name is the folder name (a trailing slash is ignored)', () => {
    const dir = sourceFolder(tempDir('name-'), 'ratings-20m');
    expect(datasetNameFromSource(dir)).toBe('ratings-20m');
    expect(datasetNameFromSource(`${dir}/`)).toBe('ratings-20m');
  });

  it('when the folder only wraps one sub-folder holding the files, then the sub-folder names the set', () => {
    const parent = join(tempDir('name-'), 'download');
    sourceFolder(parent, 'ml-latest-small');
    expect(datasetNameFromSource(parent)).toBe('ml-latest-small');
  });

  it('when the name has characters a file name should not, then they become dashes', () => {
    expect(datasetNameFromSource('/x/My Ratings (2024).zip')).toBe('My-Ratings-2024');
    expect(datasetNameFromSource('/x/((()))')).toBe('local');
  });
});

describe('loadConfig data set name', () => {
  const root = () => {
    const dir = tempDir('config-name-');
    cpSync(join(__dirname, '../../../../config'), join(dir, 'config'), { recursive: true });
    return dir;
  };

  it('when MOVIELENS_SOURCE is given and no data set is named, then the source names it and its paths', () => {
    const dir = root();
    const source = sourceFolder(tempDir('src-'), 'big-20m');
    const config = loadConfig({ root: dir, env: { MOVIELENS_SOURCE: source } });
    expect(config.dataset.dataset).toBe('big-20m');
    expect(config.paths.dbPath).toBe(join(dir, 'data', 'big-20m.db'));
    expect(config.paths.modelDir).toBe(join(dir, 'models', 'big-20m'));
  });

  it('when a data set is named, then the name wins over the source; with neither, ml-latest-small is downloaded', () => {
    const dir = root();
    const source = sourceFolder(tempDir('src-'), 'big-20m');
    expect(loadConfig({ root: dir, env: { MOVIELENS_SOURCE: source, REELRANK_DATASET: 'ml-20m' } }).dataset.dataset).toBe('ml-20m');
    expect(loadConfig({ root: dir, env: {} }).dataset).toMatchObject({ dataset: 'ml-latest-small', source: null });
  });

  it('when the named data set is not a safe file name, then loading fails naming REELRANK_DATASET', () => {
    expect(() => loadConfig({ root: root(), env: { REELRANK_DATASET: '../../etc' } })).toThrow(ConfigError);
    expect(() => loadConfig({ root: root(), env: { REELRANK_DATASET: '../../etc' } })).toThrow(/"dataset" \(env REELRANK_DATASET\)/);
  });
});
