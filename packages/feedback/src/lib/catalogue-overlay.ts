/**
 * The catalogue's overlay: movies added through the API and changes to the data set's movies (title,
 * year, genres, tags, links, hidden), durable before a write resolves, kept next to the posted
 * ratings (the SQLite ratings file or PostgreSQL's `catalogue_movies`), so a new ingest and load of the
 * data set keeps them. The served catalogue and the next training are the data set's movies with the
 * overlay applied: an overlay row replaces the fields it sets of the movie of its id, or is a movie of
 * its own (`created`).
 *
 * Every write gets the next `revision` (in commit order, never reused): `since(r)` is what changed
 * after r (what a server polls), and `version()` identifies the overlay's whole state (what the train
 * stage's Nx hash reads).
 */

import type { CatalogueFeed, CatalogueFeedEvents } from './postgres-catalogue-listener.js';

/** The fields a movie may have set; an added movie has at least title, year and genres. */
export interface MovieFields {
  title?: string;
  year?: number | null;
  genres?: string[];
  tags?: string[];
  imdbId?: string | null;
  tmdbId?: number | null;
}

export interface NewMovie extends MovieFields {
  title: string;
  year: number | null;
  genres: string[];
}

export interface MoviePatch extends MovieFields {
  hidden?: boolean;
}

export interface OverlayMovie {
  movieId: number;
  /** Added through the API (true), or a change to a data-set movie. */
  created: boolean;
  fields: MovieFields;
  hidden: boolean;
  revision: number;
  /** The identity subject of the last write. */
  source: string;
  /** Unix seconds (the store's clock) of the last write. */
  updatedAt: number;
}

/** The overlay's state: equal versions mean equal contents (rows are never deleted, every write moves newestRevision). */
export interface OverlayVersion {
  count: number;
  newestRevision: number;
}

export interface CatalogueOverlayStore {
  /**
   * Adds a movie under the next free id: `firstFreeId` (above the data set's ids) or above the largest
   * id added so far, whichever is larger.
   */
  add(movie: NewMovie, firstFreeId: number, source: string): Promise<OverlayMovie>;
  /** Sets the patch's fields (and hidden) of a movie, adding an overlay row for a data-set movie on its first change. */
  change(movieId: number, patch: MoviePatch, source: string): Promise<OverlayMovie>;
  /** Every overlay row, by movie id. */
  all(): Promise<OverlayMovie[]>;
  /** The rows written after `revision`, by revision. */
  since(revision: number): Promise<OverlayMovie[]>;
  version(): Promise<OverlayVersion>;
  /**
   * Where the store can push (PostgreSQL: LISTEN/NOTIFY), a feed of other processes' writes; absent,
   * readers only poll since(revision).
   */
  watch?(events: CatalogueFeedEvents): CatalogueFeed;
  close(): Promise<void>;
}

/** The SQL both stores answer version() with (tools/fingerprint-ratings.mjs prints it too). */
export const OVERLAY_VERSION_SQL = 'SELECT count(*) AS count, coalesce(max(revision), 0) AS "newestRevision" FROM catalogue_movies';

/** Refused input (the API's schemas refuse it earlier, naming the field). */
export class InvalidMovieError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvalidMovieError';
  }
}

export const MAX_TITLE_LENGTH = 300;
export const MAX_GENRES = 20;
export const MAX_TAGS = 50;
export const MAX_LABEL_LENGTH = 100;

/** The patch's fields checked (what every implementation stores), without `hidden` and without unset keys. */
export function checkFields(fields: MovieFields): MovieFields {
  const out: MovieFields = {};
  if (fields.title !== undefined) {
    if (typeof fields.title !== 'string' || fields.title.trim() === '' || fields.title.length > MAX_TITLE_LENGTH)
      throw new InvalidMovieError('title', `1..${MAX_TITLE_LENGTH} characters`);
    out.title = fields.title.trim();
  }
  if (fields.year !== undefined) {
    if (fields.year !== null && !(Number.isInteger(fields.year) && fields.year >= 1800 && fields.year <= 2200))
      throw new InvalidMovieError('year', 'an integer 1800..2200 or null');
    out.year = fields.year;
  }
  for (const key of ['genres', 'tags'] as const) {
    const list = fields[key];
    if (list === undefined) continue;
    const max = key === 'genres' ? MAX_GENRES : MAX_TAGS;
    if (!Array.isArray(list) || list.length > max || list.some((g) => typeof g !== 'string' || g.trim() === '' || g.length > MAX_LABEL_LENGTH))
      throw new InvalidMovieError(key, `at most ${max} labels of 1..${MAX_LABEL_LENGTH} characters`);
    out[key] = [...new Set(list.map((g) => g.trim()))];
  }
  if (out.genres?.some((g) => g.includes('|'))) throw new InvalidMovieError('genres', 'a genre cannot contain "|"');
  if (fields.imdbId !== undefined) {
    if (fields.imdbId !== null && !/^\d{1,10}$/.test(fields.imdbId)) throw new InvalidMovieError('imdbId', 'digits only');
    out.imdbId = fields.imdbId;
  }
  if (fields.tmdbId !== undefined) {
    if (fields.tmdbId !== null && !(Number.isSafeInteger(fields.tmdbId) && fields.tmdbId > 0))
      throw new InvalidMovieError('tmdbId', 'a positive integer');
    out.tmdbId = fields.tmdbId;
  }
  return out;
}

/** A new movie's fields checked: title, year and genres required. */
export function checkNewMovie(movie: NewMovie): MovieFields {
  if (movie.title === undefined) throw new InvalidMovieError('title', 'required');
  if (movie.year === undefined) throw new InvalidMovieError('year', 'required (null when unknown)');
  if (movie.genres === undefined) throw new InvalidMovieError('genres', 'required (empty when none)');
  return checkFields(movie);
}

/** The row as stored, from its columns (either dialect). */
export function overlayRow(row: {
  movieId: number | string;
  revision: number | string;
  created: number | boolean;
  fields: string;
  hidden: number | boolean;
  source: string;
  updatedAt: number | string;
}): OverlayMovie {
  return {
    movieId: Number(row.movieId),
    created: Boolean(Number(row.created)),
    fields: JSON.parse(row.fields) as MovieFields,
    hidden: Boolean(Number(row.hidden)),
    revision: Number(row.revision),
    source: row.source,
    updatedAt: Number(row.updatedAt),
  };
}

/** What a write stores for a movie, before the store numbers it. */
export type OverlayDraft = Pick<OverlayMovie, 'created' | 'fields' | 'hidden' | 'source'>;

/** A movie added through the API: its checked fields, shown. */
export const addedMovie = (fields: MovieFields, source: string): OverlayDraft => ({ created: true, fields, hidden: false, source });

/** A movie after a change: the changed fields over its earlier ones, hidden as the patch says (else as before). */
export function changedMovie(before: OverlayMovie | undefined, fields: MovieFields, hidden: boolean | undefined, source: string): OverlayDraft {
  return { created: before?.created ?? false, fields: { ...before?.fields, ...fields }, hidden: hidden ?? before?.hidden ?? false, source };
}

export const OVERLAY_COLUMNS = 'movie_id AS "movieId", revision, created, fields, hidden, source, updated_at AS "updatedAt"';
