import type { GenomeScore, GenomeTag } from './parse-genome.js';
import type { Link } from './parse-links.js';
import type { Movie, ParsedFile } from './parse-movies.js';
import { type ParsedRatings, RatingsBuffer } from '@reelrank/csv';
import type { Tag } from './parse-tags.js';

// Declarative constants and counters (alike synthetic.ts's / clean.ts's by shape only).
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
  genomeTags?: FileCounts;
  genomeScores?: FileCounts;
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

/** Ids up to this bound are ordered by counting sort (MovieLens ids are compact); beyond, by comparison. */
function countable(maxKey: number, rows: number): boolean {
  return maxKey <= 4 * rows + 1_000_000;
}

/** `order` stably re-ordered by `keys[i]` (all in 0..maxKey), by counting sort. */
function countingSortBy(keys: Int32Array, order: Uint32Array, maxKey: number): Uint32Array {
  const offsets = new Int32Array(maxKey + 2);
  for (let k = 0; k < order.length; k += 1) offsets[keys[order[k]] + 1] += 1;
  for (let key = 1; key < offsets.length; key += 1) offsets[key] += offsets[key - 1];
  const sorted = new Uint32Array(order.length);
  for (let k = 0; k < order.length; k += 1) {
    const i = order[k];
    sorted[offsets[keys[i]]++] = i;
  }
  return sorted;
}

/**
 * Rejects ratings outside 0.5..5.0 and ratings of movies not in `knownMovies`, then keeps the
 * latest rating of each (user, movie) pair (latest timestamp; on a tie the later row in the file).
 * Returns the ratings sorted by userId, movieId, as the processed contract wants them.
 *
 * O(n) and no comparator: MovieLens files come sorted, so when every row is valid and already
 * strictly ordered the parsed buffer itself is returned (no copy); otherwise two stable counting
 * sorts (by movie, then by user) order the row indices, and one scan keeps the latest of each pair.
 */
export function cleanRatings(parsed: ParsedRatings, knownMovies: Uint8Array): { ratings: RatingsBuffer; counts: FileCounts } {
  const result = counts(parsed.file, parsed.read, parsed.malformed);
  const { users, movies, ratings, timestamps, length } = parsed.ratings;
  const known = knownMovies.length;
  const isValid = (i: number): boolean => {
    const r = ratings[i];
    return r >= MIN_RATING && r <= MAX_RATING && movies[i] < known && knownMovies[movies[i]] === 1;
  };

  // Pass 1: count drops, find the id ranges and whether the valid rows are already in order.
  let ordered = true;
  let previousUser = -Infinity;
  let previousMovie = -Infinity;
  let maxUser = 0;
  let maxMovie = 0;
  let minId = Infinity;
  let m = 0;
  for (let i = 0; i < length; i += 1) {
    const r = ratings[i];
    const movie = movies[i];
    if (!(r >= MIN_RATING && r <= MAX_RATING)) result.dropped.outOfRange += 1;
    else if (movie >= known || knownMovies[movie] !== 1) result.dropped.unknownMovie += 1;
    else {
      const user = users[i];
      m += 1;
      if (ordered && !(user > previousUser || (user === previousUser && movie > previousMovie))) ordered = false;
      previousUser = user;
      previousMovie = movie;
      if (user > maxUser) maxUser = user;
      if (movie > maxMovie) maxMovie = movie;
      if (user < minId) minId = user;
      if (movie < minId) minId = movie;
    }
  }
  if (ordered && m === length) {
    result.kept = length;
    return { ratings: parsed.ratings, counts: result };
  }
  const valid = new Uint32Array(m);
  for (let i = 0, k = 0; i < length; i += 1) if (isValid(i)) valid[k++] = i;
  if (ordered) {
    result.kept = m;
    return { ratings: parsed.ratings.select(valid, m), counts: result };
  }

  // Sort row indices by (user, movie, index): stable counting sorts when ids are compact.
  let sorted: Uint32Array;
  if (minId >= 0 && countable(maxUser, m) && countable(maxMovie, m)) {
    sorted = countingSortBy(users, countingSortBy(movies, valid, maxMovie), maxUser);
  } else {
    sorted = valid.sort((a, b) => users[a] - users[b] || movies[a] - movies[b] || a - b);
  }
  // Within a run of one (user, movie) keep the latest timestamp, on a tie the later row (larger index).
  let kept = 0;
  for (let k = 0; k < m;) {
    const user = users[sorted[k]];
    const movie = movies[sorted[k]];
    let best = sorted[k];
    let end = k + 1;
    while (end < m && users[sorted[end]] === user && movies[sorted[end]] === movie) {
      const i = sorted[end];
      if (timestamps[i] >= timestamps[best]) best = i;
      end += 1;
    }
    result.dropped.duplicate += end - k - 1;
    sorted[kept++] = best; // kept <= k: compacting in place is safe
    k = end;
  }
  result.kept = kept;
  return { ratings: parsed.ratings.select(sorted, kept), counts: result };
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

/**
 * The tag genome: tags by id (first row wins on a repeated id), and the scores of known movies and
 * known tags with a relevance in 0..1 (others out of range), one per (movie, tag), sorted by movie, tag.
 */
export function cleanGenome(
  parsedTags: ParsedFile<GenomeTag>,
  parsedScores: ParsedFile<GenomeScore>,
  knownMovies: Uint8Array,
): { tags: GenomeTag[]; scores: GenomeScore[]; tagCounts: FileCounts; scoreCounts: FileCounts } {
  const tagCounts = counts(parsedTags.file, parsedTags.read, parsedTags.malformed);
  const byId = new Map<number, GenomeTag>();
  for (const tag of parsedTags.rows) {
    if (byId.has(tag.tagId)) tagCounts.dropped.duplicate += 1;
    else byId.set(tag.tagId, tag);
  }
  const tags = [...byId.values()].sort((a, b) => a.tagId - b.tagId);
  tagCounts.kept = tags.length;
  const scoreCounts = counts(parsedScores.file, parsedScores.read, parsedScores.malformed);
  const kept: GenomeScore[] = [];
  for (const score of parsedScores.rows) {
    if (knownMovies[score.movieId] !== 1) scoreCounts.dropped.unknownMovie += 1;
    else if (!byId.has(score.tagId)) scoreCounts.dropped.malformed += 1;
    else if (!(score.relevance >= 0 && score.relevance <= 1)) scoreCounts.dropped.outOfRange += 1;
    else kept.push(score);
  }
  kept.sort((a, b) => a.movieId - b.movieId || a.tagId - b.tagId);
  const scores = kept.filter((s, i) => i === 0 || s.movieId !== kept[i - 1].movieId || s.tagId !== kept[i - 1].tagId);
  scoreCounts.dropped.duplicate += kept.length - scores.length;
  scoreCounts.kept = scores.length;
  return { tags, scores, tagCounts, scoreCounts };
}
