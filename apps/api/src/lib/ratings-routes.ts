import type { IRouter } from 'express';
import { InvalidRatingError, RatingsQuotaError, type StoredRating } from '@reelrank/feedback';
import { movieNotFound, type Recommender } from '@reelrank/serving';
import { checkRatingsAccess } from './authorization.js';
import { ApiError } from './errors.js';
import { identityOf } from './identity.js';
import type { FreshUsers } from './fresh-users.js';
import type { AnswerObserver } from './answer-observer.js';
import { requestLog } from './http-fast.js';
import { limitSubject, type IdentityLimits } from './identity-limits.js';
import { noQuery } from './movie-schemas.js';
import { ratingInput, ratingsBatch, userIdParams, userMovieParams, type RatingInput } from './rating-schemas.js';
import { timeSlicer } from './time-slice.js';
import { parseOrThrow } from './validate.js';
import { ratingSource } from './rating-source.js';

/**
 * Ratings in: POST /ratings stores one rating or a batch (all or nothing) and answers 201 only once
 * the store says they are durable; GET /users/{user_id}/ratings lists a user's ratings, original and
 * new; DELETE forgets the new ones (DELETE /users/{user_id}/ratings/{movie_id}: the new one of a movie). The next /recommendations and /predict of the user fold them in
 * (fresh-users.ts).
 *
 * A write costs its caller (identity-limits.ts) its ratings and the user ids it starts (ones without
 * posted ratings before), and no user id may hold more than `maxRatingsPerUser` posted ratings (409:
 * checked before the write, and again by the store inside the write's transaction, so concurrent
 * writes of one user cannot pass it together).
 */

const out = (r: StoredRating) => ({ id: r.id, user_id: r.userId, movie_id: r.movieId, rating: r.rating, timestamp: r.timestamp });

export function ratingsRoutes(
  router: IRouter,
  model: () => Recommender,
  fresh: FreshUsers,
  limits: IdentityLimits,
  observe?: Pick<AnswerObserver, 'ratingsStored'>,
): void {
  const { store } = fresh;

  /** A store failure is the server's problem: 503 (retry), with the cause in the log; reads and writes answer the same code. */
  const unavailable = (
    req: Parameters<typeof requestLog>[0],
    error: unknown,
    message = 'The ratings store did not take the write; nothing was stored, retry',
  ): ApiError => {
    if (error instanceof InvalidRatingError)
      return new ApiError(400, 'validation_error', error.message, [{ field: 'ratings', message: error.message }]);
    requestLog(req).error({ err: error }, 'ratings store failed');
    return new ApiError(503, 'ratings_store_unavailable', message);
  };

  router.post('/ratings', async (req, res) => {
    const body: unknown = req.body;
    const batch = typeof body === 'object' && body !== null && 'ratings' in body;
    const subject = limitSubject(req, res);
    // An identity out of budget is refused before its body is validated or the store is read.
    const posted = batch ? (body as { ratings: unknown }).ratings : undefined;
    limits.check(res, subject, { ratings: Array.isArray(posted) ? posted.length : 1 });
    const items: RatingInput[] = batch ? parseOrThrow(ratingsBatch, body).ratings : [parseOrThrow(ratingInput, body)];
    const recommender = model();
    checkRatingsAccess(identityOf(req, res), new Set(items.map((r) => r.user_id)), {
      write: true,
      field: batch ? 'ratings.user_id' : 'user_id',
      dataSetUser: (id) => recommender.isDataSetUser(id),
    });
    const unknown = [...new Set(items.map((r) => r.movie_id).filter((id) => !recommender.hasMovie(id)))];
    if (unknown.length) throw movieNotFound(unknown, batch ? 'ratings.movie_id' : 'movie_id');
    let newUsers: number;
    try {
      newUsers = await newUsersWithinCap(items, batch ? 'ratings.user_id' : 'user_id');
    } catch (error) {
      throw error instanceof ApiError ? error : unavailable(req, error, 'The ratings store cannot be read right now; retry');
    }
    limits.charge(res, subject, { ratings: items.length, newUsers });
    let stored: StoredRating[];
    try {
      const rows = items.map((r) => ({ userId: r.user_id, movieId: r.movie_id, rating: r.rating, timestamp: r.timestamp }));
      stored = await store.put(rows, ratingSource(req, res), { maxPerUser: limits.config.maxRatingsPerUser });
    } catch (error) {
      if (error instanceof RatingsQuotaError)
        throw quotaExceeded(error.userId, batch ? 'ratings.user_id' : 'user_id', `would hold ${error.wouldHold}`);
      throw unavailable(req, error);
    }
    observe?.ratingsStored(stored);
    res.status(201).json({ ratings: stored.map(out) });
  });

  /** How many of the posted users have no posted ratings yet; a 409 naming `field` when one would pass the per-user cap. */
  const newUsersWithinCap = async (items: readonly RatingInput[], field: string): Promise<number> => {
    const cap = limits.config.maxRatingsPerUser;
    const moviesOf = new Map<number, Set<number>>();
    for (const r of items) {
      let movies = moviesOf.get(r.user_id);
      if (!movies) moviesOf.set(r.user_id, (movies = new Set()));
      movies.add(r.movie_id);
    }
    const counts = await store.countsForUsers([...moviesOf.keys()]);
    const pause = timeSlicer(); // each user near the cap is one read of all of their ratings
    for (const [userId, movies] of moviesOf) {
      const count = counts.get(userId) ?? 0;
      if (count + movies.size <= cap) continue;
      // Re-rating a movie replaces its rating: only movies the user has not rated yet add to the count.
      await pause();
      const rated = new Set((await store.forUser(userId)).map((r) => r.movieId));
      const added = [...movies].filter((m) => !rated.has(m)).length;
      if (rated.size + added > cap) throw quotaExceeded(userId, field, `has ${rated.size}, this adds ${added}`);
    }
    return moviesOf.size - counts.size;
  };

  const quotaExceeded = (userId: number, field: string, why: string) => {
    const cap = limits.config.maxRatingsPerUser;
    return new ApiError(
      409,
      'ratings_quota_exceeded',
      `User ${userId} may hold at most ${cap} posted ratings (${why}); delete some first or re-rate movies already rated`,
      [{ field, message: `user ${userId} is at the limit of ${cap} posted ratings` }],
    );
  };

  router.get('/users/:user_id/ratings', async (req, res) => {
    const { user_id } = parseOrThrow(userIdParams, req.params, 'path');
    parseOrThrow(noQuery, req.query, 'query');
    checkRatingsAccess(identityOf(req, res), [user_id], { write: false, field: 'user_id', dataSetUser: () => false });
    const original = model().dataSetRatings(user_id);
    let posted: StoredRating[];
    try {
      posted = await store.forUser(user_id);
    } catch (error) {
      throw unavailable(req, error, 'The ratings store cannot be read right now; retry');
    }
    const byMovie = new Map<number, { movie_id: number; rating: number; timestamp: number; source: 'original' | 'new' }>();
    for (const r of original) byMovie.set(r.movieId, { movie_id: r.movieId, rating: r.rating, timestamp: r.timestamp, source: 'original' });
    for (const r of posted) byMovie.set(r.movieId, { movie_id: r.movieId, rating: r.rating, timestamp: r.timestamp, source: 'new' });
    const ratings = [...byMovie.values()].sort((a, b) => a.movie_id - b.movie_id);
    res.json({ user_id, ratings, counts: { original: original.length, new: posted.length } });
  });

  router.delete('/users/:user_id/ratings', async (req, res) => {
    const { user_id } = parseOrThrow(userIdParams, req.params, 'path');
    parseOrThrow(noQuery, req.query, 'query');
    checkRatingsAccess(identityOf(req, res), [user_id], { write: true, field: 'user_id', dataSetUser: (id) => model().isDataSetUser(id) });
    let forgotten: number;
    try {
      forgotten = await store.forgetUser(user_id);
    } catch (error) {
      throw unavailable(req, error);
    }
    res.json({ user_id, forgotten });
  });

  // One posted rating (the web page's "Remove"); an original rating it replaced counts again.
  router.delete('/users/:user_id/ratings/:movie_id', async (req, res) => {
    const { user_id, movie_id } = parseOrThrow(userMovieParams, req.params, 'path');
    parseOrThrow(noQuery, req.query, 'query');
    checkRatingsAccess(identityOf(req, res), [user_id], { write: true, field: 'user_id', dataSetUser: (id) => model().isDataSetUser(id) });
    let forgotten: boolean;
    try {
      forgotten = await store.forget(user_id, movie_id);
    } catch (error) {
      throw unavailable(req, error);
    }
    res.json({ user_id, movie_id, forgotten: forgotten ? 1 : 0 });
  });
}
