import type { CatalogMovie } from './catalog.js';
import type { CatalogueIndex } from './serving-index.js';
import type { ModelIndex } from '@reelrank/model';

/**
 * A movie as the catalogue's overlay has it (added or changed through the API): the whole movie as it
 * must now be served, and whether it is hidden. The data set's movies are the base; a change replaces
 * the base movie of its id, or adds a movie the data set does not have.
 */
export interface MovieChange {
  movie: CatalogMovie;
  hidden: boolean;
}

/**
 * Applies one change to the catalogue index in place, between requests: the movie by id, its entry
 * and genre bits at its model position (a movie the model never saw has none: it is catalogued, never
 * ranked), and the hidden mask. Returns the model position whose masking changed, if any (the
 * request mask's resting state follows it). A genre beyond the 32 the bit sets hold gets no bit: the
 * movie is then left out of genre-filtered lists.
 */
export function applyMovieChange(catalogue: CatalogueIndex, ids: ModelIndex, change: MovieChange): number | undefined {
  const { movie, hidden } = change;
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
