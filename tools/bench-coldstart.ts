/**
 * Item cold-start benchmark: how well the content map places movies nobody has rated.
 *
 *   npm run bench:coldstart -- [--data both|synthetic|real] [--seed 42] [--share 0.1] [--dir $TMPDIR/reelrank-bench-coldstart]
 *
 * For each data set: hold out a seeded 10% of the rated movies entirely (all their ratings), run the
 * real train stage (runTraining with the committed config/training.json) on the rest, with every
 * movie's content (genres, year, tags, the tag genome where the data has one); the held-out movies get their vectors from the content map as
 * the server does (the artifact's cold-start entries). Then for each user who rated held-out movies:
 * NDCG@10 of the held-out movies ranked by the served ranker (and by the rating model alone) against
 * "most popular of the same genres", and the RMSE of their ratings against the bias-only baseline.
 *
 * Data sets: `synthetic`, the generator's ml-latest-small shape (610 users, 9,742 movies, 100,836
 * ratings) with planted content (genreAligned: each planted factor follows a genre) and a planted tag
 * genome of 64 tags (each a noisy sigmoid of the planted factors along a random direction), seed --seed;
 * `real`, the real ml-latest-small: --real-dir, or <REELRANK_SHARED_DIR>/movielens/ml-latest-small
 * (as `npm run test:data` finds it; it has no genome); the tool fails when neither holds it. The figures are deterministic for a seed (SVD++ on one thread).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Papa from 'papaparse';
import { loadConfig } from '@reelrank/config';
import { generateSyntheticMovieLens, parseGenomeScoresFile, parseMoviesFile, SYNTHETIC_GENERATOR_VERSION } from '@reelrank/ingest';
import { loadModelArtifacts, type ContentMapArtifact, type MovieContent } from '@reelrank/model';
import {
  contentMapOfServed,
  evaluateColdStart,
  genomeByMovie,
  holdOutMovies,
  movieContentOf,
  ratingCountsOf,
  readRatingsCsv,
  runTraining,
  type ColdStartEvaluation,
} from '@reelrank/trainer';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'both' },
    seed: { type: 'string', default: '42' },
    share: { type: 'string', default: '0.1' },
    dir: { type: 'string', default: join(tmpdir(), 'reelrank-bench-coldstart') },
    'real-dir': { type: 'string' },
  },
});
const seed = Number(values.seed);
const share = Number(values.share);
if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer (got ${values.seed})`);
if (!(share > 0 && share < 1)) throw new Error(`--share must be in (0, 1) (got ${values.share})`);
if (!['both', 'synthetic', 'real'].includes(values.data!)) throw new Error(`--data must be both, synthetic or real (got ${values.data})`);
const workDir = resolve(values.dir!);

function readCsv(path: string): Record<string, string>[] {
  return Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true }).data;
}

/**
 * movies.csv (the ingest stage's parser: year and genres as the catalogue has them), tags.csv and
 * genome-scores.csv (when present; the genome in the train stage's compact form), as content by movie id.
 */
async function readContent(dir: string, genomeVocabulary: number): Promise<Map<number, MovieContent>> {
  const movies = (await parseMoviesFile(join(dir, 'movies.csv'))).rows;
  const tagsPath = join(dir, 'tags.csv');
  const tags = existsSync(tagsPath)
    ? readCsv(tagsPath).map((row) => ({ movieId: Number(row.movieId), tag: (row.tag ?? '').toLowerCase(), count: 1 }))
    : [];
  const genomePath = join(dir, 'genome-scores.csv');
  if (!existsSync(genomePath)) return movieContentOf(movies, tags);
  const scores = (await parseGenomeScoresFile(genomePath)).rows;
  const columns = {
    movieIds: Int32Array.from(scores, (s) => s.movieId),
    tagIds: Int32Array.from(scores, (s) => s.tagId),
    relevance: Float32Array.from(scores, (s) => s.relevance),
  };
  return movieContentOf(movies, tags, genomeByMovie(columns, genomeVocabulary));
}

async function syntheticFolder(): Promise<string> {
  const dir = join(workDir, `synthetic-v${SYNTHETIC_GENERATOR_VERSION}-small-genre-aligned-genome64-seed${seed}`);
  if (!existsSync(join(dir, 'genome-scores.csv'))) {
    await generateSyntheticMovieLens({ dir, ratings: 100_836, users: 610, movies: 9_742, seed, genreAligned: true, genomeTags: 64 });
  }
  return dir;
}

interface Row {
  data: string;
  content: string;
  evaluation: ColdStartEvaluation;
  lambda: string;
  mapMovies: number;
  trainSeconds: number;
}

async function runOne(name: string, sourceDir: string): Promise<Row[]> {
  const all = readRatingsCsv(join(sourceDir, 'ratings.csv'));
  const content = await readContent(sourceDir, loadConfig({ env: {} }).training.contentMap.genomeVocabulary);
  const holdout = holdOutMovies(all, share, seed);
  const modelDir = join(workDir, `model-${name}`);
  rmSync(modelDir, { recursive: true, force: true });
  rmSync(`${modelDir}-versions`, { recursive: true, force: true });
  mkdirSync(modelDir, { recursive: true });
  const config = loadConfig({ env: {} });
  process.stderr.write(
    `[bench:coldstart] ${name}: ${holdout.movies.length} of ${new Set(all.movieIds).size} movies held out (${holdout.heldOut.ratings.length} ratings); training on ${holdout.train.ratings.length}\n`,
  );
  const result = await runTraining(
    { training: config.training, dataset: { dataset: name }, paths: { ...config.paths, modelDir, registryDir: `${modelDir}-versions` } },
    { ratings: holdout.train, content, log: (line) => (line.startsWith('[content-map]') ? process.stderr.write(`${line}\n`) : undefined) },
  );
  const bundle = loadModelArtifacts(modelDir);
  if (!bundle.contentMap) throw new Error(`${name}: the training saved no content map`);
  const metrics = JSON.parse(readFileSync(join(modelDir, 'metrics.json'), 'utf8')) as { contentMap: { trainingMovies: number } };
  const row = (label: string, contentMap: ContentMapArtifact, mapMovies: number, using: ReadonlyMap<number, MovieContent>): Row => {
    const { lambda } = contentMap.map;
    return {
      data: name,
      content: label,
      evaluation: evaluateColdStart({ ...bundle, contentMap }, holdout, using),
      lambda: `q ${lambda.ratingFactors}, b ${lambda.movieBias}, y ${lambda.rankingFactors}`,
      mapMovies,
      trainSeconds: result.seconds,
    };
  };
  // The same served models (the map only reads them) with a map of genres and year alone: user-applied tags
  // say how many people saw a movie, which a movie new to the catalogue would not have yet.
  // The genome, by contrast, is measured on the movie itself, so a new movie can have it from day one.
  const settings = { ...loadConfig({ env: {} }).training.contentMap, seed: config.training.seed };
  const ratingCounts = ratingCountsOf(bundle.model, holdout.train);
  const mapOf = (label: string, using: Map<number, MovieContent>): Row => {
    const fit = contentMapOfServed({ model: bundle.model, ranking: bundle.ranking, ratingCounts, content: using }, settings, () => undefined);
    if ('skipped' in fit) throw new Error(`${name}: no ${label} map (${fit.skipped})`);
    return row(label, fit.artifact, fit.report.trainingMovies, using);
  };
  const withoutTags = new Map([...content].map(([id, c]) => [id, { genres: c.genres, year: c.year }]));
  const hasGenome = [...content.values()].some((c) => c.genome);
  const rows = [mapOf('genres + year', withoutTags)];
  if (hasGenome)
    rows.push(mapOf('genres + year + genome', new Map([...content].map(([id, c]) => [id, { genres: c.genres, year: c.year, genome: c.genome }]))));
  rows.push(row(hasGenome ? 'genres + year + tags + genome' : 'genres + year + tags', bundle.contentMap, metrics.contentMap.trainingMovies, content));
  return rows;
}

function table(rows: Row[]): string {
  const header = [
    'data',
    'content',
    'held-out movies',
    'users',
    'NDCG@10 content (ranker)',
    'NDCG@10 content (rating model)',
    'NDCG@10 same-genre popular',
    'users (2+ rated)',
    'rated-only NDCG@10 content (ranker)',
    'rated-only NDCG@10 content (rating model)',
    'rated-only NDCG@10 same-genre popular',
    'RMSE content',
    'RMSE bias-only',
    'map movies',
    'lambda',
    'train s',
  ];
  const lines = rows.map((r) => {
    const e = r.evaluation;
    return [
      r.data,
      r.content,
      `${e.heldOutMovies} (${e.heldOutRatings} ratings)`,
      String(e.rankingUsers),
      e.ndcg.contentRanker.toFixed(4),
      e.ndcg.contentRatingModel.toFixed(4),
      e.ndcg.genrePopularity.toFixed(4),
      String(e.ratedUsers),
      e.ndcgAmongRated.contentRanker.toFixed(4),
      e.ndcgAmongRated.contentRatingModel.toFixed(4),
      e.ndcgAmongRated.genrePopularity.toFixed(4),
      e.rmse.content.toFixed(4),
      e.rmse.biasOnly.toFixed(4),
      String(r.mapMovies),
      r.lambda,
      r.trainSeconds.toFixed(1),
    ];
  });
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const rows: Row[] = [];
  if (values.data !== 'real') rows.push(...(await runOne('synthetic-planted', await syntheticFolder())));
  if (values.data !== 'synthetic') {
    const shared = process.env.REELRANK_SHARED_DIR?.trim();
    const given = values['real-dir'] ?? (shared ? join(shared, 'movielens', 'ml-latest-small') : undefined);
    if (!given) throw new Error('the real ml-latest-small is needed: pass --real-dir DIR or set REELRANK_SHARED_DIR, or use --data synthetic');
    const real = resolve(given);
    if (!existsSync(join(real, 'ratings.csv')) || !existsSync(join(real, 'movies.csv'))) {
      throw new Error(`ml-latest-small not found at ${real} (ratings.csv and movies.csv): pass --real-dir, or --data synthetic`);
    }
    rows.push(...(await runOne('ml-latest-small', real)));
  }
  process.stdout.write(`\nItem cold start: ${share * 100}% of the rated movies held out entirely, seed ${seed}\n\n${table(rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:coldstart failed: ${(error as Error).message}\n`);
  process.exit(1);
});
