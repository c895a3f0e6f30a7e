import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadModelArtifacts, saveModelArtifacts } from '@reelrank/model';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { AS_ADMIN, MOVIES, plantedBundle, plantedContentMap, RATED, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { ModelHolder, ModelReloadError } from './model-holder.js';

/** The planted model saved as a training would, with a content map or without. */
function savedModel(withContentMap: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-movie-content-'));
  const { model, popularity, manifest } = plantedBundle();
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  saveModelArtifacts(dir, {
    model,
    popularity,
    manifest: input,
    metricsReport: {},
    ...(withContentMap ? { contentMap: { map: plantedContentMap(), coldStart: [] } } : {}),
  });
  return dir;
}

function setup(withContentMap = true) {
  const dir = savedModel(withContentMap);
  // Movie 90 is in the catalogue (as a movie posted after the training) but not in the model.
  const holder = new ModelHolder(() => new Recommender(loadModelArtifacts(dir), inMemoryCatalog(MOVIES, RATED, 'api-fixture')));
  holder.reload();
  const app = createApp({ models: holder, config: { serving: SERVING }, admin: { token: TEST_ADMIN_TOKEN, burst: 10_000, refillSeconds: 0.001 } });
  return { holder, app };
}

const recommended = async (app: Parameters<typeof request>[0], userId: number, n: number) =>
  (
    (await request(app).post('/recommendations').set(AS_ADMIN).send({ user_id: userId, n_recommendations: n }).expect(200)).body.recommendations as {
      movie_id: number;
    }[]
  ).map((r) => r.movie_id);

describe('ModelHolder.setMovieContent', () => {
  it('when a new movie gets content, then it is recommended to the users whose taste fits and in similar, before any retrain', async () => {
    const { holder, app } = setup();
    expect(await recommended(app, 1, 10)).not.toContain(90);
    const result = holder.setMovieContent(90, { genres: ['Sci-Fi'], year: 2021 });
    expect(result).toEqual({ version: holder.current()!.manifest.version, movieId: 90 });
    expect((await recommended(app, 1, 2)).includes(90)).toBe(true);
    expect(await recommended(app, 2, 3)).not.toContain(90);
    const similar = await request(app).get('/movies/10/similar').query({ n: 10 }).expect(200);
    expect(similar.body.similar.map((s: { movie_id: number }) => s.movie_id)).toContain(90);
    const ofNew = await request(app).get('/movies/90/similar').query({ n: 2 }).expect(200);
    expect(ofNew.body.similar.length).toBe(2);
  });

  it('when the same model is reloaded, then the movie given content is still served from it', async () => {
    const { holder, app } = setup();
    holder.setMovieContent(90, { genres: ['Sci-Fi'], year: 2021 });
    holder.reload({ source: 'signal' });
    expect(holder.current()!.servesMovie(90)).toBe(true);
    expect(await recommended(app, 1, 2)).toContain(90);
  });

  it('when the model has no content map, then it refuses and the live model keeps serving', async () => {
    const { holder, app } = setup(false);
    const live = holder.current();
    expect(() => holder.setMovieContent(90, { genres: ['Sci-Fi'], year: 2021 })).toThrow(ModelReloadError);
    expect(holder.current()).toBe(live);
    expect(await recommended(app, 1, 10)).not.toContain(90);
  });
});

describe('POST /movies with a content map', () => {
  it('when a service posts a new movie, then it is served from its content at once: recommended where the taste fits and in similar', async () => {
    const { holder, app } = setup();
    const posted = await request(app)
      .post('/movies')
      .set(AS_ADMIN)
      .send({ title: 'Orbit Nine (2021)', year: 2021, genres: ['Sci-Fi'] })
      .expect(201);
    const movieId = posted.body.movie_id as number;
    expect(holder.current()!.servesMovie(movieId)).toBe(true);
    expect(await recommended(app, 1, 2)).toContain(movieId);
    expect(await recommended(app, 2, 3)).not.toContain(movieId);
    const similar = await request(app).get('/movies/10/similar').query({ n: 10 }).expect(200);
    expect(similar.body.similar.map((s: { movie_id: number }) => s.movie_id)).toContain(movieId);
  });

  it('when a movie was hidden before a content rebuild, then it stays hidden in the rebuilt model', async () => {
    const { app } = setup();
    await request(app).patch('/movies/10').set(AS_ADMIN).send({ hidden: true }).expect(200);
    await request(app)
      .post('/movies')
      .set(AS_ADMIN)
      .send({ title: 'Orbit Ten (2025)', year: 2025, genres: ['Sci-Fi'] })
      .expect(201);
    expect(await recommended(app, 1, 10)).not.toContain(10);
    await request(app).get('/movies/10').expect(404);
  });

  it('when the model has no content map, then the new movie is catalogued but not ranked', async () => {
    const { holder, app } = setup(false);
    const posted = await request(app)
      .post('/movies')
      .set(AS_ADMIN)
      .send({ title: 'Orbit Eleven (2025)', year: 2025, genres: ['Sci-Fi'] })
      .expect(201);
    expect(holder.current()!.servesMovie(posted.body.movie_id)).toBe(false);
    await request(app).get(`/movies/${posted.body.movie_id}`).expect(200);
  });
});
