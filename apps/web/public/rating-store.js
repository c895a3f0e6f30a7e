// The visitor's ratings, stored on the server (POST /ratings, GET and DELETE /users/{id}/ratings) under the
// user id of this browser's visitor identity: a signed, HttpOnly cookie the server sets (POST /visitor),
// which is the credential of those calls; the page only learns the id from the answer. So the ratings
// survive a browser restart, are shared by every tab, change the picks at once (fold-in) and count in
// the next training. localStorage keeps a copy of the list with the titles, painted before the server
// answers. No DOM here.
//
// Before the cookie, the page drew a user id itself and kept it in localStorage (USER_KEY): such a
// browser's list (its copy in CACHE_KEY) is posted once under the visitor's id, like the legacy list.

import { api, ApiError } from './api-client.js';

/** Ratings of the page before they lived on the server; posted once, then removed (migrateLegacy). */
export const LEGACY_KEY = 'reelrank.ratings.v1';
/** The copy of the server's list, with titles (newest first). */
export const CACHE_KEY = 'reelrank.ratings.v2';
/** The user id the page drew itself before the visitor cookie; its list is posted once under the visitor's id, then it is removed. */
export const USER_KEY = 'reelrank.user.v1';
export const STAR_VALUES = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];

/** Parallel GET /movies/{id} when the server lists movies this browser has no title for. */
const DETAIL_FETCHES = 6;

/** @type {Map<number, {movie_id:number, title:string, year:number|null, genres:string[], rating:number}>} newest first */
let ratings = new Map();

const read = (key) => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};
const write = (key, value) => {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage full or disabled: the server keeps the ratings anyway
  }
};

/** Valid entries of a stored list (the cache or the legacy list). */
function parseList(text) {
  try {
    const list = JSON.parse(text || '[]');
    if (!Array.isArray(list)) return [];
    return list
      .filter((r) => r && Number.isInteger(r.movie_id) && r.movie_id > 0 && STAR_VALUES.includes(r.rating))
      .map((r) => ({
        movie_id: r.movie_id,
        title: String(r.title ?? `Movie ${r.movie_id}`),
        year: r.year ?? null,
        genres: Array.isArray(r.genres) ? r.genres : [],
        rating: r.rating,
      }));
  } catch {
    return [];
  }
}

/** @type {Promise<number> | undefined} */
let visitor;

/**
 * `api` for calls made as the visitor: when the server refuses the cookie (expired or altered; it
 * clears it and says so with a 401), the visitor is forgotten, so the next call gets a new identity
 * from POST /visitor instead of failing forever. The error still reaches the caller, who shows it.
 */
export async function visitorApi(path, init) {
  try {
    return await api(path, init);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'invalid_visitor') visitor = undefined;
    throw error;
  }
}

/** This browser's user id: its visitor identity's (POST /visitor sets or renews the cookie), asked once per page. */
export function userId() {
  visitor ??= api('visitor', { method: 'POST' }).then(
    (body) => body.user_id,
    (error) => {
      visitor = undefined; // asked again next time
      throw error;
    },
  );
  return visitor;
}

function saveCache() {
  write(CACHE_KEY, JSON.stringify([...ratings.values()]));
}

/** The list as last seen (this tab or another): shown at once, then replaced by the server's. */
export function loadCached() {
  ratings = new Map(parseList(read(CACHE_KEY)).map((r) => [r.movie_id, r]));
}

/** Runs the store's writes one after another, so the server sees them in the order the person made them. */
let queue = Promise.resolve();
const serially = (task) => {
  const run = queue.then(task);
  queue = run.catch(() => undefined);
  return run;
};

/** Title, year and genres of movies the server lists but this browser never showed (another device). */
async function details(movieIds) {
  const found = new Map();
  const todo = [...movieIds];
  const worker = async () => {
    for (let id = todo.shift(); id !== undefined; id = todo.shift()) {
      const movie = await api(`movies/${id}`);
      found.set(id, { title: movie.title, year: movie.year ?? null, genres: movie.genres ?? [] });
    }
  };
  await Promise.all(Array.from({ length: Math.min(DETAIL_FETCHES, todo.length) }, worker));
  return found;
}

/** Replaces the list with the server's (GET /users/{id}/ratings), newest first; throws ApiError when unreachable. */
export function syncFromServer() {
  return serially(sync);
}

async function sync() {
  const body = await visitorApi(`users/${await userId()}/ratings`);
  const missing = body.ratings.filter((r) => !ratings.has(r.movie_id)).map((r) => r.movie_id);
  const fetched = await details(missing);
  // Newest first; ratings of the same second keep the order this browser saw (timestamps are whole seconds).
  const seen = new Map([...ratings.keys()].map((id, i) => [id, i]));
  const order = (r) => seen.get(r.movie_id) ?? -1;
  const sorted = [...body.ratings].sort((a, b) => b.timestamp - a.timestamp || order(a) - order(b));
  ratings = new Map(
    sorted.map((r) => {
      const known = ratings.get(r.movie_id) ?? { movie_id: r.movie_id, ...fetched.get(r.movie_id) };
      return [r.movie_id, { movie_id: r.movie_id, title: known.title, year: known.year ?? null, genres: known.genres ?? [], rating: r.rating }];
    }),
  );
  saveCache();
}

/**
 * Posts the ratings an earlier version of the page kept only in this browser, once. Movies the catalogue
 * does not know (404 naming them) are left out and returned, so the caller can say so; any other failure
 * leaves the legacy list in place for the next visit and throws.
 */
export function migrateLegacy() {
  return serially(migrate);
}

async function migrate() {
  const drewOwnId = read(USER_KEY) !== null;
  if (read(LEGACY_KEY) === null && !drewOwnId) return { dropped: [] };
  let dropped = [];
  const byMovie = new Map(parseList(read(LEGACY_KEY)).map((r) => [r.movie_id, r]));
  if (drewOwnId) for (const r of parseList(read(CACHE_KEY))) byMovie.set(r.movie_id, r);
  let toPost = [...byMovie.values()];
  for (let attempt = 0; toPost.length && attempt < 2; attempt++) {
    try {
      const user = await userId();
      await visitorApi('ratings', {
        method: 'POST',
        body: JSON.stringify({ ratings: toPost.map((r) => ({ user_id: user, movie_id: r.movie_id, rating: r.rating })) }),
      });
      break;
    } catch (error) {
      const unknown =
        error instanceof ApiError && error.code === 'movie_not_found' ? error.details.map((d) => Number(/(\d+)$/.exec(d.message)?.[1])) : [];
      if (attempt > 0 || !unknown.length) throw error;
      dropped = toPost.filter((r) => unknown.includes(r.movie_id));
      toPost = toPost.filter((r) => !unknown.includes(r.movie_id));
    }
  }
  // The titles for the list until the server's answer replaces it.
  for (const r of toPost) if (!ratings.has(r.movie_id)) ratings.set(r.movie_id, r);
  saveCache();
  write(LEGACY_KEY, null);
  write(USER_KEY, null);
  return { dropped };
}

/** The rating entry of a movie, or undefined. */
export const ratingOf = (movieId) => ratings.get(movieId);

/** Every rating entry, newest first. */
export const allRatings = () => [...ratings.values()];

export const ratingCount = () => ratings.size;

/** Stores a movie's rating on the server, then here (a newly rated movie goes first); true when the movie was not rated before. */
export function putRating(movie, value) {
  return serially(async () => {
    await visitorApi('ratings', { method: 'POST', body: JSON.stringify({ user_id: await userId(), movie_id: movie.movie_id, rating: value }) });
    const existing = ratings.get(movie.movie_id);
    if (existing) existing.rating = value;
    else {
      const entry = { movie_id: movie.movie_id, title: movie.title, year: movie.year ?? null, genres: movie.genres ?? [], rating: value };
      ratings = new Map([[movie.movie_id, entry], ...ratings]);
    }
    saveCache();
    return !existing;
  });
}

/** Deletes a movie's rating on the server (DELETE /users/{id}/ratings/{movie_id}), then here. */
export function deleteRating(movieId) {
  return serially(async () => {
    await visitorApi(`users/${await userId()}/ratings/${movieId}`, { method: 'DELETE' });
    ratings.delete(movieId);
    saveCache();
  });
}

/** Resolves once every write asked for so far has been answered (the picks then see all of them). */
export const writesSettled = () => queue;
