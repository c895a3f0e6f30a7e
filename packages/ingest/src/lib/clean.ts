import type { Link } from './parse-links.js';
import type { Movie, ParsedFile } from './parse-movies.js';
import type { ParsedRatings } from './parse-ratings.js';
import { RatingsBuffer } from './ratings-buffer.js';
import type { Tag } from './parse-tags.js';

export const MIN_RATING = 0.5;
export const MAX_RATING = 5.0;

export interface DropCounts {
  malformed: number;
  duplicate: number;
  outOfRange: number;
  unknownMovie: number;
}

export interface FileCounts {
  file: string;
  read: number;
  kept: number;
  dropped: DropCounts;
}

/** What cleaning did to each source file; links and tags only when the source has them. */
export interface CleaningReport {
  ratings: FileCounts;
  movies: FileCounts;
  links?: FileCounts;
  tags?: FileCounts;
}

function counts(file: string, read: number, malformed: number): FileCounts {
  return { file, read, kept: 0, dropped: { malformed, duplicate: 0, outOfRange: 0, unknownMovie: 0 } };
}

/** Movies by id (first row wins on a repeated id), sorted by id. */
export function cleanMovies(parsed: ParsedFile<Movie>): { movies: Movie[]; counts: FileCounts } {
  const result = counts(parsed.file, parsed.read, parsed.malformed);
  const byId = new Map<number, Movie>();
  for (const movie of parsed.rows) {
    if (byId.has(movie.movieId)) result.dropped.duplicate += 1;
    else byId.set(movie.movieId, movie);
  }
  const movies = [...byId.values()].sort((a, b) => a.movieId - b.movieId);
  result.kept = movies.length;
  return { movies, counts: result };
}

/** A membership table indexed by movie id: far faster than a Set over 20M lookups. */
export function movieIdTable(movies: readonly { movieId: number }[]): Uint8Array {
  let max = 0;
  for (const movie of movies) max = Math.max(max, movie.movieId);
  const table = new Uint8Array(max + 1);
  for (const movie of movies) table[movie.movieId] = 1;
  return table;
}

/** Orders `order` by the user of each index: a counting sort when ids are compact (they are in MovieLens). */
function groupByUser(users: Int32Array, order: Uint32Array): { sorted: Uint32Array; starts: number[] } {
  let maxUser = 0;
  for (const i of order) if (users[i] > maxUser) maxUser = users[i];
  let sorted: Uint32Array;
  if (maxUser <= 4 * order.length + 1_000_000) {
    const offsets = new Int32Array(maxUser + 2);
    for (const i of order) offsets[users[i] + 1] += 1;
    for (let u = 1; u < offsets.length; u += 1) offsets[u] += offsets[u - 1];
    sorted = new Uint32Array(order.length);
    for (const i of order) sorted[offsets[users[i]]++] = i;
  } else {
    sorted = order.slice().sort((a, b) => users[a] - users[b] || a - b);
  }
  const starts: number[] = [];
  for (let k = 0; k < sorted.length; k += 1) if (k === 0 || users[sorted[k]] !== users[sorted[k - 1]]) starts.push(k);
  starts.push(sorted.length);
  return { sorted, starts };
}

/**
 * Rejects ratings outside 0.5..5.0 and ratings of movies not in `knownMovies`, then keeps the
 * latest rating of each (user, movie) pair (latest timestamp; on a tie the later row in the file).
 * Returns the ratings sorted by userId, movieId, as the processed contract wants them.
 */
export function cleanRatings(parsed: ParsedRatings, knownMovies: Uint8Array): { ratings: RatingsBuffer; counts: FileCounts } {
  const result = counts(parsed.file, parsed.read, parsed.malformed);
  const { users, movies, ratings, timestamps, length } = parsed.ratings;
  const valid = new Uint32Array(length);
  let m = 0;
  for (let i = 0; i < length; i += 1) {
    const r = ratings[i];
    if (!(r >= MIN_RATING && r <= MAX_RATING)) result.dropped.outOfRange += 1;
    else if (movies[i] >= knownMovies.length || knownMovies[movies[i]] !== 1) result.dropped.unknownMovie += 1;
    else valid[m++] = i;
  }
  const { sorted, starts } = groupByUser(users, valid.subarray(0, m));
  const keep = new Uint32Array(m);
  let kept = 0;
  const byMovieThenTime = (a: number, b: number) => movies[a] - movies[b] || timestamps[a] - timestamps[b] || a - b;
  for (let s = 0; s + 1 < starts.length; s += 1) {
    const slice = sorted.subarray(starts[s], starts[s + 1]);
    if (slice.length > 1) slice.sort(byMovieThenTime);
    for (let k = 0; k < slice.length; k += 1) {
      // Within a run of one movie the last index is the latest: keep it, count the rest.
      if (k + 1 < slice.length && movies[slice[k + 1]] === movies[slice[k]]) result.dropped.duplicate += 1;
      else keep[kept++] = slice[k];
    }
  }
  result.kept = kept;
  return { ratings: parsed.ratings.select(keep, kept), counts: result };
}

/** Links of known movies, one per movie (first wins), sorted by movie id. */
export function cleanLinks(parsed: ParsedFile<Link>, knownMovies: Uint8Array): { links: Link[]; counts: FileCounts } {
  const result = counts(parsed.file, parsed.read, parsed.malformed);
  const seen = new Set<number>();
  const links: Link[] = [];
  for (const link of parsed.rows) {
    if (knownMovies[link.movieId] !== 1) result.dropped.unknownMovie += 1;
    else if (seen.has(link.movieId)) result.dropped.duplicate += 1;
    else {
      seen.add(link.movieId);
      links.push(link);
    }
  }
  links.sort((a, b) => a.movieId - b.movieId);
  result.kept = links.length;
  return { links, counts: result };
}

/** Tags of known movies, exact repeats (same user, movie, tag) dropped, sorted by user, movie, time. */
export function cleanTags(parsed: ParsedFile<Tag>, knownMovies: Uint8Array): { tags: Tag[]; counts: FileCounts } {
  const result = counts(parsed.file, parsed.read, parsed.malformed);
  const seen = new Set<string>();
  const tags: Tag[] = [];
  for (const tag of parsed.rows) {
    const key = `${tag.userId}\u0000${tag.movieId}\u0000${tag.tag}`;
    if (knownMovies[tag.movieId] !== 1) result.dropped.unknownMovie += 1;
    else if (seen.has(key)) result.dropped.duplicate += 1;
    else {
      seen.add(key);
      tags.push(tag);
    }
  }
  tags.sort((a, b) => a.userId - b.userId || a.movieId - b.movieId || a.timestamp - b.timestamp);
  result.kept = tags.length;
  return { tags, counts: result };
}
