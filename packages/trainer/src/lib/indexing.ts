import { buildIdIndex, type IdIndex } from '@reelrank/model';
import type { RatingsColumns } from './ratings.js';

export { buildIdIndex, type IdIndex } from '@reelrank/model';

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
