import { ModelLoadError, type MovieContent } from '@reelrank/model';
import type { OverlayMovie } from '@reelrank/feedback';
import type { CatalogMovie, MovieChange, Recommender } from '@reelrank/serving';

/**
 * The one reference to the serving model. A (re)load builds the new Recommender completely (model
 * verified, catalogue and seen sets indexed, buffers allocated) and only then replaces the
 * reference, so a request sees either the old model or the new one, never a mix; a request already
 * holding the old Recommender finishes with it. A load that fails (a corrupt or partial model, a
 * missing database) leaves the current model serving and reports why.
 */

/**
 * Who asked for a reload: 'admin' (POST /admin/reload, an activation: a cluster worker announces it
 * so the primary reloads the others), 'signal' (SIGHUP: a rolling reload the primary drives
 * already), 'start' (the first load). It travels with the reload, so reloads that overlap (a SIGHUP
 * while an activation waits for the catalogue) keep their own.
 */
export type ReloadSource = 'start' | 'signal' | 'admin';

export interface ReloadResult {
  status: 'reloaded' | 'unchanged';
  source: ReloadSource;
  version: string;
  previousVersion: string | null;
  dataset: string;
  seconds: number;
}

export class ModelReloadError extends Error {
  constructor(
    message: string,
    readonly liveVersion: string | null,
    readonly reason?: unknown,
  ) {
    super(message);
    this.name = 'ModelReloadError';
  }
}

/** A reload of one given model folder (POST /admin/models/{version}/activate) instead of the live one. */
export interface ReloadTarget {
  /** Who asked (default 'start'). */
  source?: ReloadSource;
  /** Folder to build from (passed to the builder). */
  dir?: string;
  /** The version that folder must hold; anything else is refused and the live model stays. */
  expectVersion?: string;
  /** Runs after the new model is built and checked, before the swap (e.g. moving the registry's live pointer); a throw cancels the swap (ModelReloadError). */
  commit?: (next: Recommender) => void;
}

export interface ModelHolderOptions {
  /** Called after every successful reload (SIGHUP, POST /admin/reload, the first load). */
  onReloaded?: (result: ReloadResult) => void;
  /**
   * Runs before each reloadFresh (main.ts: the PostgreSQL catalogue read again when the database stage
   * loaded it anew); a failure refuses the reload and the live model keeps serving.
   */
  beforeReload?: () => Promise<unknown>;
}

/** A movie of the catalogue added, changed, hidden or shown again, as the live model now serves it. */
export interface MovieChanged {
  movie: CatalogMovie;
  hidden: boolean;
  /** Tags set through the API (empty: none). */
  tags: string[];
  /** Added through the API (not a data-set movie). */
  added: boolean;
}

/** What the content map reads of a catalogue change: genres, year and the tags set through the API (each once). */
const contentOfChange = (change: MovieChanged): MovieContent => ({
  genres: change.movie.genres,
  year: change.movie.year ?? null,
  tags: new Map(change.tags.map((tag) => [tag, 1])),
});

/** An overlay row as the serving library applies it. */
export const movieChangeOf = (row: OverlayMovie): MovieChange => ({
  movieId: row.movieId,
  fields: { title: row.fields.title, year: row.fields.year, genres: row.fields.genres },
  hidden: row.hidden,
});

/** The longest a content rebuild's top-list slice holds the event loop, in ms. */
const TOP_LIST_SLICE_MS = 8;

export class ModelHolder {
  private live: Recommender | undefined;
  private loading = false;
  /** Movies given content since start (setMovieContent), set again into a reloaded model that does not know them. */
  private readonly contentMovies = new Map<number, MovieContent>();
  private readonly overlay = new Map<number, OverlayMovie>();
  private readonly movieListeners = new Set<(change: MovieChanged) => void>();

  constructor(
    private readonly build: (dir?: string) => Recommender,
    private readonly options: ModelHolderOptions = {},
  ) {}

  /** The catalogue's overlay as this process knows it: what a model built from now on applies at load. */
  catalogueChanges(): MovieChange[] {
    return [...this.overlay.values()].map(movieChangeOf);
  }

  /**
   * Overlay rows (movies added or changed through the API, this process's writes and what the
   * overlay's poll brought): kept for the models built from now on, applied to the live one at once,
   * and each told to the onMovieChanged listeners. A row may arrive twice (a write, then its poll):
   * applying it again changes nothing.
   */
  applyCatalogueChanges(rows: readonly OverlayMovie[]): void {
    const fromContent = new Map<number, MovieContent>();
    for (const row of rows) {
      const known = this.overlay.get(row.movieId);
      if (known && known.revision >= row.revision) continue;
      this.overlay.set(row.movieId, row);
      const movie = this.live?.applyMovieChange(movieChangeOf(row));
      if (!movie) continue;
      const change: MovieChanged = { movie, hidden: row.hidden, tags: row.fields.tags ?? [], added: row.created };
      if (this.needsContentVectors(movie.movieId)) fromContent.set(movie.movieId, contentOfChange(change));
      for (const listener of this.movieListeners) listener(change);
    }
    if (fromContent.size) this.serveFromContent(fromContent);
  }

  /**
   * Whether a changed movie is to be served from its content: the live model has a content map and
   * either never learned the movie (one posted since the training) or already serves it from content.
   */
  private needsContentVectors(movieId: number): boolean {
    const live = this.live;
    return live !== undefined && live.servesContent && (!live.servesMovie(movieId) || this.contentMovies.has(movieId));
  }

  /**
   * setMovieContent for the movies of one catalogue sync: the model is rebuilt without its precomputed
   * top lists and swapped in, then the lists are built a slice at a time between requests (so a sync
   * never holds this process for the whole rebuild). During a reload the movies are kept and the
   * reloaded model gets them.
   */
  private serveFromContent(movies: ReadonlyMap<number, MovieContent>): void {
    for (const [movieId, content] of movies) this.contentMovies.set(movieId, content);
    const previous = this.live;
    if (!previous || this.loading) return;
    const next = this.withContentMovies(previous, movies, { deferTopLists: true });
    if (next === previous) return;
    this.live = next; // the atomic swap
    previous.close(); // the catalogue stays open: the new model owns it
    void next.buildDeferredTopLists(TOP_LIST_SLICE_MS, () => this.live !== next);
  }

  /**
   * Tells `listener` every catalogue change applied to the live model (e.g. to give a new movie
   * factors from its content); returns the function that stops it. A reloaded model gets the whole
   * overlay at load (catalogueChanges()), without events.
   */
  onMovieChanged(listener: (change: MovieChanged) => void): () => void {
    this.movieListeners.add(listener);
    return () => this.movieListeners.delete(listener);
  }

  /** The serving model (undefined until the first successful load). */
  current(): Recommender | undefined {
    return this.live;
  }

  /** reload() after the beforeReload step (SIGHUP, POST /admin/reload, POST /admin/models/{version}/activate); the source is required here. */
  async reloadFresh(target: ReloadTarget & { source: ReloadSource }): Promise<ReloadResult> {
    if (this.options.beforeReload) {
      try {
        await this.options.beforeReload();
      } catch (error) {
        throw new ModelReloadError(
          `the catalogue could not be read again: ${(error as Error)?.message ?? String(error)}`,
          this.live?.manifest.version ?? null,
          error,
        );
      }
    }
    return this.reload(target);
  }

  /**
   * Serves `movieId` from its content at once (a movie posted or changed in the catalogue): the live
   * model rebuilt with the movie's content-derived vectors and swapped in, so it appears in
   * recommendations and `similar` before any retrain; kept across reloads of models that do not know
   * the movie (a training that saw it serves its own vectors). Throws when nothing is loaded, a reload
   * is running, or the model has no content map (then the live model stays).
   */
  setMovieContent(movieId: number, content: MovieContent): { version: string; movieId: number } {
    const previous = this.live;
    if (!previous) throw new ModelReloadError('No model is loaded', null);
    if (this.loading) throw new ModelReloadError('A reload is in progress', previous.manifest.version);
    let next: Recommender;
    try {
      next = previous.withMovieContent(movieId, content);
    } catch (error) {
      throw new ModelReloadError(`movie ${movieId} cannot be served from its content: ${(error as Error).message}`, previous.manifest.version, error);
    }
    this.contentMovies.set(movieId, content);
    this.live = next; // the atomic swap
    previous.close(); // the catalogue stays open: the new model owns it
    return { version: next.manifest.version, movieId };
  }

  /**
   * `next` with `movies` served from their content (by default: the movies given content since start
   * that it does not know), when it has a content map; `next` itself when there is nothing to do or the
   * content cannot be served.
   */
  private withContentMovies(next: Recommender, movies?: ReadonlyMap<number, MovieContent>, build: { deferTopLists?: boolean } = {}): Recommender {
    const wanted = movies ?? new Map([...this.contentMovies].filter(([id]) => !next.servesMovie(id)));
    if (wanted.size === 0 || !next.servesContent) return next;
    try {
      return next.withMoviesContent(wanted, build);
    } catch {
      return next;
    }
  }

  /** Loads the newest complete model and swaps it in; throws ModelReloadError and keeps the old one on failure. */
  reload(target: ReloadTarget = {}): ReloadResult {
    const previous = this.live;
    const previousVersion = previous?.manifest.version ?? null;
    if (this.loading) throw new ModelReloadError('A reload is already in progress', previousVersion);
    this.loading = true;
    const started = process.hrtime.bigint();
    let next: Recommender;
    try {
      next = this.build(target.dir);
      if (target.expectVersion !== undefined && next.manifest.version !== target.expectVersion) {
        next.close();
        throw new ModelLoadError(`the model in ${target.dir ?? 'the live folder'} is version ${next.manifest.version}, not ${target.expectVersion}`);
      }
    } catch (error) {
      const reason = error instanceof ModelLoadError ? error.message : `model could not be loaded: ${(error as Error)?.message ?? String(error)}`;
      throw new ModelReloadError(reason, previousVersion, error);
    } finally {
      this.loading = false;
    }
    next = this.withContentMovies(next);
    try {
      target.commit?.(next);
    } catch (error) {
      next.close();
      // E.g. the version was pruned by a training between its load and its activation.
      throw new ModelReloadError(`the model could not be made live: ${(error as Error)?.message ?? String(error)}`, previousVersion, error);
    }
    this.live = next; // the atomic swap
    previous?.close();
    const result: ReloadResult = {
      status: previousVersion === next.manifest.version ? 'unchanged' : 'reloaded',
      source: target.source ?? 'start',
      version: next.manifest.version,
      previousVersion,
      dataset: next.manifest.dataset,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
    this.options.onReloaded?.(result);
    return result;
  }
}
