import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import { buildIdIndex } from './id-index.js';

/**
 * A profile of the ratings a model was trained on, written beside it (drift-profile.json): four
 * histograms the drift monitor compares recent posted ratings with, plus what it needs to bin them
 * the same way (each movie's genres, the data set's user ids). Built in one pass over the ratings.
 *
 * - rating:       the 10 half-star values;
 * - userActivity: users by how many ratings they have in the sample, log2 bins (1, 2-3, 4-7, ..., 1024+);
 * - genre:        the genres of the rated movies, a rating of a k-genre movie counting 1/k for each;
 *                 movies the profile does not know (added after the training) in a bin of their own;
 * - newUsers:     ratings by users of the data set vs by users only the posted ratings have.
 */

export const DRIFT_PROFILE_FILE = 'drift-profile.json';
export const DRIFT_PROFILE_FORMAT = 'reelrank-drift-profile';
export const DRIFT_PROFILE_FORMAT_VERSION = 1;

export const DRIFT_FEATURES = ['rating', 'userActivity', 'genre', 'newUsers'] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];

export interface FeatureHistogram {
  bins: string[];
  counts: number[];
}

export interface RatingsProfile {
  ratings: number;
  users: number;
  features: Record<DriftFeature, FeatureHistogram>;
}

/** Movie -> genres as bit masks over `names` (at most 32 names: the 32nd collects the rest). */
export interface GenreIndex {
  names: string[];
  movieIds: number[];
  masks: number[];
}

export interface DriftProfile extends RatingsProfile {
  format: typeof DRIFT_PROFILE_FORMAT;
  formatVersion: typeof DRIFT_PROFILE_FORMAT_VERSION;
  /** The model version it describes (a profile of another version is not used). */
  modelVersion: string;
  createdAt: string;
  genreIndex: GenreIndex;
  /** The data set's user ids as inclusive ranges, ascending. */
  dataSetUsers: [number, number][];
}

export interface RatingsSample {
  userIds: ArrayLike<number>;
  movieIds: ArrayLike<number>;
  ratings: ArrayLike<number>;
}

const RATING_BINS = Array.from({ length: 10 }, (_, i) => ((i + 1) / 2).toFixed(1));
const ACTIVITY_BINS = Array.from({ length: 11 }, (_, i) => (i === 0 ? '1' : i === 10 ? '1024+' : `${2 ** i}-${2 ** (i + 1) - 1}`));
const NEW_USER_BINS = ['data set', 'new'];
const NO_GENRES = '(no genres listed)';
const OTHER_GENRES = '(other genres)';
const UNKNOWN_MOVIE = '(unknown movie)';
const MAX_GENRES = 32;

/** A genre index from the catalogue's movies (`genres` empty when none are listed; a repeated one counts once). */
export function buildGenreIndex(movies: Iterable<{ movieId: number; genres: readonly string[] }>): GenreIndex {
  const list = [...movies].map((m) => ({ movieId: m.movieId, genres: [...new Set(m.genres.filter(Boolean))] }));
  const frequency = new Map<string, number>();
  for (const m of list) for (const g of m.genres.length ? m.genres : [NO_GENRES]) frequency.set(g, (frequency.get(g) ?? 0) + 1);
  let names = [...frequency.keys()].sort();
  if (names.length > MAX_GENRES) {
    const kept = new Set(
      [...frequency.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, MAX_GENRES - 1)
        .map(([g]) => g),
    );
    names = [...names.filter((g) => kept.has(g)), OTHER_GENRES];
  }
  const bit = new Map(names.map((g, i) => [g, i]));
  const other = bit.get(OTHER_GENRES);
  list.sort((a, b) => a.movieId - b.movieId);
  return {
    names,
    movieIds: list.map((m) => m.movieId),
    masks: list.map((m) => {
      let mask = 0;
      for (const g of m.genres.length ? m.genres : [NO_GENRES]) mask |= 1 << (bit.get(g) ?? other!);
      return mask >>> 0;
    }),
  };
}

/** Distinct ids as inclusive ranges, ascending (one pass when the ids come sorted, as the ratings columns do). */
export function idRanges(ids: ArrayLike<number>): [number, number][] {
  const distinct: number[] = [];
  let sorted = true;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const last = distinct.length ? distinct[distinct.length - 1] : Number.NaN;
    if (id === last) continue;
    if (id < last) sorted = false;
    distinct.push(id);
  }
  if (!sorted) distinct.splice(0, distinct.length, ...new Set(distinct.sort((a, b) => a - b)));
  const ranges: [number, number][] = [];
  for (const id of distinct) {
    const last = ranges.at(-1);
    if (last && id === last[1] + 1) last[1] = id;
    else ranges.push([id, id]);
  }
  return ranges;
}

function inRanges(ranges: readonly [number, number][], id: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (id < ranges[mid][0]) hi = mid - 1;
    else if (id > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** How a profile bins a sample: the genre index and the data set's users (those of the profile, for a window). */
export interface ProfileBinning {
  genreIndex: GenreIndex;
  dataSetUsers: [number, number][];
}

const maskLookups = new WeakMap<GenreIndex, Map<number, number>>();
function maskOf(index: GenreIndex): Map<number, number> {
  let map = maskLookups.get(index);
  if (!map) maskLookups.set(index, (map = new Map(index.movieIds.map((id, i) => [id, index.masks[i]]))));
  return map;
}

/** The four histograms of a sample of ratings, in one pass (plus one over its users and one over its movies). */
export function profileRatings(sample: RatingsSample, binning: ProfileBinning): RatingsProfile {
  const n = sample.ratings.length;
  const { names } = binning.genreIndex;
  const masks = maskOf(binning.genreIndex);
  const rating = new Array<number>(RATING_BINS.length).fill(0);
  const genre = new Array<number>(names.length + 1).fill(0);
  const newUsers = [0, 0];
  const perUser = new Map<number, number>();
  const perMovie = movieCounter(sample.movieIds);
  // Ratings come grouped by user (the training columns) or nearly so: the user's facts are looked up once per run.
  let user = Number.NaN;
  let known = false;
  let run = 0;
  const endRun = () => {
    if (run) perUser.set(user, (perUser.get(user) ?? 0) + run);
  };
  for (let i = 0; i < n; i++) {
    if (sample.userIds[i] !== user) {
      endRun();
      user = sample.userIds[i];
      known = inRanges(binning.dataSetUsers, user);
      run = 0;
    }
    run++;
    rating[Math.min(9, Math.max(0, Math.round(sample.ratings[i] * 2) - 1))]++;
    newUsers[known ? 0 : 1]++;
    perMovie.add(sample.movieIds[i]);
  }
  endRun();
  // Genres per movie, not per rating: a rating of a k-genre movie counts 1/k for each of them.
  for (const [movie, count] of perMovie.entries()) {
    const mask = masks.get(movie);
    if (mask === undefined) {
      genre[names.length] += count;
      continue;
    }
    let k = 0;
    for (let m = mask; m; m >>>= 1) k += m & 1;
    for (let b = 0; b < names.length; b++) if (mask & (1 << b)) genre[b] += count / k;
  }
  const activity = new Array<number>(ACTIVITY_BINS.length).fill(0);
  for (const count of perUser.values()) activity[Math.min(ACTIVITY_BINS.length - 1, Math.floor(Math.log2(count)))]++;
  return {
    ratings: n,
    users: perUser.size,
    features: {
      rating: { bins: RATING_BINS, counts: rating },
      userActivity: { bins: ACTIVITY_BINS, counts: activity },
      genre: { bins: [...names, UNKNOWN_MOVIE], counts: genre.map((c) => Number(c.toFixed(6))) },
      newUsers: { bins: NEW_USER_BINS, counts: newUsers },
    },
  };
}

/** Ratings per movie, listed in the order the movies first appear (as a Map iterates), counted in an array by movie index. */
function movieCounter(movieIds: ArrayLike<number>): { add(movie: number): void; entries(): Iterable<[number, number]> } {
  const movies = buildIdIndex(movieIds instanceof Int32Array ? movieIds : Int32Array.from(movieIds));
  const counts = new Int32Array(movies.ids.length);
  const order: number[] = [];
  return {
    add: (movie) => {
      const m = movies.indexOf(movie);
      if (counts[m]++ === 0) order.push(m);
    },
    entries: () => order.map((m): [number, number] => [movies.ids[m], counts[m]]),
  };
}

/** The training data's profile, for the model `modelVersion`. */
export function buildDriftProfile(
  sample: RatingsSample,
  binning: ProfileBinning,
  modelVersion: string,
  createdAt = new Date().toISOString(),
): DriftProfile {
  return {
    format: DRIFT_PROFILE_FORMAT,
    formatVersion: DRIFT_PROFILE_FORMAT_VERSION,
    modelVersion,
    createdAt,
    ...profileRatings(sample, binning),
    genreIndex: binning.genreIndex,
    dataSetUsers: binning.dataSetUsers,
  };
}

/** Writes the profile into the model folder (temp + fsync + rename). */
export function writeDriftProfile(dir: string, profile: DriftProfile): void {
  writeFileAtomic(join(dir, DRIFT_PROFILE_FILE), `${JSON.stringify(profile)}\n`);
}

/** The profile in `dir` when it describes `modelVersion`; null when there is none, it is unreadable or of another version. */
export function readDriftProfile(dir: string, modelVersion: string): DriftProfile | null {
  const path = join(dir, DRIFT_PROFILE_FILE);
  if (!existsSync(path)) return null;
  try {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as DriftProfile;
    const ok =
      profile.format === DRIFT_PROFILE_FORMAT &&
      profile.formatVersion === DRIFT_PROFILE_FORMAT_VERSION &&
      profile.modelVersion === modelVersion &&
      DRIFT_FEATURES.every((f) => Array.isArray(profile.features?.[f]?.counts));
    return ok ? profile : null;
  } catch {
    return null;
  }
}
