import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { runIngest } from '@reelrank/ingest';
import { loadDatabase } from '@reelrank/database';
import { runTraining } from '@reelrank/trainer';
import { addEaseScores, easeScorer, loadModelArtifacts, scoreAllMovies, scoreForRanking, topN, type ModelBundle } from '@reelrank/model';
import { createApp } from '@reelrank/api';
import { openSqliteCatalog, Recommender, servedBundle } from '@reelrank/serving';
import {
  GENERATED_DATASET,
  generatedMovieLensSource,
  readCatalogue,
  readRatings,
  tempWorkspace,
  type CatalogueMovie,
} from '@reelrank/ingest/testing';

/**
 * The whole product on data with a known answer: a generated MovieLens-shaped set (ml-latest-small's
 * files; 120 users, a planted rank-4 model whose factors follow genres) goes through the real ingest,
 * database and train stages into a throwaway workspace, then the real app answers HTTP.
 */
const PIPELINE_DATA = { users: 120, movies: 800, ratings: 18_000, factors: 4 };

describe('pipeline end to end on generated MovieLens-shaped data', () => {
  let config: AppConfig;
  let server: Server;
  let base: string;
  let closeCatalog: () => void;
  let source: string;
  let bundle: ModelBundle;
  let catalogue: CatalogueMovie[];
  const quiet = () => undefined;

  beforeAll(async () => {
    const root = tempWorkspace();
    source = await generatedMovieLensSource(PIPELINE_DATA);
    catalogue = readCatalogue(source);
    config = loadConfig({
      root,
      env: { MOVIELENS_SOURCE: source },
      overrides: { training: { maxEpochs: 25, factors: 32 } },
    });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet });

    const catalog = openSqliteCatalog(config.paths.dbPath);
    closeCatalog = () => catalog.close();
    bundle = loadModelArtifacts(config.paths.modelDir);
    const recommender = new Recommender(bundle, catalog);
    const app = createApp({ recommender: () => recommender, config });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    closeCatalog?.();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('when the stages ran, then each wrote its artifact and the report counts add up', () => {
    const report = JSON.parse(readFileSync(join(config.paths.processedDir, 'report.json'), 'utf8'));
    expect(report.dataHash).toMatch(/^[0-9a-f]{64}$/);
    // The generator writes clean data: every rating and movie is kept, nothing dropped.
    expect(report.counts).toMatchObject({ users: PIPELINE_DATA.users, movies: PIPELINE_DATA.movies, ratings: PIPELINE_DATA.ratings });
    expect(existsSync(config.paths.dbPath)).toBe(true);
    const metrics = JSON.parse(readFileSync(join(config.paths.modelDir, 'metrics.json'), 'utf8'));
    expect(metrics.dataHash).toBe(report.dataHash);
    const { all, train, validation, test, gateHoldout } = metrics.training.ratings;
    // Every rating but the gate holdout is trained on (the holdout scores the promotion gate).
    expect(gateHoldout).toBeGreaterThan(0);
    expect(all + gateHoldout).toBe(PIPELINE_DATA.ratings);
    expect(train + validation + test).toBe(all);
    expect(test).toBe(metrics.splits.test);
    // The rating model's row is named after the model the plan chose (SVD++ on small sets, plain MF above).
    const ratingRow = { svdpp: 'SVD++ (SGD)', mf: 'biased MF (SGD)' }[metrics.plan.rating.kind as 'svdpp' | 'mf'];
    expect(metrics.plan.rating.kind).toBe(metrics.ratingModel);
    expect(metrics.models.map((m: { model: string }) => m.model)).toEqual(
      expect.arrayContaining(['global mean', 'baseline (mu + b_u + b_i, ALS)', ratingRow]),
    );
    const manifest = JSON.parse(readFileSync(join(config.paths.modelDir, 'model.json'), 'utf8'));
    expect(manifest.dataset).toBe(GENERATED_DATASET);
    expect(manifest.users).toBe(PIPELINE_DATA.users);
    expect(manifest.dataHash).toBe(report.dataHash);
  });

  it('when the model is evaluated on held-out ratings, then it beats the global mean and the bias baseline', () => {
    const { metrics } = JSON.parse(readFileSync(join(config.paths.modelDir, 'model.json'), 'utf8'));
    // The data has a planted rank-4 interaction term (sd 0.6) on top of the biases, plus noise
    // (sd 0.7, then rounded to half stars): biases alone cannot explain it, MF can (by ~0.09 here).
    expect(metrics.testRmse).toBeGreaterThan(0.5); // never better than the noise allows
    expect(metrics.testRmse).toBeLessThan(metrics.models['global mean'].rmse - 0.1);
    expect(metrics.testRmse).toBeLessThan(metrics.models['baseline (mu + b_u + b_i, ALS)'].rmse - 0.04);
  });

  it('when a known user asks for recommendations, then they are personal, unseen and well-formed', async () => {
    const rated = new Set(
      readRatings(source)
        .filter(([user]) => user === 1)
        .map(([, movie]) => movie),
    );
    expect(rated.size).toBeGreaterThanOrEqual(20);
    const { status, body } = await post('/recommendations', { user_id: 1, n_recommendations: 10 });
    expect(status).toBe(200);
    expect(body.user_id).toBe(1);
    expect(body.strategy).toBe('personalized');
    expect(body.recommendations).toHaveLength(10);
    for (const item of body.recommendations) {
      expect(rated.has(item.movie_id)).toBe(false);
      expect(typeof item.title).toBe('string');
      expect(Array.isArray(item.genres)).toBe(true);
      expect(item.predicted_rating).toBeGreaterThanOrEqual(0.5);
      expect(item.predicted_rating).toBeLessThanOrEqual(5);
    }
    expect(new Set(body.recommendations.map((r: { movie_id: number }) => r.movie_id)).size).toBe(10);
  });

  it("when known users ask, then the list is the saved ranker's top 10 in its order, not the top by predicted rating", async () => {
    expect(bundle.ranking).toBeDefined();
    // The model as served: the content map's cold-start movies set into it (servedBundle), as the Recommender does.
    const reference = servedBundle(bundle);
    const { model } = reference;
    const scores = new Float32Array(model.movieIds.length);
    const byRating = new Float32Array(model.movieIds.length);
    const { ranking } = reference;
    const ease = ranking?.ease && ranking.weights.ease ? easeScorer(ranking.ease, model.movieIds.length) : null;
    let differsFromRatingOrder = 0;
    for (const userId of [1, 2, 17, 60, 120]) {
      const served: number[] = (await post('/recommendations', { user_id: userId, n_recommendations: 10 })).body.recommendations.map(
        (r: { movie_id: number }) => r.movie_id,
      );
      const userIndex = model.userIds.indexOf(userId);
      const own = readRatings(source).filter(([user]) => user === userId);
      const seen = new Set(own.map(([, movie]) => model.movieIds.indexOf(movie)));
      scoreForRanking(reference, userIndex, scores);
      // The EASE term (when the blend kept it) over the user's rated movies and their ratings, as the API adds it.
      const known = own.filter(([, movie]) => model.movieIds.indexOf(movie) >= 0);
      const rated = known.map(([, movie]) => model.movieIds.indexOf(movie));
      if (ease)
        addEaseScores(
          ease,
          rated,
          0,
          rated.length,
          ranking!.weights.ease!,
          scores,
          known.map(([, , rating]) => rating),
        );
      const expected = topN(scores, 10, seen).map((i) => model.movieIds[i]);
      const scoreOf = (movieId: number) => scores[model.movieIds.indexOf(movieId)];
      // The served list is the ranker's top 10 (float32 SIMD vs. this reference: equal up to near-ties).
      const tenth = scoreOf(expected[9]);
      for (const id of served) expect(scoreOf(id)).toBeGreaterThanOrEqual(tenth - 1e-4);
      for (let j = 1; j < served.length; j++) expect(scoreOf(served[j - 1])).toBeGreaterThanOrEqual(scoreOf(served[j]) - 1e-4);
      expect(served.filter((id) => expected.includes(id)).length).toBeGreaterThanOrEqual(9);
      // ...which is not what ordering by the rating model's predictions gives.
      scoreAllMovies(model, userIndex, byRating);
      const byPredicted = topN(byRating, 10, seen).map((i) => model.movieIds[i]);
      if (JSON.stringify(byPredicted) !== JSON.stringify(served)) differsFromRatingOrder += 1;
    }
    expect(differsFromRatingOrder).toBeGreaterThanOrEqual(4);
  });

  it('when a new user rates only movies of one genre high and others low, then the fold-in recommends that genre', async () => {
    // The planted factors follow genres (generator option genreAligned): the taste is knowable.
    const genre = 'Action';
    const has = (m: CatalogueMovie) => m.genres.includes(genre);
    const loved = catalogue.filter(has).slice(0, 8);
    const disliked = catalogue.filter((m) => !has(m)).slice(0, 8);
    const ratings = [...loved.map((m) => ({ movie_id: m.movieId, rating: 5 })), ...disliked.map((m) => ({ movie_id: m.movieId, rating: 1 }))];
    const { status, body } = await post('/recommendations/new-user', { ratings, n_recommendations: 10 });
    expect(status).toBe(200);
    expect(body.strategy).toBe('fold-in');
    const list: { movie_id: number; genres: string[] }[] = body.recommendations;
    expect(list).toHaveLength(10);
    for (const m of [...loved, ...disliked]) expect(list.map((r) => r.movie_id)).not.toContain(m.movieId);
    const share = list.filter((r) => r.genres.includes(genre)).length / list.length;
    const catalogueShare = catalogue.filter(has).length / catalogue.length;
    expect(list[0].genres).toContain(genre);
    expect(share).toBeGreaterThanOrEqual(2.5 * catalogueShare);
  });

  it('when an unknown user asks, then the popular list comes back', async () => {
    const { status, body } = await post('/recommendations', { user_id: 999999, n_recommendations: 5 });
    expect(status).toBe(200);
    expect(body.strategy).toBe('popular');
    expect(body.recommendations).toHaveLength(5);
  });

  it('when predicting a rating, then it is in range; an unknown movie is a 404; bad input a 400', async () => {
    const movieId = catalogue[0].movieId;
    const ok = await post('/predict', { user_id: 1, movie_id: movieId });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ user_id: 1, movie_id: movieId });
    expect(ok.body.predicted_rating).toBeGreaterThanOrEqual(0.5);
    expect(ok.body.predicted_rating).toBeLessThanOrEqual(5);
    expect((await post('/predict', { user_id: 1, movie_id: 99999999 })).status).toBe(404);
    const bad = await post('/predict', { user_id: 'one', movie_id: 1 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('user_id');
  });

  it('when the docs are opened, then Swagger UI and the OpenAPI document are served', async () => {
    const docs = await fetch(`${base}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/recommendations', '/predict']));
  });
});
