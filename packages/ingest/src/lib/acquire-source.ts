import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { hashFile, replaceDirAtomically, writeFileAtomic } from '@reelrank/artifacts';
import { getDataset } from './datasets.js';
import { downloadFile, type FetchLike } from './download.js';
import {
  DEFAULT_SYNTHETIC_FACTORS,
  DEFAULT_SYNTHETIC_SEED,
  generateSyntheticMovieLens,
  isSyntheticDataset,
  SYNTHETIC_DATASETS,
  SYNTHETIC_GENERATOR_VERSION,
  type SyntheticSize,
} from './synthetic.js';
import { extractZip } from './zip.js';
import { RATINGS_FILES, resolveSourceFolder } from './source-folder.js';

export { resolveSourceFolder };

/** The files ingest reads (plus READMEs, kept for the licence); everything else in a zip is skipped. */
export const RECOGNISED_FILES = [
  'ratings.csv',
  'movies.csv',
  'links.csv',
  'tags.csv',
  'genome-tags.csv',
  'genome-scores.csv',
  'ratings.dat',
  'movies.dat',
  'tags.dat',
  'u.data',
  'u.item',
] as const;

export function isRecognisedFile(name: string): boolean {
  return !name.includes('/') && ((RECOGNISED_FILES as readonly string[]).includes(name) || /^README/i.test(name));
}

export interface SourceInfo {
  dataset: string;
  kind: 'folder' | 'zip' | 'download' | 'synthetic';
  /** The folder or zip given as source, the downloaded zip's path, or a description of the generated set. */
  location: string;
  /** For kind 'synthetic': what the generator was asked for (a different request regenerates). */
  synthetic?: SyntheticParams;
  url?: string;
  zipSha256?: string;
  files: Record<string, { bytes: number; sha256: string }>;
}

export interface SyntheticParams extends SyntheticSize {
  factors: number;
  generator: number;
}

export interface AcquireOptions {
  dataset: string;
  /**
   * A local folder or zip; null downloads the named data set from GroupLens, or for the
   * `synthetic` data set generates it (see synthetic.ts).
   */
  source: string | null;
  /** Size and seed of a generated set (`synthetic`, `synthetic-small`, `synthetic-32m`; config `dataset.synthetic`): a null or missing size is the set's own shape, the seed 42 by default. */
  synthetic?: { [K in keyof SyntheticSize]?: number | null };
  rawDir: string;
  log?: (line: string) => void;
  fetchImpl?: FetchLike;
  retries?: number;
  retryDelayMs?: number;
}

async function describeFiles(dir: string): Promise<SourceInfo['files']> {
  const files: SourceInfo['files'] = {};
  for (const name of readdirSync(dir).sort()) {
    if (name === 'source.json') continue;
    files[name] = { bytes: statSync(join(dir, name)).size, sha256: await hashFile(join(dir, name)) };
  }
  return files;
}

function checkHasRatings(dir: string, origin: string): void {
  if (!RATINGS_FILES.some((name) => existsSync(join(dir, name)))) {
    throw new Error(`${origin} holds no MovieLens ratings file (one of ${RATINGS_FILES.join(', ')})`);
  }
}

function readSourceJson(rawDir: string): SourceInfo | null {
  try {
    return JSON.parse(readFileSync(join(rawDir, 'source.json'), 'utf8')) as SourceInfo;
  } catch {
    return null;
  }
}

/**
 * Puts the original files into `rawDir` (data/raw/<dataset>/) from a local folder, a local zip
 * or a verified GroupLens download, replacing the folder atomically, and records where they came
 * from in `rawDir/source.json` with each file's sha256.
 */
export async function acquireSource(options: AcquireOptions): Promise<SourceInfo> {
  const log = options.log ?? (() => {});
  const { dataset, rawDir } = options;
  const source = options.source ? resolve(options.source) : null;
  if (source && !existsSync(source)) throw new Error(`Source ${source} does not exist (check MOVIELENS_SOURCE)`);

  if (source && statSync(source).isDirectory()) {
    const folder = resolveSourceFolder(source);
    log(`[ingest] copying ${folder} -> ${rawDir}`);
    return replaceDirAtomically(rawDir, async (temp) => {
      for (const name of readdirSync(folder)) {
        if (!isRecognisedFile(name) || !statSync(join(folder, name)).isFile()) continue;
        copyFileSync(join(folder, name), join(temp, name));
        chmodSync(join(temp, name), 0o644); // copies of a read-only share stay removable on the next run
      }
      return finish(temp, { dataset, kind: 'folder', location: folder });
    });
  }

  if (!source && isSyntheticDataset(dataset)) return acquireSynthetic(dataset, rawDir, syntheticSize(dataset, options.synthetic), log);

  let zipPath: string;
  let info: Omit<SourceInfo, 'files'>;
  if (source) {
    zipPath = source;
    info = { dataset, kind: 'zip', location: source, zipSha256: await hashFile(source) };
  } else {
    const entry = getDataset(dataset);
    zipPath = join(dirname(rawDir), `${basename(rawDir)}.zip`);
    log(`[ingest] downloading ${entry.url}`);
    const result = await downloadFile({
      url: entry.url,
      dest: zipPath,
      expectedBytes: entry.bytes,
      sha256: entry.sha256,
      md5: entry.md5,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      onProgress: log,
      fetchImpl: options.fetchImpl,
    });
    info = { dataset, kind: 'download', location: zipPath, url: entry.url, zipSha256: result.sha256 };
    const previous = readSourceJson(rawDir);
    // Same verified zip as last time and its files still there: nothing to extract again.
    if (result.cached && previous?.zipSha256 === result.sha256 && Object.keys(previous.files).every((n) => existsSync(join(rawDir, n)))) {
      log(`[ingest] ${zipPath} already verified and extracted`);
      return previous;
    }
  }
  log(`[ingest] extracting ${zipPath} -> ${rawDir}`);
  return replaceDirAtomically(rawDir, async (temp) => {
    await extractZip(zipPath, temp, { filter: isRecognisedFile });
    return finish(temp, info);
  });
}

/** The size of generated set `dataset`: what was asked for, the set's own shape where nothing was. */
export function syntheticSize(dataset: string, asked: AcquireOptions['synthetic']): SyntheticSize {
  const shape = SYNTHETIC_DATASETS[dataset];
  return {
    ratings: asked?.ratings ?? shape.ratings,
    users: asked?.users ?? shape.users,
    movies: asked?.movies ?? shape.movies,
    seed: asked?.seed ?? DEFAULT_SYNTHETIC_SEED,
  };
}

function sameParams(a: SyntheticParams | undefined, b: SyntheticParams): boolean {
  return !!a && (Object.keys(b) as (keyof SyntheticParams)[]).every((key) => a[key] === b[key]);
}

/**
 * Generates the synthetic set into `rawDir` (atomically), unless the folder already holds one
 * generated with the same parameters whose files are all present at their recorded sizes.
 */
async function acquireSynthetic(dataset: string, rawDir: string, size: SyntheticSize, log: (line: string) => void): Promise<SourceInfo> {
  const params: SyntheticParams = { ...size, factors: DEFAULT_SYNTHETIC_FACTORS, generator: SYNTHETIC_GENERATOR_VERSION };
  const previous = readSourceJson(rawDir);
  const intact = (info: SourceInfo) =>
    Object.entries(info.files).every(([name, file]) => existsSync(join(rawDir, name)) && statSync(join(rawDir, name)).size === file.bytes);
  if (previous?.kind === 'synthetic' && sameParams(previous.synthetic, params) && intact(previous)) {
    log(`[ingest] ${rawDir} already holds the synthetic set (${previous.location})`);
    return previous;
  }
  const count = (n: number) => n.toLocaleString('en-US');
  const location = `generated: ${count(size.ratings)} ratings, ${count(size.users)} users, ${count(size.movies)} movies, seed ${size.seed}`;
  log(`[ingest] generating synthetic data (${location}) -> ${rawDir}`);
  return replaceDirAtomically(rawDir, async (temp) => {
    await generateSyntheticMovieLens({ dir: temp, ...size, factors: params.factors, log });
    return finish(temp, { dataset, kind: 'synthetic', location, synthetic: params });
  });
}

async function finish(temp: string, info: Omit<SourceInfo, 'files'>): Promise<SourceInfo> {
  checkHasRatings(temp, info.location);
  const full: SourceInfo = { ...info, files: await describeFiles(temp) };
  writeFileAtomic(join(temp, 'source.json'), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}
