import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed, SeededRandom } from '@reelrank/random';
import { ByteWriter } from './byte-writer.js';
import { csvField, makeGenres, makeTitle, MOVIELENS_GENRES } from './synthetic-catalogue.js';

export { MOVIELENS_GENRES };
import { AliasTable, selectSmallest, userActivity } from './synthetic-sampling.js';

/**
 * A seeded generator of MovieLens-shaped data (the ml-20m file formats) with a planted low-rank
 * structure, for load tests and for checking that training recovers what was planted.
 *
 * - users: power-law activity (Pareto weights), every user has at least 20 ratings (like ml-20m);
 * - movies: power-law popularity (weight (rank + c)^-2 over a random popularity order);
 * - rating = mu + b_user + b_movie + p_user . q_movie + N(0, noise^2), rounded to half stars, clipped to 0.5..5;
 * - timestamps 1995-01-09 .. 2015-03-31, each user active over a window;
 * - ratings.csv sorted by userId then movieId, no repeated (user, movie) pair; tags.csv in the same order.
 *
 * Deterministic: @reelrank/random's one generator (mulberry32, never Math.random), one stream per
 * purpose seeded by deriveSeed, so the same options always give byte-identical files. Streams its output through a bounded buffer, so memory
 * does not grow with the number of ratings.
 *
 * generateSyntheticMovieLens is one pass (catalogue, popularity,
 * planted factors, users, tags) whose order defines the output bytes; it reads best whole. The
 * catalogue words and the sampling helpers live in synthetic-catalogue.ts and synthetic-sampling.ts.
 */

/** ml-20m's size: the default of the generator and of the `synthetic` data set. */
export const ML20M_SHAPE = Object.freeze({ ratings: 20_000_263, users: 138_493, movies: 26_744 });
/** ml-latest-small's size: the `synthetic-small` data set, a demo that needs no download. */
export const ML_LATEST_SMALL_SHAPE = Object.freeze({ ratings: 100_836, users: 610, movies: 9_742 });
/** ml-32m's size: the `synthetic-32m` data set, the largest MovieLens release in its shape. */
export const ML32M_SHAPE = Object.freeze({ ratings: 32_000_204, users: 200_948, movies: 87_585 });
/** The generated data sets by name and their default size (REELRANK_SYNTHETIC_* override it). */
export const SYNTHETIC_DATASETS: Readonly<Record<string, Readonly<Omit<SyntheticSize, 'seed'>>>> = Object.freeze({
  synthetic: ML20M_SHAPE,
  'synthetic-small': ML_LATEST_SMALL_SHAPE,
  'synthetic-32m': ML32M_SHAPE,
});
/**
 * ml-20m's shape scaled to `ratings` (users in proportion, movies with the square root, as a
 * catalogue grows slower than its audience): the benchmarks' sizes below 20M.
 */
export function scaledMl20mShape(ratings: number): { ratings: number; users: number; movies: number } {
  if (ratings === ML20M_SHAPE.ratings) return { ...ML20M_SHAPE };
  const share = ratings / ML20M_SHAPE.ratings;
  return {
    ratings,
    users: Math.max(50, Math.round(ML20M_SHAPE.users * share)),
    movies: Math.max(100, Math.round(ML20M_SHAPE.movies * Math.sqrt(share))),
  };
}

export function isSyntheticDataset(name: string): boolean {
  return Object.hasOwn(SYNTHETIC_DATASETS, name);
}
// Declarative constants and counters (alike synthetic.ts's / clean.ts's by shape only).
export const DEFAULT_SYNTHETIC_SEED = 42;
export const DEFAULT_SYNTHETIC_FACTORS = 8;
/** ml-20m only includes users with at least 20 ratings. */
export const MIN_RATINGS_PER_USER = 20;
/** Bump when the output for given options changes, so cached raw folders are regenerated. */
export const SYNTHETIC_GENERATOR_VERSION = 2; // 2: mulberry32 streams (1: sfc32)

export interface SyntheticSize {
  ratings: number;
  users: number;
  movies: number;
  seed: number;
}

export interface SyntheticOptions extends Partial<SyntheticSize> {
  /** Folder to write ratings.csv, movies.csv, links.csv, tags.csv and README.txt into (created). */
  dir: string;
  /** Rank of the planted structure (default 8). */
  factors?: number;
  /**
   * Opt-in (default false, which leaves the output byte-identical): tie planted factor f to the
   * genre GENRE_ALIGNED_ORDER[f], so that a movie's factor f mostly says whether it has that genre
   * and a user's factor f is their taste for it ("a user who loves Sci-Fi rates Sci-Fi high").
   * Factors beyond the 19 genres stay purely random. Tests use it where the answer must follow genres.
   */
  genreAligned?: boolean;
  /**
   * Opt-in (default 0, which leaves the output byte-identical): plant a tag genome of this many tags,
   * written as genome-tags.csv and genome-scores.csv (every movie x tag, as ml-20m ships it). Tag t
   * has a random direction in factor space; a movie's relevance to it is a logistic of its planted
   * factors along that direction plus noise, so the genome carries what the ratings were made from.
   */
  genomeTags?: number;
  log?: (line: string) => void;
}

export interface SyntheticResult extends SyntheticSize {
  dir: string;
  factors: number;
  tags: number;
  links: number;
  /** Smallest number of ratings any user got (20 unless ratings < 20 x users). */
  minRatingsPerUser: number;
  maxRatingsPerUser: number;
  seconds: number;
  /** What was planted, for tests: movie ids (ascending) and each movie's bias, with the global mean. */
  planted: {
    globalMean: number;
    movieIds: Int32Array;
    movieBias: Float32Array;
    popularity: Float64Array;
    /** With `genreAligned`: the genre each planted factor stands for (factor f -> genreFactors[f]); else []. */
    genreFactors: string[];
  };
}

/** With `genreAligned`, factor f stands for this genre (the most common first, Sci-Fi early). */
export const GENRE_ALIGNED_ORDER: readonly (typeof MOVIELENS_GENRES)[number][] = [
  'Drama',
  'Comedy',
  'Action',
  'Thriller',
  'Romance',
  'Sci-Fi',
  'Horror',
  'Crime',
  'Adventure',
  'Documentary',
  'Animation',
  'Children',
  'Fantasy',
  'Mystery',
  'Musical',
  'War',
  'Western',
  'Film-Noir',
  'IMAX',
];
/** With `genreAligned`: share of a genre factor's variance that comes from the genre (the rest is noise). */
const GENRE_LOADING = 0.8;

// Separate streams, so e.g. the catalogue does not change when the rating count does.
export const SYNTHETIC_STREAMS = ['catalogue', 'popularity', 'movieFactors', 'activity', 'users'] as const;

/** The seed of the generator's stream for one purpose: deriveSeed(seed, 'synthetic:<purpose>'). */
export function syntheticStreamSeed(seed: number, purpose: (typeof SYNTHETIC_STREAMS)[number]): number {
  return deriveSeed(seed, `synthetic:${purpose}`);
}

const syntheticStream = (seed: number, purpose: (typeof SYNTHETIC_STREAMS)[number]) => new SeededRandom(syntheticStreamSeed(seed, purpose));

// --- the generator -------------------------------------------------------------------------------

const T_START = 789_652_009; // 1995-01-09, ml-20m's first rating
const T_END = 1_427_784_002; // 2015-03-31, its last
const DAY = 86_400;
const YEAR = 365 * DAY;

const GLOBAL_MEAN = 3.55;
const USER_BIAS_SD = 0.35;
const MOVIE_BIAS_SD = 0.4;
const INTERACTION_SD = 0.6;
const NOISE_SD = 0.7;
/** Share of ratings that come with a tag (ml-20m: 465,564 tags for 20,000,263 ratings). */
const TAG_RATE = 0.0233;

const TAGS = [
  'atmospheric',
  'based on a book',
  'twist ending',
  'funny',
  'dark comedy',
  'visually appealing',
  'classic',
  'thought-provoking',
  'Oscar (Best Picture)',
  'sci-fi',
  'great soundtrack',
  'slow',
  'overrated',
  'cult film',
  'dialogue',
  'quirky',
  'violence',
  'romance',
  'true story',
  'surreal',
  'dystopia',
  'stylized',
  'boring',
  'funny, but dark',
  'feel-good',
  'nonlinear',
  '"so bad it\'s good"',
  'Amélie-like',
  'remake',
  'franchise',
];

const RATING_BYTES = Array.from({ length: 11 }, (_, half) => Buffer.from((half / 2).toFixed(1), 'ascii'));

function validate(size: SyntheticSize, factors: number): void {
  for (const key of ['ratings', 'users', 'movies'] as const) {
    if (!Number.isSafeInteger(size[key]) || size[key] < 1) throw new Error(`synthetic: ${key} must be a positive integer (got ${size[key]})`);
  }
  if (!Number.isSafeInteger(size.seed) || size.seed < 0) throw new Error(`synthetic: seed must be a non-negative integer (got ${size.seed})`);
  if (!Number.isInteger(factors) || factors < 1 || factors > 256) throw new Error(`synthetic: factors must be 1..256 (got ${factors})`);
  if (size.ratings < size.users) throw new Error(`synthetic: ${size.ratings} ratings cannot give each of ${size.users} users one`);
  if (size.ratings > size.users * size.movies) {
    throw new Error(`synthetic: ${size.ratings} ratings exceed ${size.users} users x ${size.movies} movies`);
  }
  if (size.users > 2 ** 31 - 1 || size.movies > 2 ** 26) throw new Error('synthetic: too many users or movies');
}

/**
 * Writes a MovieLens-shaped data set (ml-20m formats) into `options.dir`: ratings.csv
 * (userId,movieId,rating,timestamp), movies.csv (movieId,title,genres), links.csv
 * (movieId,imdbId,tmdbId), tags.csv (userId,movieId,tag,timestamp) and README.txt.
 * Defaults to ml-20m's size (20,000,263 ratings, 138,493 users, 26,744 movies), seed 42, 8 factors.
 */
export async function generateSyntheticMovieLens(options: SyntheticOptions): Promise<SyntheticResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const size: SyntheticSize = {
    ratings: options.ratings ?? ML20M_SHAPE.ratings,
    users: options.users ?? ML20M_SHAPE.users,
    movies: options.movies ?? ML20M_SHAPE.movies,
    seed: options.seed ?? DEFAULT_SYNTHETIC_SEED,
  };
  const factors = options.factors ?? DEFAULT_SYNTHETIC_FACTORS;
  const genreAligned = options.genreAligned === true;
  validate(size, factors);
  const { users, movies: M, ratings: total, seed } = size;
  mkdirSync(options.dir, { recursive: true });

  // Catalogue: ascending ids with gaps (ml-20m's ids reach 131,262 for 27,278 movies), titles, genres, links.
  const catalogue = syntheticStream(seed, 'catalogue');
  const movieIds = new Int32Array(M);
  const movieLines: string[] = ['movieId,title,genres'];
  const linkLines: string[] = ['movieId,imdbId,tmdbId'];
  // Genre membership per movie (bit g = MOVIELENS_GENRES[g]), only kept for `genreAligned`.
  const genreMask = genreAligned ? new Int32Array(M) : null;
  let id = 0;
  for (let i = 0; i < M; i += 1) {
    id += catalogue.uniform() < 0.75 ? 1 : 1 + Math.floor(catalogue.exponential() * 15);
    movieIds[i] = id;
    const year = catalogue.uniform() < 0.002 ? null : Math.max(1902, 2015 - Math.floor(catalogue.exponential() * 18));
    const title = makeTitle(catalogue, year);
    const genres = makeGenres(catalogue);
    if (genreMask) {
      for (const genre of genres.split('|')) {
        const g = (MOVIELENS_GENRES as readonly string[]).indexOf(genre);
        if (g >= 0) genreMask[i] |= 1 << g;
      }
    }
    movieLines.push(`${id},${csvField(title)},${genres}`);
    const imdb = String(1 + catalogue.below(4_999_999)).padStart(7, '0');
    const tmdb = catalogue.uniform() < 0.01 ? '' : String(1 + catalogue.below(400_000));
    linkLines.push(`${id},${imdb},${tmdb}`);
  }
  writeFileSync(join(options.dir, 'movies.csv'), `${movieLines.join('\n')}\n`);
  writeFileSync(join(options.dir, 'links.csv'), `${linkLines.join('\n')}\n`);

  // Popularity: weight (rank + c)^-2 over a random order; c scales with the catalogue (ml-20m: top movie ~0.3%).
  const popularityRandom = syntheticStream(seed, 'popularity');
  const rank = Int32Array.from({ length: M }, (_, i) => i);
  for (let i = M - 1; i > 0; i -= 1) {
    const j = popularityRandom.below(i + 1);
    const t = rank[i];
    rank[i] = rank[j];
    rank[j] = t;
  }
  const offset = Math.max(1, 0.0112 * M);
  const popularity = new Float64Array(M);
  let logMean = 0;
  for (let i = 0; i < M; i += 1) {
    popularity[i] = Math.pow(rank[i] + offset, -2);
    logMean += Math.log(popularity[i]) / M;
  }
  let logVar = 0;
  for (let i = 0; i < M; i += 1) logVar += (Math.log(popularity[i]) - logMean) ** 2 / M;
  const logSd = Math.sqrt(logVar) || 1;
  const alias = new AliasTable(popularity);

  // Planted movie side: biases (popular movies rate a little higher, as in MovieLens) and factors.
  const movieRandom = syntheticStream(seed, 'movieFactors');
  const factorSd = Math.pow((INTERACTION_SD * INTERACTION_SD) / factors, 0.25);
  const movieBias = new Float32Array(M);
  const movieFactors = new Float64Array(M * factors);
  for (let i = 0; i < M; i += 1) {
    const popular = (Math.log(popularity[i]) - logMean) / logSd;
    movieBias[i] = MOVIE_BIAS_SD * (0.95 * movieRandom.gaussian() + 0.3 * popular);
    for (let f = 0; f < factors; f += 1) movieFactors[i * factors + f] = factorSd * movieRandom.gaussian();
  }
  const genreFactors = genreAligned ? GENRE_ALIGNED_ORDER.slice(0, factors) : [];
  if (genreMask) {
    // Factor f = factorSd * (sqrt(1 - L) * noise + sqrt(L) * standardised "has genre f"): same variance, genre-driven.
    genreFactors.forEach((genre, f) => {
      const bit = 1 << MOVIELENS_GENRES.indexOf(genre);
      let members = 0;
      for (let i = 0; i < M; i += 1) if (genreMask[i] & bit) members += 1;
      const share = members / M;
      const sd = Math.sqrt(share * (1 - share));
      for (let i = 0; i < M; i += 1) {
        const indicator = sd > 0 ? ((genreMask[i] & bit ? 1 : 0) - share) / sd : 0;
        const at = i * factors + f;
        movieFactors[at] = Math.sqrt(1 - GENRE_LOADING) * movieFactors[at] + factorSd * Math.sqrt(GENRE_LOADING) * indicator;
      }
    });
  }

  if (options.genomeTags) writeGenome(options.dir, seed, movieIds, movieFactors, factors, options.genomeTags);

  // Activity: power law, at least 20 each, at most ~35% of the catalogue (ml-20m's top user rated 9,254 of 26,744).
  const minimum = Math.min(MIN_RATINGS_PER_USER, Math.floor(total / users));
  let cap = Math.min(M, Math.max(Math.ceil(total / users), Math.floor(0.35 * M)));
  if (cap * users < total) cap = M;
  const counts = userActivity(syntheticStream(seed, 'activity'), users, total, minimum, cap);
  let minCount = Infinity;
  let maxCount = 0;
  for (let u = 0; u < users; u += 1) {
    minCount = Math.min(minCount, counts[u]);
    maxCount = Math.max(maxCount, counts[u]);
  }

  const ratingsOut = await ByteWriter.open(join(options.dir, 'ratings.csv'));
  const tagsOut = await ByteWriter.open(join(options.dir, 'tags.csv'), { size: 1 << 20 });
  const random = syntheticStream(seed, 'users');
  const owner = new Int32Array(M).fill(-1); // owner[i] === u: user u already rated movie i
  const chosen = new Int32Array(maxCount);
  const keys = new Float64Array(M);
  const candidates = new Int32Array(M);
  const userFactors = new Float64Array(factors);
  const tagBytes = TAGS.map((tag) => Buffer.from(`${csvField(tag)},`, 'utf8'));
  let written = 0;
  let tagCount = 0;
  let nextLog = Date.now() + 2000;
  try {
    ratingsOut.text('userId,movieId,rating,timestamp\n');
    tagsOut.text('userId,movieId,tag,timestamp\n');
    for (let u = 0; u < users; u += 1) {
      const need = counts[u];
      const userId = u + 1;
      // Distinct movies, popularity weighted: alias draws with repeats rejected; once repeats get
      // frequent (heavy users have taken most of the popular mass), the rest by weighted sampling
      // without replacement over what is left (exponential keys E / w, the smallest win).
      let have = 0;
      let tries = 0;
      const budget = 4 * need + 64;
      while (have < need && tries < budget) {
        tries += 1;
        const i = alias.draw(random);
        if (owner[i] !== u) {
          owner[i] = u;
          chosen[have++] = i;
        }
      }
      if (have < need) {
        let n = 0;
        for (let i = 0; i < M; i += 1) {
          if (owner[i] === u) continue;
          keys[n] = random.exponential() / popularity[i];
          candidates[n++] = i;
        }
        const rest = need - have;
        selectSmallest(keys, candidates, n, rest);
        for (let k = 0; k < rest; k += 1) {
          owner[candidates[k]] = u;
          chosen[have++] = candidates[k];
        }
      }
      const mine = chosen.subarray(0, need);
      mine.sort(); // movie index order == movieId order

      const bias = GLOBAL_MEAN + USER_BIAS_SD * random.gaussian();
      for (let f = 0; f < factors; f += 1) userFactors[f] = factorSd * random.gaussian();
      // Active window: half the users rate within a day, the rest over months to years.
      const span = random.uniform() < 0.5 ? Math.floor(random.uniform() * DAY) : Math.floor(random.exponential() * YEAR);
      const window = Math.min(span, T_END - T_START);
      const start = T_START + Math.floor(random.uniform() * (T_END - T_START - window + 1));

      for (let k = 0; k < need; k += 1) {
        const i = mine[k];
        let dot = 0;
        const base = i * factors;
        for (let f = 0; f < factors; f += 1) dot += userFactors[f] * movieFactors[base + f];
        const value = bias + movieBias[i] + dot + NOISE_SD * random.gaussian();
        let half = Math.round(2 * value);
        if (half < 1) half = 1;
        else if (half > 10) half = 10;
        const timestamp = start + Math.floor(random.uniform() * (window + 1));
        ratingsOut.ratingRow(userId, movieIds[i], RATING_BYTES[half], timestamp);
        if (random.uniform() < TAG_RATE) {
          tagsOut.uint(userId);
          tagsOut.byte(44);
          tagsOut.uint(movieIds[i]);
          tagsOut.byte(44);
          tagsOut.bytes(tagBytes[random.below(tagBytes.length)]);
          tagsOut.uint(Math.min(T_END, timestamp + random.below(600)));
          tagsOut.byte(10);
          tagCount += 1;
          if (tagsOut.full) await tagsOut.flush();
        }
        if (ratingsOut.full) await ratingsOut.flush();
      }
      written += need;
      if (Date.now() >= nextLog) {
        nextLog = Date.now() + 2000;
        log(`[synthetic] ${written.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ratings (${((100 * written) / total).toFixed(0)}%)`);
      }
    }
    await ratingsOut.close();
    await tagsOut.close();
  } catch (error) {
    await ratingsOut.abort();
    await tagsOut.abort();
    throw error;
  }

  writeFileSync(
    join(options.dir, 'README.txt'),
    [
      'Synthetic MovieLens-shaped data generated by reelrank (packages/ingest/src/lib/synthetic.ts).',
      'Not real ratings: a planted low-rank model (global mean + user/movie biases + factors) plus Gaussian noise.',
      `seed=${seed} ratings=${total} users=${users} movies=${M} factors=${factors} generator=v${SYNTHETIC_GENERATOR_VERSION}${genreAligned ? ' genreAligned=true' : ''}`,
      '',
    ].join('\n'),
  );
  const seconds = (Date.now() - started) / 1000;
  log(
    `[synthetic] wrote ${total.toLocaleString('en-US')} ratings, ${tagCount.toLocaleString('en-US')} tags, ${M.toLocaleString('en-US')} movies to ${options.dir} in ${seconds.toFixed(1)} s`,
  );
  return {
    ...size,
    dir: options.dir,
    factors,
    tags: tagCount,
    links: M,
    minRatingsPerUser: minCount,
    maxRatingsPerUser: maxCount,
    seconds,
    planted: { globalMean: GLOBAL_MEAN, movieIds, movieBias, popularity, genreFactors },
  };
}

/** The planted tag genome (SyntheticOptions.genomeTags): its own stream, so the other files stay byte-identical. */
function writeGenome(dir: string, seed: number, movieIds: Int32Array, movieFactors: Float64Array, factors: number, tags: number): void {
  const random = new SeededRandom(deriveSeed(seed, 'synthetic:genome'));
  const directions = new Float64Array(tags * factors);
  for (let t = 0; t < tags; t += 1) {
    let norm = 0;
    for (let f = 0; f < factors; f += 1) norm += (directions[t * factors + f] = random.gaussian()) ** 2;
    for (let f = 0; f < factors; f += 1) directions[t * factors + f] /= Math.sqrt(norm) || 1;
  }
  // Scale so that a movie one standard deviation along a tag's direction is well inside (0, 1).
  let variance = 0;
  for (const x of movieFactors) variance += x * x;
  const scale = 2 / Math.sqrt(variance / Math.max(1, movieIds.length) || 1);
  const names = Array.from({ length: tags }, (_, t) => `${TAGS[t % TAGS.length]}${t < TAGS.length ? '' : ` ${Math.floor(t / TAGS.length) + 1}`}`);
  writeFileSync(join(dir, 'genome-tags.csv'), `tagId,tag\n${names.map((name, t) => `${t + 1},${csvField(name)}`).join('\n')}\n`);
  const lines = ['movieId,tagId,relevance'];
  for (let i = 0; i < movieIds.length; i += 1) {
    for (let t = 0; t < tags; t += 1) {
      let dot = 0;
      for (let f = 0; f < factors; f += 1) dot += movieFactors[i * factors + f] * directions[t * factors + f];
      const relevance = 1 / (1 + Math.exp(-(scale * dot + 0.3 * random.gaussian())));
      lines.push(`${movieIds[i]},${t + 1},${relevance.toFixed(5)}`);
    }
  }
  writeFileSync(join(dir, 'genome-scores.csv'), `${lines.join('\n')}\n`);
}
