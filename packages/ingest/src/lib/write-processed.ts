import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import Papa from 'papaparse';
import { hashFile, replaceDirAtomically, writeFileAtomic } from '@reelrank/artifacts';
import type { SourceInfo } from './acquire-source.js';
import type { CleaningReport, DropCounts } from './clean.js';
import type { MovieLensFormat } from './datasets.js';
import type { Link } from './parse-links.js';
import type { Movie } from './parse-movies.js';
import type { Tag } from './parse-tags.js';
import type { RatingsBuffer } from './ratings-buffer.js';
import { SAMPLE_SEED, sampleIndices } from './sample.js';

export interface ProcessedData {
  dataset: string;
  source: SourceInfo;
  format: MovieLensFormat;
  ratings: RatingsBuffer;
  movies: Movie[];
  links: Link[] | null;
  tags: Tag[] | null;
  cleaning: CleaningReport;
  sampleSize: number;
}

export interface IngestReport {
  dataset: string;
  source: { kind: SourceInfo['kind']; location: string; url?: string; zipSha256?: string };
  format: MovieLensFormat;
  counts: { users: number; movies: number; ratedMovies: number; ratings: number; links: number | null; tags: number | null; sample: number };
  /** Read / kept / dropped-by-reason for each source file. */
  files: CleaningReport;
  dropped: DropCounts;
  sample: { size: number; seed: number; method: string };
  outputs: Record<string, { bytes: number; sha256: string }>;
  /** sha256 of the processed ratings.csv: downstream stages record it to know which data they saw. */
  dataHash: string;
}

const BATCH = 1 << 16;

/** Writes `header` then `count` lines built by `line(i)`, in large batches, and fsyncs. */
async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.write(`${header}\n`);
    let parts: string[] = [];
    for (let i = 0; i < count; i += 1) {
      parts.push(line(i));
      if (parts.length === BATCH) {
        await handle.write(`${parts.join('\n')}\n`);
        parts = [];
      }
    }
    if (parts.length > 0) await handle.write(`${parts.join('\n')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Ratings as MovieLens writes them ("4.0", "3.5"), without float32 noise ("3.700000047"). */
function formatRating(value: number): string {
  const clean = Number(value.toPrecision(7));
  return Number.isInteger(clean) ? clean.toFixed(1) : String(clean);
}

async function writeRatings(path: string, ratings: RatingsBuffer, indices?: Uint32Array): Promise<void> {
  const { users, movies, timestamps } = ratings;
  const text = new Map<number, string>();
  const count = indices ? indices.length : ratings.length;
  await writeLines(path, 'userId,movieId,rating,timestamp', count, (k) => {
    const i = indices ? indices[k] : k;
    const r = ratings.ratings[i];
    let rating = text.get(r);
    if (rating === undefined) text.set(r, (rating = formatRating(r)));
    return `${users[i]},${movies[i]},${rating},${timestamps[i]}`;
  });
}

/** Text rows through papaparse so titles and tags with commas, quotes or newlines are quoted correctly. */
async function writeCsv(path: string, header: string[], rows: unknown[][]): Promise<void> {
  await writeLines(path, header.join(','), rows.length, (i) => Papa.unparse([rows[i]], { header: false, newline: '\n' }));
}

function countDistinctUsers(ratings: RatingsBuffer): number {
  let users = 0;
  for (let i = 0; i < ratings.length; i += 1) if (i === 0 || ratings.users[i] !== ratings.users[i - 1]) users += 1;
  return users;
}

function countDistinctMovies(ratings: RatingsBuffer): number {
  const seen = new Set<number>();
  for (let i = 0; i < ratings.length; i += 1) seen.add(ratings.movies[i]);
  return seen.size;
}

/**
 * Writes data/processed/<dataset>/ per ARCHITECTURE.md (ratings, movies, links, tags, the
 * deterministic sample, then report.json last) into a temp folder that replaces `dir` at once.
 * `data.ratings` must already be cleaned and sorted by userId, movieId.
 */
export async function writeProcessed(dir: string, data: ProcessedData): Promise<IngestReport> {
  return replaceDirAtomically(dir, async (temp) => {
    await writeRatings(join(temp, 'ratings.csv'), data.ratings);
    await writeCsv(
      join(temp, 'movies.csv'),
      ['movieId', 'title', 'year', 'genres'],
      data.movies.map((m) => [m.movieId, m.title, m.year ?? '', m.genres.join('|')]),
    );
    if (data.links) {
      await writeCsv(join(temp, 'links.csv'), ['movieId', 'imdbId', 'tmdbId'], data.links.map((l) => [l.movieId, l.imdbId, l.tmdbId ?? '']));
    }
    if (data.tags) {
      await writeCsv(join(temp, 'tags.csv'), ['userId', 'movieId', 'tag', 'timestamp'], data.tags.map((t) => [t.userId, t.movieId, t.tag, t.timestamp]));
    }
    const sample = sampleIndices(data.ratings, data.sampleSize);
    await writeRatings(join(temp, 'sample-ratings.csv'), data.ratings, sample);

    const outputs: IngestReport['outputs'] = {};
    for (const name of ['ratings.csv', 'movies.csv', 'links.csv', 'tags.csv', 'sample-ratings.csv']) {
      if (name === 'links.csv' && !data.links) continue;
      if (name === 'tags.csv' && !data.tags) continue;
      outputs[name] = { bytes: statSync(join(temp, name)).size, sha256: await hashFile(join(temp, name)) };
    }
    const dropped: DropCounts = { malformed: 0, duplicate: 0, outOfRange: 0, unknownMovie: 0 };
    for (const counts of Object.values(data.cleaning)) {
      for (const reason of Object.keys(dropped) as (keyof DropCounts)[]) dropped[reason] += counts?.dropped[reason] ?? 0;
    }
    const { kind, location, url, zipSha256 } = data.source;
    const report: IngestReport = {
      dataset: data.dataset,
      source: { kind, location, ...(url ? { url } : {}), ...(zipSha256 ? { zipSha256 } : {}) },
      format: data.format,
      counts: {
        users: countDistinctUsers(data.ratings),
        movies: data.movies.length,
        ratedMovies: countDistinctMovies(data.ratings),
        ratings: data.ratings.length,
        links: data.links ? data.links.length : null,
        tags: data.tags ? data.tags.length : null,
        sample: sample.length,
      },
      files: data.cleaning,
      dropped,
      sample: { size: sample.length, seed: SAMPLE_SEED, method: 'smallest hash of (userId, movieId)' },
      outputs,
      dataHash: outputs['ratings.csv'].sha256,
    };
    writeFileAtomic(join(temp, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    return report;
  });
}
