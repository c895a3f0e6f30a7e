import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AppConfig } from '@reelrank/config';
import { createProgress, formatCount } from '@reelrank/artifacts';
import { acquireSource } from './acquire-source.js';
import { cleanGenome, cleanLinks, cleanMovies, cleanRatings, cleanTags, movieIdTable, type CleaningReport } from './clean.js';
import type { FetchLike } from './download.js';
import { parseGenomeScoresFile, parseGenomeTagsFile } from './parse-genome.js';
import { parseLinksFile } from './parse-links.js';
import { parseMoviesFile } from './parse-movies.js';
import { formatOfFile, parseRatingsFile } from '@reelrank/csv';
import { parseTagsFile } from './parse-tags.js';
import type { SyntheticSize } from './synthetic.js';
import { writeProcessed, type IngestReport } from './write-processed.js';

export interface RunIngestOptions {
  /** Progress and summary lines; stderr by default so stdout stays clean. */
  log?: (line: string) => void;
  fetchImpl?: FetchLike;
  retries?: number;
  retryDelayMs?: number;
  /** Size and seed of the generated `synthetic` set; default `config.dataset.synthetic` (REELRANK_SYNTHETIC_*). */
  synthetic?: SyntheticSize;
}

/** The first of `names` present in `dir`, or null. */
function firstPresent(dir: string, names: string[]): string | null {
  const name = names.find((candidate) => existsSync(join(dir, candidate)));
  return name ? join(dir, name) : null;
}

function summarise(report: IngestReport, processedDir: string, seconds: number): string {
  const c = report.counts;
  const d = report.dropped;
  const extras = [c.tags !== null ? `${formatCount(c.tags)} tags` : '', c.links !== null ? `${formatCount(c.links)} links` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `[ingest] ${report.dataset} from ${report.source.kind} ${report.source.url ?? report.source.location}: ` +
    `${formatCount(c.ratings)} ratings by ${formatCount(c.users)} users of ${formatCount(c.ratedMovies)} movies ` +
    `(${formatCount(c.movies)} movies listed${extras ? `, ${extras}` : ''}). Dropped ${formatCount(d.duplicate)} duplicates, ` +
    `${formatCount(d.outOfRange)} out of range, ${formatCount(d.unknownMovie)} of unknown movies, ` +
    `${formatCount(d.malformed)} malformed rows. Wrote ${processedDir} with a ${formatCount(c.sample)}-rating sample ` +
    `(dataHash ${report.dataHash.slice(0, 12)}) in ${seconds.toFixed(2)} s.`
  );
}

/**
 * The ingest stage: acquire the originals into data/raw/<dataset>/, parse them, clean the
 * ratings and write data/processed/<dataset>/ atomically. Returns the report written there.
 */
export async function runIngest(config: AppConfig, options: RunIngestOptions = {}): Promise<IngestReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const { dataset, source, sampleSize } = config.dataset;
  const { rawDir, processedDir } = config.paths;

  const sourceInfo = await acquireSource({
    dataset,
    source,
    rawDir,
    log,
    fetchImpl: options.fetchImpl,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    synthetic: options.synthetic ?? config.dataset.synthetic,
  });

  const ratingsPath = firstPresent(rawDir, ['ratings.csv', 'ratings.dat', 'u.data']);
  const moviesPath = firstPresent(rawDir, ['movies.csv', 'movies.dat', 'u.item']);
  if (!ratingsPath) throw new Error(`${rawDir} holds no ratings file (ratings.csv, ratings.dat or u.data)`);
  if (!moviesPath) throw new Error(`${rawDir} holds no movies file (movies.csv, movies.dat or u.item)`);
  const linksPath = firstPresent(rawDir, ['links.csv']);
  const tagsPath = firstPresent(rawDir, ['tags.csv', 'tags.dat']);

  const movies = cleanMovies(await parseMoviesFile(moviesPath));
  const known = movieIdTable(movies.movies);
  log(`[ingest] ${formatCount(movies.movies.length)} movies from ${movies.counts.file}`);
  const links = linksPath ? cleanLinks(await parseLinksFile(linksPath), known) : null;
  const tags = tagsPath ? cleanTags(await parseTagsFile(tagsPath), known) : null;
  const genomeTagsPath = firstPresent(rawDir, ['genome-tags.csv']);
  const genomeScoresPath = firstPresent(rawDir, ['genome-scores.csv']);
  const genome =
    genomeTagsPath && genomeScoresPath
      ? cleanGenome(await parseGenomeTagsFile(genomeTagsPath), await parseGenomeScoresFile(genomeScoresPath), known)
      : null;
  if (genome) log(`[ingest] tag genome: ${formatCount(genome.tags.length)} tags, ${formatCount(genome.scores.length)} scores`);

  const progress = createProgress({ label: 'ingest ratings', unit: 'rows', write: log });
  const parsed = await parseRatingsFile(ratingsPath, {
    onProgress: (rows, fraction) => progress.update(rows, `(${(100 * fraction).toFixed(0)}% of ${relative(rawDir, ratingsPath)})`),
  });
  progress.done(`${formatCount(parsed.read)} rows parsed, ${formatCount(parsed.malformed)} malformed`);
  for (const example of parsed.malformedExamples) log(`[ingest] malformed ${parsed.file} ${example}`);
  const ratings = cleanRatings(parsed, known);
  // Cleaning hands the parsed buffer back untouched when it kept every row in order.
  const verbatim = parsed.canonical && ratings.ratings === parsed.ratings;
  if (verbatim) log(`[ingest] ${parsed.file} is already in the processed form: copied as it is`);

  const cleaning: CleaningReport = { ratings: ratings.counts, movies: movies.counts };
  if (links) cleaning.links = links.counts;
  if (tags) cleaning.tags = tags.counts;
  if (genome) {
    cleaning.genomeTags = genome.tagCounts;
    cleaning.genomeScores = genome.scoreCounts;
  }
  const report = await writeProcessed(processedDir, {
    dataset,
    source: sourceInfo,
    format: formatOfFile(ratingsPath),
    ratings: ratings.ratings,
    ratingsFile: verbatim ? ratingsPath : null,
    movies: movies.movies,
    links: links?.links ?? null,
    tags: tags?.tags ?? null,
    genome: genome && { tags: genome.tags, scores: genome.scores },
    cleaning,
    sampleSize,
  });
  log(summarise(report, processedDir, (Date.now() - started) / 1000));
  return report;
}
