import { createHash } from 'node:crypto';
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
import type { GenomeScore, GenomeTag } from './parse-genome.js';
import type { Tag } from './parse-tags.js';
import { ByteWriter } from './byte-writer.js';
import { SAMPLE_SEED, sampleIndices } from './sample.js';
import type { RatingsBuffer } from '@reelrank/csv';

export interface ProcessedData {
  dataset: string;
  source: SourceInfo;
  format: MovieLensFormat;
  ratings: RatingsBuffer;
  /** The source's ratings file when its bytes already are the processed ratings.csv (canonical, nothing cleaned away or reordered): copied, not rewritten. */
  ratingsFile?: string | null;
  movies: Movie[];
  links: Link[] | null;
  tags: Tag[] | null;
  /** The tag genome (ml-20m/25m/32m), when the source has both of its files. */
  genome?: { tags: GenomeTag[]; scores: GenomeScore[] } | null;
  cleaning: CleaningReport;
  sampleSize: number;
}

export interface IngestReport {
  dataset: string;
  source: { kind: SourceInfo['kind']; location: string; url?: string; zipSha256?: string };
  format: MovieLensFormat;
  counts: {
    users: number;
    movies: number;
    ratedMovies: number;
    ratings: number;
    links: number | null;
    tags: number | null;
    sample: number;
    /** Genome tags and scores (absent or null: the source has no genome). */
    genomeTags?: number | null;
    genomeScores?: number | null;
  };
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

/** "0.0", "0.5", ... "5.0" as bytes, by half stars. */
const HALF_STAR_BYTES = Array.from({ length: 11 }, (_, half) => Buffer.from((half / 2).toFixed(1), 'ascii'));

/**
 * Writes ratings straight into a byte buffer (no per-row strings), flushed every 4 MiB and
 * hashed as it goes; resolves with the file's sha256 (hex). The generator (synthetic.ts) writes its
 * rows with the same byte calls inline, deliberately: both are loops over up to 20M rows.
 */
async function writeRatings(path: string, ratings: RatingsBuffer, indices?: Uint32Array): Promise<string> {
  const { users, movies, timestamps } = ratings;
  const values = ratings.ratings;
  const other = new Map<number, Buffer>();
  const count = indices ? indices.length : ratings.length;
  const hash = createHash('sha256');
  const out = await ByteWriter.open(path, { hash });
  try {
    out.text('userId,movieId,rating,timestamp\n');
    for (let k = 0; k < count; k += 1) {
      const i = indices ? indices[k] : k;
      const r = values[i];
      const half = 2 * r;
      let rating = half >= 0 && half <= 10 && Number.isInteger(half) ? HALF_STAR_BYTES[half] : other.get(r);
      if (rating === undefined) other.set(r, (rating = Buffer.from(formatRating(r), 'ascii')));
      out.ratingRow(users[i], movies[i], rating, timestamps[i]);
      if (out.full) await out.flush();
    }
    await out.close({ sync: true });
  } catch (error) {
    await out.abort();
    throw error;
  }
  return hash.digest('hex');
}

/** Copies `from` to `to` (fsynced), hashing the bytes on the way; resolves with their sha256 (hex). */
async function copyHashed(from: string, to: string): Promise<string> {
  const hash = createHash('sha256');
  const source = await open(from, 'r');
  const target = await open(to, 'w');
  try {
    const buffer = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const { bytesRead } = await source.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      await target.write(chunk);
    }
    await target.sync();
  } finally {
    await source.close();
    await target.close();
  }
  return hash.digest('hex');
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
  let max = 0;
  for (let i = 0; i < ratings.length; i += 1) if (ratings.movies[i] > max) max = ratings.movies[i];
  if (max > 4 * ratings.length + 1_000_000) return new Set(ratings.movies.subarray(0, ratings.length)).size;
  const seen = new Uint8Array(max + 1);
  let distinct = 0;
  for (let i = 0; i < ratings.length; i += 1) {
    const movie = ratings.movies[i];
    if (seen[movie] === 0) {
      seen[movie] = 1;
      distinct += 1;
    }
  }
  return distinct;
}

/**
 * Writes data/processed/<dataset>/ per ARCHITECTURE.md (ratings, movies, links, tags, the
 * deterministic sample, then report.json last) into a temp folder that replaces `dir` at once.
 * `data.ratings` must already be cleaned and sorted by userId, movieId.
 */
export async function writeProcessed(dir: string, data: ProcessedData): Promise<IngestReport> {
  return replaceDirAtomically(dir, async (temp) => {
    // sha256 of the ratings files computed while writing them (no second read of ~0.5 GB).
    const hashes = new Map<string, string>();
    const ratingsCsv = join(temp, 'ratings.csv');
    hashes.set('ratings.csv', data.ratingsFile ? await copyHashed(data.ratingsFile, ratingsCsv) : await writeRatings(ratingsCsv, data.ratings));
    await writeCsv(
      join(temp, 'movies.csv'),
      ['movieId', 'title', 'year', 'genres'],
      data.movies.map((m) => [m.movieId, m.title, m.year ?? '', m.genres.join('|')]),
    );
    if (data.links) {
      await writeCsv(
        join(temp, 'links.csv'),
        ['movieId', 'imdbId', 'tmdbId'],
        data.links.map((l) => [l.movieId, l.imdbId, l.tmdbId ?? '']),
      );
    }
    if (data.tags) {
      await writeCsv(
        join(temp, 'tags.csv'),
        ['userId', 'movieId', 'tag', 'timestamp'],
        data.tags.map((t) => [t.userId, t.movieId, t.tag, t.timestamp]),
      );
    }
    if (data.genome) {
      const { tags, scores } = data.genome;
      await writeCsv(
        join(temp, 'genome-tags.csv'),
        ['tagId', 'tag'],
        tags.map((t) => [t.tagId, t.tag]),
      );
      await writeLines(join(temp, 'genome-scores.csv'), 'movieId,tagId,relevance', scores.length, (i) => {
        const s = scores[i];
        return `${s.movieId},${s.tagId},${s.relevance}`;
      });
    }
    const sample = sampleIndices(data.ratings, data.sampleSize);
    hashes.set('sample-ratings.csv', await writeRatings(join(temp, 'sample-ratings.csv'), data.ratings, sample));

    const outputs: IngestReport['outputs'] = {};
    for (const name of ['ratings.csv', 'movies.csv', 'links.csv', 'tags.csv', 'genome-tags.csv', 'genome-scores.csv', 'sample-ratings.csv']) {
      if (name === 'links.csv' && !data.links) continue;
      if (name === 'tags.csv' && !data.tags) continue;
      if (name.startsWith('genome-') && !data.genome) continue;
      outputs[name] = { bytes: statSync(join(temp, name)).size, sha256: hashes.get(name) ?? (await hashFile(join(temp, name))) };
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
        ...(data.genome ? { genomeTags: data.genome.tags.length, genomeScores: data.genome.scores.length } : {}),
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
