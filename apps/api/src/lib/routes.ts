import type { IRouter, Request, RequestHandler, Response } from 'express';
import { isAdmin } from './admin-auth.js';
import { ApiError, errorBody } from './errors.js';
import { MUST_ASK, type FreshUsers } from './fresh-users.js';
import { readAccess, seesRatingsOf } from './authorization.js';
import { identityOf, tooManyFailures } from './identity.js';
import { AnswerCache } from './answer-cache.js';
import type { ArmChoice, ExperimentRunner } from './experiment-runner.js';
import { requestLog, sendJson, sendText } from './http-fast.js';
import { limitSubject, type IdentityLimits } from './identity-limits.js';
import { movieIdParams, moviesQuery, noQuery, searchQuery, similarQuery } from './movie-schemas.js';
import { ModelReloadError, type ModelHolder } from './model-holder.js';
import { clientKey, FailureLimiter, TokenBucket, type GlobalFailureCap } from './rate-limit.js';
import { ratingsRoutes } from './ratings-routes.js';
import { signalsRoutes } from './signals-routes.js';
import type { UserSignals, UserTaste } from './user-signals.js';
import {
  MAX_BATCH_PAIRS,
  MAX_ID,
  tooManyBatchUsers,
  type ApiSchemas,
  type BatchPredictRequest,
  type NewUserRecommendationsRequest,
  type PredictRequest,
  type RecommendationsRequest,
} from './schemas.js';
import { timeSlicer } from './time-slice.js';
import { parseOrThrow, validateBody } from './validate.js';
import { withoutRatedMovies, type FoldedUser, type Recommender } from '@reelrank/serving';
import type { StoredRating } from '@reelrank/feedback';

/**
 * The JSON routes. Each handler receives a body already parsed by its zod schema (the two hot
 * routes first try an exact fast check that accepts only what the schema accepts, and fall back to
 * zod for everything else, including every error) and asks the current Recommender, looked up once
 * per request, so a reloaded model takes over between requests.
 */

/**
 * The admin credential and its failure limit (checked by identity.ts; `burst` and `refillSeconds`
 * also size the bucket of valid reloads, per process), and the holder the reloads swap. A cluster
 * worker (main.ts) passes a shared `failures` limiter and `onAuthFailure`, so the budget is per
 * client address across the cluster, not per worker.
 */
export interface AdminOptions {
  holder?: ModelHolder;
  /** REELRANK_ADMIN_TOKEN (the bootstrap admin). */
  token?: string;
  /** Failed authentications one client address may make in a burst (default 5). */
  burst?: number;
  /** Seconds to earn back one failure, per address (default 2). */
  refillSeconds?: number;
  /** Most client addresses the failure limiter remembers at once (default 10,000). */
  maxTrackedClients?: number;
  /** The failure limiter to use instead of a new one (a cluster worker shares its failures: main.ts). */
  failures?: FailureLimiter;
  /** Told about each failure (a cluster worker passes it on to the others). */
  onAuthFailure?: (client: string) => void;
  /** Failures of all addresses together (rate-limit.ts FailureLimiter); absent: per address only. */
  globalCap?: GlobalFailureCap;
  /** Told each successful admin authentication (a cluster worker passes it on, so every worker trusts that address). */
  onAuthSuccess?: (client: string) => void;
}

/** Told about every recommendation answer and stored rating (metrics.ts counts them; online-eval.ts logs what was shown and rated). */
export interface AnswerObserver {
  recommendations(userId: number, strategy: string, movies: readonly { movie_id: number }[], choice?: ArmChoice): void;
  /** An answer served during an A/B experiment (experiment-metrics.ts counts it per arm, with its latency from the request's arrival). */
  armAnswered?(choice: ArmChoice, res: Response, foldedIn: boolean): void;
  answer(strategy: string): void;
  /** A /predict or /predict/batch answer computed from a folded-in user (the recommendation routes count theirs by strategy). */
  predictedFolded(): void;
  /** Ratings POST /ratings stored (durable): called before the 201 is sent. */
  ratingsStored(ratings: readonly StoredRating[]): void;
}

/** Whether the caller may see hidden movies (those who may hide them: a service or admin identity). */
const seesHidden = (req: Request, res: Response): boolean => {
  const { role } = identityOf(req, res);
  return role === 'service' || role === 'admin';
};

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_ID;

/** {user_id, movie_id} with valid ids and nothing else, or undefined (zod then decides). */
function fastPredict(body: unknown): PredictRequest | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  let keys = 0;
  for (const _key in b) keys++;
  return keys === 2 && isId(b.user_id) && isId(b.movie_id) ? { user_id: b.user_id, movie_id: b.movie_id } : undefined;
}

/** {user_id[, n_recommendations]} with valid values, or undefined (zod then decides). */
function fastRecommendations(max: number): (body: unknown) => RecommendationsRequest | undefined {
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
    const b = body as Record<string, unknown>;
    let keys = 0;
    for (const _key in b) keys++;
    const n = b.n_recommendations;
    if (!isId(b.user_id)) return undefined;
    if (keys === 1) return { user_id: b.user_id, n_recommendations: 10 };
    if (keys === 2 && typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= max) return { user_id: b.user_id, n_recommendations: n };
    return undefined;
  };
}

export function apiRoutes(
  router: IRouter,
  schemas: ApiSchemas,
  current: () => Recommender | undefined,
  openApiDocument: () => object,
  options: {
    maxRecommendations: number;
    /** Serialised plain /recommendations answers kept (answer-cache.ts); 0 keeps none. */
    answerCacheEntries: number;
    /** Distinct users one /predict/batch may name (the schema says the same; checked early here). */
    foldMaxUsers?: number;
    admin?: AdminOptions;
    observe?: AnswerObserver;
    fresh: FreshUsers;
    /** Each user's taste signals (not interested, seen, watchlist): their movies never come back to the user. */
    signals: UserSignals;
    /** Per-identity budgets (identity-limits.ts): fold-ins here, ratings and new users in ratings-routes.ts. */
    limits: IdentityLimits;
    /** Which ratings store `fresh` writes to, for GET /ready (the location without a password). */
    ratingsStore: { kind: 'postgres' | 'sqlite'; location: string };
    /** Where the catalogue is read from, for GET /ready (absent: not reported). */
    catalogueSource?: { kind: 'postgres' | 'sqlite'; location: string };
    extend?: (router: IRouter, adminGuard: RequestHandler, adminOnly: RequestHandler) => void;
    /** security.anonymousReads (default true): callers without credentials may use the read endpoints. */
    anonymousReads?: boolean;
    /** The running A/B experiment, if any (experiment-runner.ts): a user in its challenger arm is answered by the challenger model. */
    experiments?: ExperimentRunner;
  },
): void {
  const admin = options.admin ?? {};
  const model = (): Recommender => {
    const recommender = current();
    if (!recommender) throw new ApiError(503, 'model_not_ready', 'No model is loaded yet; retry shortly (see GET /ready)');
    return recommender;
  };

  // A user who posted ratings (POST /ratings) is folded in from all of them; the others get the trained answer.
  const { fresh, limits } = options;
  const reads = readAccess(options.anonymousReads ?? true);
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

  ratingsRoutes(router, model, fresh, limits, options.observe);
  signalsRoutes(router, model, options.signals, limits);

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

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Anyone learns whether the server is ready; what it runs and where its stores are only an admin.
  router.get('/ready', async (req, res) => {
    const recommender = current();
    if (!recommender) {
      res.status(503).json({ status: 'loading', error: { status: 503, code: 'model_not_ready', message: 'No model is loaded yet' } });
      return;
    }
    if (!isAdmin(req, res)) {
      res.json({ status: 'ready' });
      return;
    }
    const m = recommender.manifest;
    res.json({
      status: 'ready',
      model: {
        dataset: m.dataset,
        version: m.version,
        created_at: m.createdAt,
        trained_at: m.createdAt,
        factors: m.factors,
        users: m.users,
        movies: m.movies,
        ranker: recommender.rankingKind,
        metrics: m.metrics ?? {},
      },
      catalogue: { movies: recommender.catalogueSize, ...options.catalogueSource },
      // Still ready while the store is down: reads are answered from memory, writes get 503.
      ratings_store: { ...options.ratingsStore, ...(await fresh.storeStatus()) },
    });
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  /*
   * Admin guard: the identity middleware (identity.ts) has already checked the credentials. A caller
   * without any counts as a failed authentication of its address (the budget the middleware spends on
   * bad keys), so guessing is rate limited while an admin from any other address is never refused
   * because of it. Valid reloads have a bucket of their own (a reload rebuilds the model), which only
   * admins can drain.
   */
  const burst = admin.burst ?? 5;
  const refillSeconds = admin.refillSeconds ?? 2;
  const failures = admin.failures ?? new FailureLimiter(burst, refillSeconds, admin.maxTrackedClients, undefined, admin.globalCap);
  const reloads = new TokenBucket(burst, refillSeconds);
  /** An admin caller, or the refusal (401 counted as a failed authentication, 403 for a lesser identity). */
  const adminOnly: RequestHandler = (req, res, next) => {
    const identity = identityOf(req, res);
    if (identity.role !== 'admin') {
      if (identity.role !== 'anonymous') throw new ApiError(403, 'forbidden', 'This route needs an admin key (or REELRANK_ADMIN_TOKEN)');
      const client = clientKey(req.ip);
      const wait = failures.blocked(client);
      if (wait !== undefined) tooManyFailures(res, wait);
      failures.fail(client);
      admin.onAuthFailure?.(client);
      res.setHeader('www-authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', 'Missing bearer token', [
        { field: 'authorization', message: 'expected "Authorization: Bearer <admin key or REELRANK_ADMIN_TOKEN>"' },
      ]);
    }
    if (!admin.holder) throw new ApiError(403, 'admin_disabled', 'Admin routes are disabled in this server (no reloadable model)');
    next();
  };
  /** adminOnly, then one token of the reload bucket: for the routes that rebuild or swap a model. */
  const adminGuard: RequestHandler = (req, res, next) =>
    adminOnly(req, res, () => {
      const taken = reloads.take();
      if (!taken.ok) {
        res.setHeader('retry-after', String(taken.retryAfterSeconds));
        throw new ApiError(429, 'rate_limited', `Too many admin reloads; retry in ${taken.retryAfterSeconds} s`);
      }
      next();
    });

  router.post('/admin/reload', adminGuard, async (req, res) => {
    try {
      const result = await admin.holder!.reloadFresh({ source: 'admin' });
      requestLog(req).info(
        { version: result.version, previous: result.previousVersion, seconds: result.seconds },
        'model reloaded via /admin/reload',
      );
      res.json({
        status: result.status,
        version: result.version,
        previous_version: result.previousVersion,
        dataset: result.dataset,
        seconds: round(result.seconds),
      });
    } catch (error) {
      if (!(error instanceof ModelReloadError)) throw error;
      requestLog(req).warn({ err: error.reason ?? error }, 'model reload refused; the live model keeps serving');
      const status = 409;
      res.status(status).json({ ...errorBody(new ApiError(status, 'model_rejected', error.message)), live_version: error.liveVersion });
    }
  });

  options.extend?.(router, adminGuard, adminOnly); // model versions, metrics, dashboard (model-routes.ts, monitoring-routes.ts)
}

const round = (x: number) => Math.round(x * 1000) / 1000;
/** Strategies that rank by a vector folded in at request time (metrics.ts counts them as fold-ins). */
const isFoldIn = (strategy: string) => strategy === 'fold-in' || strategy === 'popular-blend';
