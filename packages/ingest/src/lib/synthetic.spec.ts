import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { streamDistance } from '@reelrank/random';
import { acquireSource, syntheticSize } from './acquire-source.js';
import { cleanLinks, cleanMovies, cleanRatings, cleanTags, movieIdTable } from './clean.js';
import { parseLinksFile } from './parse-links.js';
import { parseMoviesFile } from './parse-movies.js';
import { parseRatingsFile } from '@reelrank/csv';
import { parseTagsFile } from './parse-tags.js';
import { runIngest } from './run-ingest.js';
import {
  generateSyntheticMovieLens,
  ML20M_SHAPE,
  ML_LATEST_SMALL_SHAPE,
  MOVIELENS_GENRES,
  DEFAULT_SYNTHETIC_SEED,
  SYNTHETIC_STREAMS,
  syntheticStreamSeed,
  type SyntheticResult,
} from './synthetic.js';

const SMALL = { ratings: 5000, users: 200, movies: 300 };
const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const files = ['links.csv', 'movies.csv', 'ratings.csv', 'tags.csv', 'README.txt'];

function ratingRows(dir: string): number[][] {
  const lines = readFileSync(join(dir, 'ratings.csv'), 'utf8').trimEnd().split('\n');
  expect(lines[0]).toBe('userId,movieId,rating,timestamp');
  return lines.slice(1).map((line) => line.split(',').map(Number));
}

function correlation(xs: number[], ys: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i += 1) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('generateSyntheticMovieLens', () => {
  const dir = tempDir('synthetic-');
  let result: SyntheticResult;
  let rows: number[][];
  beforeAll(async () => {
    result = await generateSyntheticMovieLens({ dir, ...SMALL, seed: 7 });
    rows = ratingRows(dir);
  });

  it('when generated, then it writes the ml-20m files with exactly the asked number of ratings', () => {
    expect(readdirSync(dir).sort()).toEqual([...files].sort());
    expect(rows).toHaveLength(SMALL.ratings);
    expect(result).toMatchObject({ ...SMALL, seed: 7, factors: 8 });
    expect(readFileSync(join(dir, 'movies.csv'), 'utf8').split('\n')[0]).toBe('movieId,title,genres');
    expect(readFileSync(join(dir, 'links.csv'), 'utf8').split('\n')[0]).toBe('movieId,imdbId,tmdbId');
    expect(readFileSync(join(dir, 'tags.csv'), 'utf8').split('\n')[0]).toBe('userId,movieId,tag,timestamp');
  });

  it('when read back, then ratings are sorted by user then movie with no repeated pair', () => {
    for (let i = 1; i < rows.length; i += 1) {
      const [u0, m0] = rows[i - 1];
      const [u1, m1] = rows[i];
      expect(u1 > u0 || (u1 === u0 && m1 > m0)).toBe(true);
    }
  });

  it('when read back, then every user has at least 20 ratings, half stars 0.5..5 and 1995..2015 timestamps', () => {
    const perUser = new Map<number, number>();
    for (const [user, , rating, timestamp] of rows) {
      perUser.set(user, (perUser.get(user) ?? 0) + 1);
      expect(rating * 2).toBe(Math.round(rating * 2));
      expect(rating).toBeGreaterThanOrEqual(0.5);
      expect(rating).toBeLessThanOrEqual(5);
      expect(timestamp).toBeGreaterThanOrEqual(Date.UTC(1995, 0, 1) / 1000);
      expect(timestamp).toBeLessThan(Date.UTC(2015, 4, 1) / 1000);
    }
    expect([...perUser.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: SMALL.users }, (_, u) => u + 1));
    expect(Math.min(...perUser.values())).toBe(20);
    expect(result.minRatingsPerUser).toBe(20);
    // Power law: the most active user rates several times what the median user does.
    const counts = [...perUser.values()].sort((a, b) => a - b);
    expect(counts[counts.length - 1]).toBeGreaterThan(3 * counts[counts.length >> 1]);
  });

  it('when movies are counted, then popularity is heavy-tailed', () => {
    const perMovie = new Map<number, number>();
    for (const [, movie] of rows) perMovie.set(movie, (perMovie.get(movie) ?? 0) + 1);
    const counts = [...perMovie.values()].sort((a, b) => b - a);
    const top10 = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(top10 / rows.length).toBeGreaterThan(0.15); // 10 of 300 movies (3%) hold well over 15% of ratings
  });

  it('when parsed and cleaned by ingest, then nothing is malformed or dropped', async () => {
    const movies = await parseMoviesFile(join(dir, 'movies.csv'));
    const cleanedMovies = cleanMovies(movies);
    const known = movieIdTable(cleanedMovies.movies);
    const ratings = cleanRatings(await parseRatingsFile(join(dir, 'ratings.csv')), known);
    const links = cleanLinks(await parseLinksFile(join(dir, 'links.csv')), known);
    const tags = cleanTags(await parseTagsFile(join(dir, 'tags.csv')), known);
    for (const counts of [cleanedMovies.counts, ratings.counts, links.counts, tags.counts]) {
      expect(counts.dropped).toEqual({ malformed: 0, duplicate: 0, outOfRange: 0, unknownMovie: 0 });
      expect(counts.kept).toBe(counts.read);
    }
    expect(ratings.counts.kept).toBe(SMALL.ratings);
    expect(cleanedMovies.movies).toHaveLength(SMALL.movies);
    expect(links.counts.kept).toBe(SMALL.movies);
    expect(tags.counts.kept).toBe(result.tags);
    // Titles exercise csv quoting and the "(year)" suffix; genres come from MovieLens' list.
    const titles = cleanedMovies.movies.map((m) => m.title);
    expect(titles.some((t) => t.includes(','))).toBe(true);
    expect(titles.some((t) => t.includes('"'))).toBe(true);
    expect(cleanedMovies.movies.filter((m) => m.year !== null).length).toBeGreaterThan(0.95 * SMALL.movies);
    const genres = new Set<string>(MOVIELENS_GENRES);
    expect(cleanedMovies.movies.every((m) => m.genres.every((g) => genres.has(g)))).toBe(true);
    expect(readFileSync(join(dir, 'links.csv'), 'utf8').split('\n')[1]).toMatch(/^\d+,\d{7},\d*$/);
  });

  it('when generated twice with the same seed, then the files are byte-identical; another seed differs', async () => {
    const again = tempDir('synthetic-again-');
    const other = tempDir('synthetic-other-');
    await generateSyntheticMovieLens({ dir: again, ...SMALL, seed: 7 });
    await generateSyntheticMovieLens({ dir: other, ...SMALL, seed: 8 });
    for (const name of files) expect(readFileSync(join(again, name)).equals(readFileSync(join(dir, name)))).toBe(true);
    expect(readFileSync(join(other, 'ratings.csv')).equals(readFileSync(join(dir, 'ratings.csv')))).toBe(false);
    expect(ratingRows(other)).toHaveLength(SMALL.ratings);
  });

  it('when ratings are averaged per movie, then the means follow the planted movie biases', async () => {
    const big = tempDir('synthetic-planted-');
    const planted = await generateSyntheticMovieLens({ dir: big, ratings: 60_000, users: 600, movies: 200, seed: 3 });
    const sums = new Map<number, [number, number]>();
    for (const [, movie, rating] of ratingRows(big)) {
      const entry = sums.get(movie) ?? [0, 0];
      entry[0] += rating;
      entry[1] += 1;
      sums.set(movie, entry);
    }
    const means: number[] = [];
    const biases: number[] = [];
    planted.planted.movieIds.forEach((movieId, i) => {
      const entry = sums.get(movieId);
      if (!entry || entry[1] < 30) return;
      means.push(entry[0] / entry[1]);
      biases.push(planted.planted.movieBias[i]);
    });
    expect(means.length).toBeGreaterThan(50);
    expect(correlation(means, biases)).toBeGreaterThan(0.8);
  });

  it("when genreAligned is asked for, then the catalogue is the same, and a user's taste for a genre is consistent across its movies", async () => {
    const size = { ratings: 40_000, users: 400, movies: 200, factors: 4, seed: 5 };
    const plain = tempDir('synthetic-plain-');
    const aligned = tempDir('synthetic-aligned-');
    const plainResult = await generateSyntheticMovieLens({ dir: plain, ...size });
    const alignedResult = await generateSyntheticMovieLens({ dir: aligned, ...size, genreAligned: true });
    expect(plainResult.planted.genreFactors).toEqual([]);
    expect(alignedResult.planted.genreFactors).toEqual(['Drama', 'Comedy', 'Action', 'Thriller']);
    for (const name of ['movies.csv', 'links.csv']) expect(readFileSync(join(aligned, name)).equals(readFileSync(join(plain, name)))).toBe(true);
    expect(readFileSync(join(aligned, 'README.txt'), 'utf8')).toContain('genreAligned=true');
    expect(readFileSync(join(plain, 'README.txt'), 'utf8')).not.toContain('genreAligned');

    // Per user: the mean residual (rating - movie mean - the user's mean residual) on Comedy movies
    // with even ids vs. odd ids. Genre-aligned factors make the halves agree (0.78 here); plain factors
    // are independent of genres, so the halves do not (-0.39 here; below 0 in general, as each half is
    // measured against the user's mean, which holds the other half: -0.54 to 0.02 over seeds 5-12).
    const comedies = new Set(
      readFileSync(join(plain, 'movies.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .filter((line) => /[,|]Comedy(\||$)/.test(line))
        .map((line) => Number(line.split(',')[0])),
    );
    const halvesAgree = (dir: string) => {
      const rows = ratingRows(dir);
      const movieMean = new Map<number, [number, number]>();
      for (const [, movie, rating] of rows) {
        const e = movieMean.get(movie) ?? [0, 0];
        movieMean.set(movie, [e[0] + rating, e[1] + 1]);
      }
      const residual = (movie: number, rating: number) => rating - movieMean.get(movie)![0] / movieMean.get(movie)![1];
      const userMean = new Map<number, [number, number]>();
      for (const [user, movie, rating] of rows) {
        const e = userMean.get(user) ?? [0, 0];
        userMean.set(user, [e[0] + residual(movie, rating), e[1] + 1]);
      }
      const halves = new Map<number, number[]>(); // user -> [sumEven, nEven, sumOdd, nOdd]
      for (const [user, movie, rating] of rows) {
        if (!comedies.has(movie)) continue;
        const [sum, n] = userMean.get(user)!;
        const h = halves.get(user) ?? [0, 0, 0, 0];
        const at = movie % 2 === 0 ? 0 : 2;
        h[at] += residual(movie, rating) - sum / n;
        h[at + 1] += 1;
        halves.set(user, h);
      }
      const usable = [...halves.values()].filter((h) => h[1] >= 5 && h[3] >= 5);
      expect(usable.length).toBeGreaterThan(100);
      return correlation(
        usable.map((h) => h[0] / h[1]),
        usable.map((h) => h[2] / h[3]),
      );
    };
    const alignedAgreement = halvesAgree(aligned);
    const plainAgreement = halvesAgree(plain);
    expect(alignedAgreement).toBeGreaterThan(0.5);
    expect(plainAgreement).toBeLessThan(0.25);
  });

  it('when the sizes are impossible, then it fails with a clear message', async () => {
    await expect(generateSyntheticMovieLens({ dir: tempDir('synthetic-bad-'), ratings: 10, users: 20, movies: 5 })).rejects.toThrow(
      /each of 20 users/,
    );
    await expect(generateSyntheticMovieLens({ dir: tempDir('synthetic-bad-'), ratings: 101, users: 10, movies: 10 })).rejects.toThrow(/exceed/);
  });

  it('when users must rate most of the catalogue, then heavy users still get distinct movies', async () => {
    const dense = tempDir('synthetic-dense-');
    await generateSyntheticMovieLens({ dir: dense, ratings: 1900, users: 20, movies: 100, seed: 1 });
    const dense_rows = ratingRows(dense);
    expect(dense_rows).toHaveLength(1900);
    expect(new Set(dense_rows.map(([u, m]) => `${u}:${m}`)).size).toBe(1900);
  });
});

describe("the generator's random streams", () => {
  it('when the default seed is used, then its streams are further apart on the one cycle than a 20M-rating set draws', () => {
    // Measured: ml-20m's shape at seed 42 takes 121,498,501 draws in all (users 120,299,787); a pair of
    // streams closer than that could repeat each other's numbers.
    for (const a of SYNTHETIC_STREAMS) {
      for (const b of SYNTHETIC_STREAMS) {
        if (a !== b)
          expect(streamDistance(syntheticStreamSeed(DEFAULT_SYNTHETIC_SEED, a), syntheticStreamSeed(DEFAULT_SYNTHETIC_SEED, b))).toBeGreaterThan(
            121_498_501,
          );
      }
    }
  });
});

describe('the synthetic size in the config (REELRANK_SYNTHETIC_*)', () => {
  it("when nothing is set, then the size is the data set's own shape (null) with seed 42", () => {
    expect(loadConfig({ env: {} }).dataset.synthetic).toEqual({ ratings: null, users: null, movies: null, seed: DEFAULT_SYNTHETIC_SEED });
  });

  it('when a size is null, then each generated data set has its own shape: ml-20m for synthetic, ml-latest-small for synthetic-small, ml-32m for synthetic-32m', () => {
    const unset = { ratings: null, users: null, movies: null, seed: null };
    expect(syntheticSize('synthetic', unset)).toEqual({ ...ML20M_SHAPE, seed: DEFAULT_SYNTHETIC_SEED });
    expect(syntheticSize('synthetic-small', unset)).toEqual({ ...ML_LATEST_SMALL_SHAPE, seed: DEFAULT_SYNTHETIC_SEED });
    expect(ML_LATEST_SMALL_SHAPE).toEqual({ ratings: 100_836, users: 610, movies: 9_742 });
    expect(syntheticSize('synthetic-32m', unset)).toEqual({ ratings: 32_000_204, users: 200_948, movies: 87_585, seed: DEFAULT_SYNTHETIC_SEED });
    expect(syntheticSize('synthetic-small', { ...unset, ratings: 5000, seed: 7 })).toEqual({ ratings: 5000, users: 610, movies: 9_742, seed: 7 });
  });

  it('when variables are set, then they are read (separators allowed) and bad ones name the variable', () => {
    const env = {
      REELRANK_SYNTHETIC_RATINGS: '1_000_000',
      REELRANK_SYNTHETIC_USERS: '5,000',
      REELRANK_SYNTHETIC_MOVIES: '900',
      REELRANK_SYNTHETIC_SEED: '0',
    };
    expect(loadConfig({ env }).dataset.synthetic).toEqual({ ratings: 1_000_000, users: 5000, movies: 900, seed: 0 });
    expect(() => loadConfig({ env: { REELRANK_SYNTHETIC_USERS: 'many' } })).toThrow(/env REELRANK_SYNTHETIC_USERS/);
    expect(() => loadConfig({ env: { REELRANK_SYNTHETIC_MOVIES: '0' } })).toThrow(/env REELRANK_SYNTHETIC_MOVIES/);
  });
});

describe('the synthetic data set in the ingest stage', () => {
  it('when acquired without a source, then it is generated into the raw folder once per size and seed', async () => {
    const rawDir = join(tempDir('acquire-synthetic-'), 'raw', 'synthetic');
    const lines: string[] = [];
    const info = await acquireSource({ dataset: 'synthetic', source: null, rawDir, synthetic: { ...SMALL, seed: 1 }, log: (l) => lines.push(l) });
    expect(info).toMatchObject({ kind: 'synthetic', synthetic: { ...SMALL, seed: 1 } });
    expect(readdirSync(rawDir).sort()).toEqual([...files, 'source.json'].sort());
    expect(info.files['ratings.csv'].bytes).toBe(statSync(join(rawDir, 'ratings.csv')).size);
    const again = await acquireSource({ dataset: 'synthetic', source: null, rawDir, synthetic: { ...SMALL, seed: 1 }, log: (l) => lines.push(l) });
    expect(again).toEqual(info);
    expect(lines.some((l) => l.includes('already holds the synthetic set'))).toBe(true);
    const reseeded = await acquireSource({ dataset: 'synthetic', source: null, rawDir, synthetic: { ...SMALL, seed: 2 } });
    expect(reseeded.files['ratings.csv'].sha256).not.toBe(info.files['ratings.csv'].sha256);
  });

  it('when runIngest runs the synthetic data set, then processed files are written with nothing dropped', async () => {
    const workspace = join(__dirname, '..', '..', '..', '..');
    const root = tempDir('ingest-synthetic-');
    mkdirSync(join(root, 'config'));
    for (const name of readdirSync(join(workspace, 'config'))) copyFileSync(join(workspace, 'config', name), join(root, 'config', name));
    const config: AppConfig = loadConfig({
      root,
      overrides: { dataset: { dataset: 'synthetic', source: null, sampleSize: 1000 } },
      env: { REELRANK_DATA_DIR: join(root, 'data') },
    });
    const report = await runIngest(config, { log: () => {}, synthetic: { ...SMALL, seed: 3 } });
    expect(report.source.kind).toBe('synthetic');
    expect(report.counts).toMatchObject({ ratings: SMALL.ratings, users: SMALL.users, movies: SMALL.movies, links: SMALL.movies, sample: 1000 });
    expect(report.dropped).toEqual({ malformed: 0, duplicate: 0, outOfRange: 0, unknownMovie: 0 });
    expect(readFileSync(join(config.paths.rawDir, 'ratings.csv'))).toEqual(readFileSync(join(config.paths.processedDir, 'ratings.csv')));
  });
});
