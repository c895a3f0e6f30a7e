import type { IRouter, Request, Response } from 'express';
import { InvalidSignalError, SIGNAL_KINDS, SignalsQuotaError, type StoredSignal } from '@reelrank/feedback';
import { movieNotFound, type Recommender } from '@reelrank/serving';
import { checkRatingsAccess } from './authorization.js';
import { ApiError } from './errors.js';
import { requestLog } from './http-fast.js';
import { identityOf } from './identity.js';
import { limitSubject, type IdentityLimits } from './identity-limits.js';
import { noQuery } from './movie-schemas.js';
import { ratingSource } from './rating-source.js';
import { signalInput, userSignalParams, userSignalsQuery } from './signal-schemas.js';
import { userIdParams } from './rating-schemas.js';
import type { UserSignals } from './user-signals.js';
import { parseOrThrow } from './validate.js';

/**
 * Taste signals in (taste-signals.ts in @reelrank/feedback): POST /signals stores one and answers 201
 * once it is durable; GET /users/{user_id}/signals lists them; DELETE
 * /users/{user_id}/signals/{kind}/{movie_id} forgets one. Who may: as for ratings (a visitor its own
 * user id, a service or admin key any). A write costs its caller one rating of its ratings budget, and
 * no user id may hold more than `maxSignalsPerUser` signals (409, checked in the write's transaction).
 * The user's next /recommendations leaves the movie out (user-signals.ts reads the new version).
 */

const out = (s: StoredSignal) => ({ id: s.id, user_id: s.userId, movie_id: s.movieId, kind: s.kind, created_at: s.createdAt });

export function signalsRoutes(router: IRouter, model: () => Recommender, signals: UserSignals, limits: IdentityLimits): void {
  const { store } = signals;
  const unavailable = (req: Request, error: unknown, message = 'The signals store did not take the write; nothing was stored, retry') => {
    if (error instanceof InvalidSignalError) return new ApiError(400, 'validation_error', error.message, [{ field: 'body', message: error.message }]);
    requestLog(req).error({ err: error }, 'signals store failed');
    return new ApiError(503, 'signals_store_unavailable', message);
  };
  const dataSetUser = (id: number) => model().isDataSetUser(id);

  router.post('/signals', async (req: Request, res: Response) => {
    const subject = limitSubject(req, res);
    limits.check(res, subject, { ratings: 1 });
    const body = parseOrThrow(signalInput, req.body);
    const recommender = model();
    checkRatingsAccess(identityOf(req, res), [body.user_id], { write: true, field: 'user_id', dataSetUser });
    if (!recommender.hasMovie(body.movie_id)) throw movieNotFound([body.movie_id], 'movie_id');
    limits.charge(res, subject, { ratings: 1 });
    let stored: StoredSignal;
    try {
      const signal = { userId: body.user_id, movieId: body.movie_id, kind: body.kind };
      stored = await store.put(signal, ratingSource(req, res), { maxPerUser: limits.config.maxSignalsPerUser });
    } catch (error) {
      if (error instanceof SignalsQuotaError) {
        const cap = limits.config.maxSignalsPerUser;
        throw new ApiError(409, 'signals_quota_exceeded', `User ${body.user_id} may hold at most ${cap} signals; delete some first`, [
          { field: 'user_id', message: `user ${body.user_id} is at the limit of ${cap} signals` },
        ]);
      }
      throw unavailable(req, error);
    }
    res.status(201).json({ signal: out(stored) });
  });

  router.get('/users/:user_id/signals', async (req, res) => {
    const { user_id } = parseOrThrow(userIdParams, req.params, 'path');
    const { kind } = parseOrThrow(userSignalsQuery, req.query, 'query');
    checkRatingsAccess(identityOf(req, res), [user_id], { write: false, field: 'user_id', dataSetUser: () => false });
    let listed: StoredSignal[];
    try {
      listed = await store.forUser(user_id);
    } catch (error) {
      throw unavailable(req, error, 'The signals store cannot be read right now; retry');
    }
    const counts = Object.fromEntries(SIGNAL_KINDS.map((k) => [k, listed.filter((s) => s.kind === k).length]));
    res.json({ user_id, signals: listed.filter((s) => kind === undefined || s.kind === kind).map(out), counts });
  });

  router.delete('/users/:user_id/signals/:kind/:movie_id', async (req, res) => {
    const { user_id, kind, movie_id } = parseOrThrow(userSignalParams, req.params, 'path');
    parseOrThrow(noQuery, req.query, 'query');
    checkRatingsAccess(identityOf(req, res), [user_id], { write: true, field: 'user_id', dataSetUser });
    let forgotten: boolean;
    try {
      forgotten = await store.forget(user_id, movie_id, kind);
    } catch (error) {
      throw unavailable(req, error);
    }
    res.json({ user_id, movie_id, kind, forgotten: forgotten ? 1 : 0 });
  });
}
