import type { IRouter, Request, RequestHandler, Response } from 'express';
import { withoutRatedMovies, type FoldedUser, type Recommender } from '@reelrank/serving';
import type { AnswerObserver } from './answer-observer.js';
import { AnswerCache } from './answer-cache.js';
import { seesRatingsOf } from './authorization.js';
import { ApiError } from './errors.js';
import type { ArmChoice, ExperimentRunner } from './experiment-runner.js';
import { fastPredict, fastRecommendations } from './fast-validators.js';
import { MUST_ASK, type FreshUsers } from './fresh-users.js';
import { sendJson, sendText } from './http-fast.js';
import { identityOf } from './identity.js';
import { limitSubject, type IdentityLimits } from './identity-limits.js';
import {
  MAX_BATCH_PAIRS,
  tooManyBatchUsers,
  type ApiSchemas,
  type BatchPredictRequest,
  type NewUserRecommendationsRequest,
  type PredictRequest,
  type RecommendationsRequest,
} from './schemas.js';
import { timeSlicer } from './time-slice.js';
import type { UserSignals, UserTaste } from './user-signals.js';
import { validateBody } from './validate.js';

/**
 * The recommendation routes: POST /predict, /recommendations, /recommendations/new-user and
 * /predict/batch. Each handler receives a body already parsed by its zod schema (the two hot routes
 * first try an exact fast check, fast-validators.ts, and fall back to zod for everything else,
 * including every error) and asks the current Recommender, looked up once per request, so a
 * reloaded model takes over between requests.
 */
export function recommendationRoutes(
  router: IRouter,
  schemas: ApiSchemas,
  model: () => Recommender,
  options: {
    maxRecommendations: number;
    /** Serialised plain /recommendations answers kept (answer-cache.ts); 0 keeps none. */
    answerCacheEntries: number;
    /** Distinct users one /predict/batch may name (the schema says the same; checked early here). */
    foldMaxUsers?: number;
    /** The guards of a read route (authorization.ts readAccess). */
    reads: RequestHandler[];
    observe?: AnswerObserver;
    fresh: FreshUsers;
    /** Each user's taste signals (not interested, seen, watchlist): their movies never come back to the user. */
    signals: UserSignals;
    /** Per-identity budgets (identity-limits.ts): fold-ins here, ratings and new users in ratings-routes.ts. */
    limits: IdentityLimits;
    /** The running A/B experiment, if any (experiment-runner.ts): a user in its challenger arm is answered by the challenger model. */
    experiments?: ExperimentRunner;
  },
): void {
  // A user who posted ratings (POST /ratings) is folded in from all of them; the others get the trained answer.
  const { fresh, limits, reads } = options;
  const answers = new AnswerCache(options.answerCacheEntries);
  const experiments = options.experiments;
  /** Charges a fold-in's ratings to the caller, asked only when a fold is about to happen (not on a cache hit). */
  const foldCharge = (req: Request, res: Response) => (ratings: number) => limits.charge(res, limitSubject(req, res), { folds: ratings });
  /** A user folded in for the caller: charged to it, in its fair share of the fold turns. */
  const foldedFor = (req: Request, res: Response, recommender: Recommender, userId: number, charge = foldCharge(req, res)) =>
    fresh.folded(recommender, userId, charge, () => limitSubject(req, res));
  /**
   * Runs `answer` with the user folded in for the caller (or undefined for a trained user): at once
   * when that is known without the asynchronous round (most requests), else after it.
   */
  const withFolded = (
    req: Request,
    res: Response,
    recommender: Recommender,
    userId: number,
    answer: (folded: FoldedUser | undefined) => void | Promise<void>,
  ) => {
    const now = fresh.foldedNow(recommender, userId);
    if (now !== MUST_ASK) return answer(now);
    return foldedFor(req, res, recommender, userId).then(answer);
  };
  // The hot routes first: Express tries the routes in order.
  router.post('/predict', ...reads, validateBody(schemas.predictRequest, fastPredict), (req, res) => {
    const body = req.body as PredictRequest;
    const live = model();
    const active = experiments?.active;
    const choice = active === undefined ? undefined : active.choose(body.user_id, live);
    const recommender = choice === undefined ? live : choice.recommender;
    return withFolded(req, res, recommender, body.user_id, (folded) => {
      const predicted = folded ? recommender.predictFolded(folded, body.movie_id) : recommender.predict(body.user_id, body.movie_id);
      if (folded && folded.usable > 0) options.observe?.predictedFolded();
      sendJson(res, { user_id: body.user_id, movie_id: body.movie_id, predicted_rating: predicted, model_version: recommender.manifest.version });
      if (choice !== undefined) options.observe?.armAnswered?.(choice, res, folded !== undefined && folded.usable > 0);
    });
  });

  /**
   * A /recommendations answer: from the answer cache when plain and unchanged (the catalogue's revision and
   * the user's taste signals, by their version, are part of the key), else ranked (and kept).
   */
  const recommend = (
    req: Request,
    res: Response,
    recommender: Recommender,
    body: RecommendationsRequest,
    folded: FoldedUser | undefined,
    taste: UserTaste | undefined,
    choice: ArmChoice | undefined,
  ) => {
    const sees = seesRatingsOf(identityOf(req, res), body.user_id);
    const plain = body.genres === undefined && body.exclude_movie_ids === undefined && !body.diversity;
    // A catalogue change (a movie hidden, renamed) makes the answers cached before it stale.
    const key = `${AnswerCache.key(body.user_id, body.n_recommendations, sees)}@${recommender.catalogueRevision}${taste ? `:s${taste.version}` : ''}`;
    const cached = plain ? answers.get(recommender, key, folded) : undefined;
    if (cached) {
      options.observe?.recommendations(body.user_id, cached.strategy, cached.movies, choice);
      sendText(res, cached.body);
      if (choice !== undefined) options.observe?.armAnswered?.(choice, res, isFoldIn(cached.strategy));
      return;
    }
    const excludeIds = taste ? [...(body.exclude_movie_ids ?? []), ...taste.excluded] : body.exclude_movie_ids;
    const request = { n: body.n_recommendations, genres: body.genres, excludeIds, diversity: body.diversity, explain: sees };
    const result = folded ? recommender.recommendFolded(folded, request) : recommender.recommend(body.user_id, request);
    options.observe?.recommendations(body.user_id, result.strategy, result.recommendations, choice);
    const recommendations = sees ? result.recommendations : withoutRatedMovies(result.recommendations);
    const text = JSON.stringify({ user_id: body.user_id, strategy: result.strategy, recommendations, model_version: recommender.manifest.version });
    if (plain) answers.set(recommender, key, folded, { body: text, strategy: result.strategy, movies: result.recommendations });
    sendText(res, text);
    if (choice !== undefined) options.observe?.armAnswered?.(choice, res, isFoldIn(result.strategy));
  };
  router.post(
    '/recommendations',
    ...reads,
    validateBody(schemas.recommendationsRequest, fastRecommendations(options.maxRecommendations)),
    (req, res) => {
      const body = req.body as RecommendationsRequest;
      const live = model();
      const active = experiments?.active;
      const choice = active === undefined ? undefined : active.choose(body.user_id, live);
      const recommender = choice === undefined ? live : choice.recommender;
      return withFolded(req, res, recommender, body.user_id, (folded) => {
        const taste = options.signals.of(body.user_id);
        if (taste instanceof Promise) return taste.then((known) => recommend(req, res, recommender, body, folded, known, choice));
        return recommend(req, res, recommender, body, folded, taste, choice);
      });
    },
  );

  // An identity out of fold budget is refused before its ratings are validated one by one.
  const newUserBudget: RequestHandler = (req, res, next) => {
    const ratings = (req.body as { ratings?: unknown } | undefined)?.ratings;
    if (Array.isArray(ratings) && ratings.length > 0) limits.check(res, limitSubject(req, res), { folds: ratings.length });
    next();
  };
  router.post('/recommendations/new-user', ...reads, newUserBudget, validateBody(schemas.newUserRecommendationsRequest), async (req, res) => {
    const body = req.body as NewUserRecommendationsRequest;
    const ratings = body.ratings.map((r) => ({ movieId: r.movie_id, rating: r.rating }));
    const subject = limitSubject(req, res);
    if (ratings.length > 0) limits.charge(res, subject, { folds: ratings.length });
    // No user id, so no arm: the live model answers.
    const recommender = model();
    const result = await fresh.turns.run(subject, recommender.recommendForNewUserSteps(ratings, { n: body.n_recommendations, genres: body.genres }));
    options.observe?.answer(result.strategy);
    sendJson(res, {
      strategy: result.strategy,
      ratings_used: result.ratingsUsed,
      recommendations: result.recommendations,
      model_version: recommender.manifest.version,
    });
  });

  // Too many users is refused before the pairs are validated one by one (a cheap 400 for a large abusive body).
  const maxBatchUsers = options.foldMaxUsers ?? MAX_BATCH_PAIRS;
  const batchUsers: RequestHandler = (req, _res, next) => {
    const pairs = (req.body as { pairs?: unknown } | undefined)?.pairs;
    if (Array.isArray(pairs) && pairs.length <= MAX_BATCH_PAIRS) {
      const users = new Set(pairs.map((p) => (typeof p === 'object' && p !== null ? (p as { user_id?: unknown }).user_id : undefined)));
      if (users.size > maxBatchUsers) {
        const problem = { field: 'pairs', message: tooManyBatchUsers(maxBatchUsers) };
        throw new ApiError(400, 'validation_error', 'Invalid body: pairs', [problem]);
      }
    }
    next();
  };
  router.post('/predict/batch', ...reads, batchUsers, validateBody(schemas.batchPredictRequest), async (req, res) => {
    const { pairs } = req.body as BatchPredictRequest;
    const live = model();
    const active = experiments?.active;
    // During an experiment each pair is answered by its user's arm; otherwise all at once by the live model.
    const choices = active === undefined ? undefined : pairs.map((p) => active.choose(p.user_id, live));
    const recommenderAt = (i: number) => (choices === undefined ? live : choices[i].recommender);
    const ratings =
      choices === undefined
        ? live.predictMany(pairs.map((p) => ({ userId: p.user_id, movieId: p.movie_id })))
        : pairs.map((p, i) => choices[i].recommender.predict(p.user_id, p.movie_id));
    const folded = new Map<number, Awaited<ReturnType<FreshUsers['folded']>>>();
    // Each user's store read and fold-in is synchronous work: other requests run in between.
    const pause = timeSlicer();
    const charge = foldCharge(req, res);
    for (const [i, p] of pairs.entries()) {
      if (folded.has(p.user_id)) continue;
      folded.set(p.user_id, await foldedFor(req, res, recommenderAt(i), p.user_id, charge));
      await pause();
    }
    // One fold-in answer per request that used any folded-in user (like /predict), not one per pair.
    const anyFolded = [...folded.values()].some((user) => user && user.usable > 0);
    if (anyFolded) options.observe?.predictedFolded();
    const predicted = (p: (typeof pairs)[number], i: number) => {
      const user = folded.get(p.user_id);
      return user ? recommenderAt(i).predictFolded(user, p.movie_id) : ratings[i];
    };
    sendJson(res, {
      predictions: pairs.map((p, i) => ({
        user_id: p.user_id,
        movie_id: p.movie_id,
        predicted_rating: predicted(p, i),
        model_version: recommenderAt(i).manifest.version,
      })),
    });
    // One answer per arm the request used.
    if (choices !== undefined) for (const choice of new Set(choices)) options.observe?.armAnswered?.(choice, res, anyFolded);
  });
}

/** Strategies that rank by a vector folded in at request time (metrics.ts counts them as fold-ins). */
const isFoldIn = (strategy: string) => strategy === 'fold-in' || strategy === 'popular-blend';
