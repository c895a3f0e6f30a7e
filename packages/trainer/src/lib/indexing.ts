import type { RatingsColumns } from './ratings.js';

/**
 * Raw MovieLens ids -> dense indices. Built from the TRAIN ratings only, ids sorted ascending
 * (as MfModel requires); an id absent from train maps to -1, which `predictRating` handles by
 * falling back through the biases.
 */
export interface IdIndex {
  ids: Int32Array;
  /** Index of an id, or -1. */
  indexOf(id: number): number;
}

/** Largest id for which a dense lookup table is used instead of a Map. */
const DENSE_LIMIT = 1 << 24;

/** The distinct ids, ascending: a presence table when ids are small non-negative integers (20M ids in ~0.1 s), else a Set. */
function distinctSorted(rawIds: Int32Array): Int32Array {
  let min = 0;
  let max = -1;
  for (let r = 0; r < rawIds.length; r++) {
    if (rawIds[r] < min) min = rawIds[r];
    if (rawIds[r] > max) max = rawIds[r];
  }
  if (min < 0 || max >= DENSE_LIMIT) return Int32Array.from(new Set(rawIds)).sort();
  const seen = new Uint8Array(max + 1);
  let count = 0;
  for (let r = 0; r < rawIds.length; r++) {
    if (seen[rawIds[r]] === 0) count++;
    seen[rawIds[r]] = 1;
  }
  const ids = new Int32Array(count);
  for (let id = 0, o = 0; id <= max; id++) if (seen[id]) ids[o++] = id;
  return ids;
}

export function buildIdIndex(rawIds: Int32Array): IdIndex {
  const ids = distinctSorted(rawIds);
  const maxId = ids.length ? ids[ids.length - 1] : -1;
  if (ids.length && ids[0] >= 0 && maxId < DENSE_LIMIT) {
    const table = new Int32Array(maxId + 1).fill(-1);
    ids.forEach((id, index) => (table[id] = index));
    return { ids, indexOf: (id) => (id >= 0 && id <= maxId ? table[id] : -1) };
  }
  const map = new Map<number, number>();
  ids.forEach((id, index) => map.set(id, index));
  return { ids, indexOf: (id) => map.get(id) ?? -1 };
}

export interface Indexing {
  users: IdIndex;
  movies: IdIndex;
}

export function buildIndexing(train: RatingsColumns): Indexing {
  return { users: buildIdIndex(train.userIds), movies: buildIdIndex(train.movieIds) };
}

/** Ratings addressed by dense indices (-1 for ids unknown to the indexing). */
export interface IndexedRatings {
  users: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
  /** Rows whose user / movie is unknown (-1). */
  unknownUsers: number;
  unknownMovies: number;
}

export function indexRatings(columns: RatingsColumns, indexing: Indexing): IndexedRatings {
  const n = columns.ratings.length;
  const users = new Int32Array(n);
  const movies = new Int32Array(n);
  let unknownUsers = 0;
  let unknownMovies = 0;
  for (let r = 0; r < n; r++) {
    const u = indexing.users.indexOf(columns.userIds[r]);
    const i = indexing.movies.indexOf(columns.movieIds[r]);
    users[r] = u;
    movies[r] = i;
    if (u < 0) unknownUsers++;
    if (i < 0) unknownMovies++;
  }
  return { users, movies, ratings: columns.ratings, unknownUsers, unknownMovies };
}

/** Items of each user as compressed rows (CSR): movies of user u are movies[offsets[u]..offsets[u+1]). */
export interface UserItems {
  offsets: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
}

/** Groups known (user, movie) pairs by user; rows with index -1 are skipped. */
export function groupByUser(data: IndexedRatings, nUsers: number): UserItems {
  const offsets = new Int32Array(nUsers + 1);
  for (let r = 0; r < data.users.length; r++) if (data.users[r] >= 0 && data.movies[r] >= 0) offsets[data.users[r] + 1]++;
  for (let u = 0; u < nUsers; u++) offsets[u + 1] += offsets[u];
  const fill = offsets.slice(0, nUsers);
  const movies = new Int32Array(offsets[nUsers]);
  const ratings = new Float32Array(offsets[nUsers]);
  for (let r = 0; r < data.users.length; r++) {
    const u = data.users[r];
    if (u < 0 || data.movies[r] < 0) continue;
    movies[fill[u]] = data.movies[r];
    ratings[fill[u]++] = data.ratings[r];
  }
  return { offsets, movies, ratings };
}
