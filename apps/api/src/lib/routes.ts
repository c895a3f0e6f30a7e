import { Router } from 'express';
import type { Recommender } from './recommender.js';
import type { ApiSchemas } from './schemas.js';
import { movieIdParams, searchQuery, similarQuery } from './movie-schemas.js';
import { parseOrThrow, validateBody } from './validate.js';

/**
 * The JSON routes. Each handler receives a body already parsed by its zod schema and asks the
 * current Recommender (looked up per request, so a reloaded model takes over between requests).
 */
export function apiRouter(schemas: ApiSchemas, current: () => Recommender, openApiDocument: object): Router {
  const router = Router();

  router.post('/recommendations', validateBody(schemas.recommendationsRequest), (req, res) => {
    const body = req.body as import('./schemas.js').RecommendationsRequest;
    const result = current().recommend(body.user_id, { n: body.n_recommendations, genres: body.genres, excludeIds: body.exclude_movie_ids });
    res.json({ user_id: body.user_id, strategy: result.strategy, recommendations: result.recommendations });
  });

  router.post('/recommendations/new-user', validateBody(schemas.newUserRecommendationsRequest), (req, res) => {
    const body = req.body as import('./schemas.js').NewUserRecommendationsRequest;
    const ratings = body.ratings.map((r) => ({ movieId: r.movie_id, rating: r.rating }));
    const result = current().recommendForNewUser(ratings, { n: body.n_recommendations, genres: body.genres });
    res.json({ strategy: result.strategy, ratings_used: result.ratingsUsed, recommendations: result.recommendations });
  });

  router.post('/predict', validateBody(schemas.predictRequest), (req, res) => {
    const body = req.body as import('./schemas.js').PredictRequest;
    res.json({ user_id: body.user_id, movie_id: body.movie_id, predicted_rating: current().predict(body.user_id, body.movie_id) });
  });

  router.post('/predict/batch', validateBody(schemas.batchPredictRequest), (req, res) => {
    const { pairs } = req.body as import('./schemas.js').BatchPredictRequest;
    const ratings = current().predictMany(pairs.map((p) => ({ userId: p.user_id, movieId: p.movie_id })));
    res.json({ predictions: pairs.map((p, i) => ({ user_id: p.user_id, movie_id: p.movie_id, predicted_rating: ratings[i] })) });
  });

  router.get('/movies/search', (req, res) => {
    const query = parseOrThrow(searchQuery, req.query, 'query');
    res.json(current().search({ query: query.q, genre: query.genre, limit: query.limit, offset: query.offset }));
  });

  router.get('/movies/:movie_id/similar', (req, res) => {
    const { movie_id } = parseOrThrow(movieIdParams, req.params, 'path');
    const { n } = parseOrThrow(similarQuery, req.query, 'query');
    res.json(current().similar(movie_id, n));
  });

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', (_req, res) => {
    const recommender = current();
    const m = recommender.manifest;
    res.json({
      status: 'ready',
      model: { dataset: m.dataset, version: m.version, created_at: m.createdAt, factors: m.factors, users: m.users, movies: m.movies, metrics: m.metrics ?? {} },
      catalogue: { movies: recommender.catalogueSize },
    });
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  return router;
}
