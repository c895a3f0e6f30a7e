import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { generateSyntheticMovieLens } from '../lib/synthetic.js';

/**
 * Test data for every project's tests, built on the spot: no ../shared, no network. The ingest
 * stage's seeded synthetic generator writes a MOVIELENS_SOURCE folder in ml-latest-small's file
 * shapes (ratings.csv userId,movieId,rating,timestamp; movies.csv movieId,title,genres; links.csv;
 * tags.csv) with a planted low-rank model, so what the tests claim (MF beats the bias baseline,
 * a fold-in follows the rated genre, ...) is true by construction and the same on every machine.
 */
export interface GeneratedSourceOptions {
  users: number;
  movies: number;
  ratings: number;
  seed?: number;
  /** Rank of the planted structure (default 8). */
  factors?: number;
  /** Planted factors tied to genres (default true): a user's taste is a taste for genres. */
  genreAligned?: boolean;
  /** Genome tags planted (default none): genome-tags.csv and genome-scores.csv follow the planted factors. */
  genomeTags?: number;
}

const generated = new Map<string, Promise<string>>();

/** The data set name the stages derive from a generated folder (its folder name): data/generated.db, models/generated/. */
export const GENERATED_DATASET = 'generated';

/**
 * A folder named `generated` (so the stages store it as the `generated` data set) holding the
 * generated data set; generated once per options and process; treat it as read-only.
 */
export function generatedMovieLensSource(options: GeneratedSourceOptions): Promise<string> {
  const full = { seed: 42, factors: 8, genreAligned: true, ...options };
  const key = JSON.stringify(full);
  let folder = generated.get(key);
  if (!folder) {
    const dir = join(mkdtempSync(join(tmpdir(), 'reelrank-generated-')), GENERATED_DATASET);
    folder = generateSyntheticMovieLens({ dir, ...full }).then(() => dir);
    generated.set(key, folder);
  }
  return folder;
}

export interface CatalogueMovie {
  movieId: number;
  title: string;
  genres: string[];
  /** Ratings of the movie in ratings.csv. */
  ratings: number;
}

/** movies.csv of a source folder with each movie's rating count, most rated first (ties by id). */
export function readCatalogue(source: string): CatalogueMovie[] {
  const counts = new Map<number, number>();
  for (const [, movieId] of readRatings(source)) counts.set(movieId, (counts.get(movieId) ?? 0) + 1);
  const rows = Papa.parse<string[]>(readFileSync(join(source, 'movies.csv'), 'utf8').trim(), { skipEmptyLines: true }).data.slice(1);
  return rows
    .map(([id, title, genres]) => ({
      movieId: Number(id),
      title,
      genres: genres === '(no genres listed)' ? [] : genres.split('|'),
      ratings: counts.get(Number(id)) ?? 0,
    }))
    .sort((a, b) => b.ratings - a.ratings || a.movieId - b.movieId);
}

/** ratings.csv of a source folder as [userId, movieId, rating, timestamp] rows. */
export function readRatings(source: string): number[][] {
  return readFileSync(join(source, 'ratings.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map(Number));
}

/** A throwaway workspace root with the committed config files, for stages run in-process. */
export function tempWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'reelrank-root-'));
  cpSync(join(__dirname, '..', '..', '..', '..', 'config'), join(root, 'config'), { recursive: true });
  writeFileSync(join(root, 'nx.json'), '{}');
  mkdirSync(join(root, 'data'));
  return root;
}
