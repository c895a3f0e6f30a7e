// The visitor's ratings, kept in localStorage (newest first); no DOM here.

export const STORAGE_KEY = 'reelrank.ratings.v1';
export const STAR_VALUES = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];

/** @type {Map<number, {movie_id:number, title:string, year:number|null, genres:string[], rating:number}>} newest first */
let ratings = new Map();

export function loadRatings() {
  try {
    const list = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
    if (Array.isArray(list)) {
      ratings = new Map(
        list
          .filter((r) => r && Number.isInteger(r.movie_id) && STAR_VALUES.includes(r.rating))
          .map((r) => [
            r.movie_id,
            {
              movie_id: r.movie_id,
              title: String(r.title ?? `Movie ${r.movie_id}`),
              year: r.year ?? null,
              genres: Array.isArray(r.genres) ? r.genres : [],
              rating: r.rating,
            },
          ]),
      );
    }
  } catch {
    ratings = new Map();
  }
}

export function saveRatings() {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify([...ratings.values()]));
  } catch {
    // storage full or disabled: the ratings still work for this visit
  }
}

/** The rating entry of a movie, or undefined. */
export const ratingOf = (movieId) => ratings.get(movieId);

/** Every rating entry, newest first. */
export const allRatings = () => [...ratings.values()];

export const ratingCount = () => ratings.size;

/** Sets a movie's rating (a newly rated movie goes first) and saves; true when the movie was not rated before. */
export function putRating(movie, value) {
  const existing = ratings.get(movie.movie_id);
  if (existing) {
    existing.rating = value;
  } else {
    // newest first
    ratings = new Map([
      [movie.movie_id, { movie_id: movie.movie_id, title: movie.title, year: movie.year ?? null, genres: movie.genres ?? [], rating: value }],
      ...ratings,
    ]);
  }
  saveRatings();
  return !existing;
}

export function deleteRating(movieId) {
  ratings.delete(movieId);
  saveRatings();
}
