import type { IRouter, Request, Response } from 'express';
import { InvalidMovieError, type CatalogueOverlayStore, type OverlayMovie } from '@reelrank/feedback';
import { movieNotFound, type Recommender } from '@reelrank/serving';
import { ApiError } from './errors.js';
import { requestLog } from './http-fast.js';
import { identityOf } from './identity.js';
import { moviePatchRequest, newMovieRequest, type CatalogueMovieResponse } from './catalogue-schemas.js';
import { movieIdParams, noQuery } from './movie-schemas.js';
import { parseOrThrow } from './validate.js';

/**
 * The catalogue's writes: POST /movies adds a movie (its id above the data set's), PATCH
 * /movies/{movie_id} changes its fields or hides it (hidden: true) and shows it again (false). Only a
 * service or an admin identity may (the access table's `catalogue` row). Each write is durable in the
 * overlay store before the answer, applied to this process at once (`apply`), and served by every
 * other process within serving.catalogueRefreshMs (catalogue-sync.ts); the next training includes it.
 */
export function catalogueRoutes(
  router: IRouter,
  model: () => Recommender,
  store: CatalogueOverlayStore,
  apply: (rows: readonly OverlayMovie[]) => void,
): void {
  const writer = (req: Request, res: Response): string => {
    const identity = identityOf(req, res);
    if (identity.role === 'service' || identity.role === 'admin') return identity.subject;
    if (identity.role === 'anonymous') {
      res.setHeader('www-authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', 'Changing the catalogue needs a service or admin key', [
        { field: 'authorization', message: 'missing' },
      ]);
    }
    throw new ApiError(403, 'forbidden', `Changing the catalogue needs a service or admin key, not a ${identity.role} identity`, [
      { field: 'authorization', message: `a ${identity.role} identity` },
    ]);
  };

  const stored = async (req: Request, write: () => Promise<OverlayMovie>): Promise<OverlayMovie> => {
    try {
      return await write();
    } catch (error) {
      if (error instanceof InvalidMovieError)
        throw new ApiError(400, 'validation_error', error.message, [{ field: snake(error.field), message: error.message }]);
      requestLog(req).error({ err: error }, 'catalogue overlay store failed');
      throw new ApiError(503, 'catalogue_store_unavailable', 'The catalogue store did not take the change; nothing was stored, retry');
    }
  };

  const answer = (row: OverlayMovie): CatalogueMovieResponse => {
    apply([row]);
    const movie = model().catalogueMovie(row.movieId);
    return {
      movie_id: row.movieId,
      title: movie?.title ?? row.fields.title ?? '',
      year: movie ? movie.year : (row.fields.year ?? null),
      genres: movie?.genres ?? row.fields.genres ?? [],
      tags: row.fields.tags ?? null,
      imdb_id: row.fields.imdbId ?? null,
      tmdb_id: row.fields.tmdbId ?? null,
      hidden: row.hidden,
      added: row.created,
      revision: row.revision,
    };
  };

  router.post('/movies', async (req, res) => {
    const subject = writer(req, res);
    parseOrThrow(noQuery, req.query, 'query');
    const body = parseOrThrow(newMovieRequest, req.body);
    const recommender = model();
    const row = await stored(req, () =>
      store.add(
        { title: body.title, year: body.year, genres: body.genres, tags: body.tags, imdbId: body.imdb_id, tmdbId: body.tmdb_id },
        recommender.maxDataSetMovieId + 1,
        subject,
      ),
    );
    requestLog(req).info({ movieId: row.movieId, revision: row.revision, source: subject }, 'movie added to the catalogue');
    res.status(201).location(`/movies/${row.movieId}`).json(answer(row));
  });

  router.patch('/movies/:movie_id', async (req, res) => {
    const subject = writer(req, res);
    const { movie_id } = parseOrThrow(movieIdParams, req.params, 'path');
    parseOrThrow(noQuery, req.query, 'query');
    const body = parseOrThrow(moviePatchRequest, req.body);
    if (!model().hasMovie(movie_id)) throw movieNotFound([movie_id]);
    const patch = {
      title: body.title,
      year: body.year,
      genres: body.genres,
      tags: body.tags,
      imdbId: body.imdb_id,
      tmdbId: body.tmdb_id,
      hidden: body.hidden,
    };
    for (const key of Object.keys(patch) as (keyof typeof patch)[]) if (patch[key] === undefined) delete patch[key];
    const row = await stored(req, () => store.change(movie_id, patch, subject));
    requestLog(req).info({ movieId: row.movieId, revision: row.revision, hidden: row.hidden, source: subject }, 'movie changed in the catalogue');
    res.json(answer(row));
  });
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
