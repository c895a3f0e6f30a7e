import type { IRouter, Request, RequestHandler, Response } from 'express';
import type { Recommender } from '@reelrank/serving';
import { ApiError } from './errors.js';
import { identityOf } from './identity.js';
import { movieIdParams, moviesQuery, noQuery, searchQuery, similarQuery } from './movie-schemas.js';
import { parseOrThrow } from './validate.js';

/**
 * The catalogue reads: GET /movies (search, genre, paging), its /movies/search alias, one movie and
 * its similar movies. Adding, changing and hiding movies is catalogue-routes.ts.
 */

/** Whether the caller may see hidden movies (those who may hide them: a service or admin identity). */
const seesHidden = (req: Request, res: Response): boolean => {
  const { role } = identityOf(req, res);
  return role === 'service' || role === 'admin';
};

/** `reads`: the guards of a read route (authorization.ts readAccess). */
export function movieRoutes(router: IRouter, model: () => Recommender, reads: RequestHandler[]): void {
  router.get('/movies', ...reads, (req, res) => {
    const query = parseOrThrow(moviesQuery, req.query, 'query');
    if (query.include_hidden && !seesHidden(req, res))
      throw new ApiError(403, 'forbidden', 'Hidden movies are listed only for a service or admin key', [
        { field: 'include_hidden', message: 'needs a service or admin key' },
      ]);
    const { search, genre, limit, offset, include_hidden: includeHidden } = query;
    res.json(model().search({ query: search, genre, limit, offset, includeHidden }));
  });

  // Alias kept for existing clients: q= instead of search=.
  router.get('/movies/search', ...reads, (req, res) => {
    const query = parseOrThrow(searchQuery, req.query, 'query');
    res.json(model().search({ query: query.q, genre: query.genre, limit: query.limit, offset: query.offset }));
  });

  router.get('/movies/:movie_id', ...reads, (req, res) => {
    const { movie_id } = parseOrThrow(movieIdParams, req.params, 'path');
    parseOrThrow(noQuery, req.query, 'query');
    res.json(model().movie(movie_id, seesHidden(req, res)));
  });

  router.get('/movies/:movie_id/similar', ...reads, (req, res) => {
    const { movie_id } = parseOrThrow(movieIdParams, req.params, 'path');
    const { n } = parseOrThrow(similarQuery, req.query, 'query');
    res.json(model().similar(movie_id, n));
  });
}
