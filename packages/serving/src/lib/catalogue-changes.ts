import type { CatalogMovie } from './catalog.js';
import type { CatalogueIndex } from './serving-index.js';
import type { ModelIndex } from '@reelrank/model';

/**
 * A movie of the catalogue's overlay (added or changed through the API): the fields it sets over the
 * data set's movie of its id (all of title, year and genres for a movie the data set does not have),
 * and whether it is hidden.
 */
export interface MovieChange {
  movieId: number;
  fields: { title?: string; year?: number | null; genres?: string[] };
  hidden: boolean;
}

/** The movie a change makes of the data set's movie `base` (undefined: a change of a movie neither has, e.g. one a newer data set dropped). */
export function resolveMovie(base: CatalogMovie | undefined, change: MovieChange): CatalogMovie | undefined {
  const { fields } = change;
  const title = fields.title ?? base?.title;
  if (title === undefined) return undefined;
  return {
    movieId: change.movieId,
    title,
    year: fields.year !== undefined ? fields.year : (base?.year ?? null),
    genres: fields.genres ?? base?.genres ?? [],
  };
}

/**
 * Applies one resolved change to the catalogue index in place, between requests: the movie by id, its entry
 * and genre bits at its model position (a movie the model never saw has none: it is catalogued, never
 * ranked), and the hidden mask. Returns the model position whose masking changed, if any (the
 * request mask's resting state follows it). A genre beyond the 32 the bit sets hold gets no bit: the
 * movie is then left out of genre-filtered lists.
 */
export function applyMovieChange(catalogue: CatalogueIndex, ids: ModelIndex, movie: CatalogMovie, hidden: boolean): number | undefined {
  catalogue.movies.set(movie.movieId, movie);
  if (hidden) catalogue.hiddenIds.add(movie.movieId);
  else catalogue.hiddenIds.delete(movie.movieId);
  const i = ids.movieIndex.get(movie.movieId);
  if (i === undefined) return undefined;
  const before = catalogue.unservable[i] | catalogue.hidden[i];
  catalogue.movieAt[i] = movie;
  catalogue.unservable[i] = 0;
  let bits = 0;
  for (const genre of movie.genres) {
    const key = genre.toLowerCase();
    let entry = catalogue.genreByKey.get(key);
    if (!entry && catalogue.genreByKey.size < 32) catalogue.genreByKey.set(key, (entry = { name: genre, bit: 2 ** catalogue.genreByKey.size }));
    if (entry) bits = (bits | entry.bit) >>> 0;
  }
  catalogue.genreBits[i] = bits;
  catalogue.hidden[i] = hidden ? 1 : 0;
  return before === catalogue.hidden[i] ? undefined : i;
}
