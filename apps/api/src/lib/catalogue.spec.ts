import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { openSqliteCatalogueOverlay, openSqliteKeyStore, type CatalogueOverlayStore, type KeyStore } from '@reelrank/feedback';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { AS_ADMIN, MOVIES, plantedBundle, RATED, SERVING, TEST_ADMIN_TOKEN } from '../__fixtures__/fixtures.js';
import { createApp } from './app.js';
import { CatalogueSync } from './catalogue-sync.js';
import { ModelHolder, type MovieChanged } from './model-holder.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

/**
 * The catalogue's writes through the API: POST /movies, PATCH /movies/{id} (hiding included), who may
 * call them, their validation, and how every process (cluster workers, replicas) serves them: each app
 * here is one process with its own model holder, all on one overlay file.
 */
describe('the catalogue routes: POST /movies and PATCH /movies/{movie_id}', () => {
  let dir: string;
  let keys: KeyStore;
  const opened: CatalogueOverlayStore[] = [];
  const syncs: CatalogueSync[] = [];
  let service: { authorization: string };
  let reader: { authorization: string };

  const overlay = () => {
    const store = openSqliteCatalogueOverlay(join(dir, 'test.ratings.db'));
    opened.push(store);
    return store;
  };
  /** One API process: its holder builds models with the overlay it knows, its sync polls the shared store. */
  const process = async (options: { pollMs?: number } = {}) => {
    const store = overlay();
    const holder: ModelHolder = new ModelHolder(
      () => new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED), { catalogueChanges: holder.catalogueChanges() }),
    );
    const sync = new CatalogueSync(store, (rows) => holder.applyCatalogueChanges(rows));
    syncs.push(sync);
    await sync.load();
    holder.reload();
    if (options.pollMs) sync.start({ intervalMs: options.pollMs, listeningMs: options.pollMs }, (error) => console.error(error));
    const app = createApp({ models: holder, config: { serving: SERVING }, admin: { token: TEST_ADMIN_TOKEN }, keys, catalogue: store });
    return { app, holder, sync, store };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-catalogue-api-'));
    keys = openSqliteKeyStore(':memory:');
    service = { authorization: `Bearer ${(await keys.create('backend', 'service')).key}` };
    reader = { authorization: `Bearer ${(await keys.create('dashboards', 'reader')).key}` };
  });
  afterEach(async () => {
    for (const sync of syncs.splice(0)) sync.stop();
    for (const store of opened.splice(0)) await store.close();
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a service key adds a movie, then it gets the next id above the data set, is found, shown and rateable at once', async () => {
    const { app } = await process();
    const body = { title: 'Nebula Drift (2026)', year: 2026, genres: ['Sci-Fi'], tags: ['space', 'slow'], imdb_id: '0133093', tmdb_id: 603 };
    const res = await request(app).post('/movies').set(service).send(body).expect(201);
    expect(res.headers.location).toBe('/movies/91');
    expect(res.body).toEqual({
      movie_id: 91,
      title: 'Nebula Drift (2026)',
      year: 2026,
      genres: ['Sci-Fi'],
      tags: ['space', 'slow'],
      imdb_id: '0133093',
      tmdb_id: 603,
      hidden: false,
      added: true,
      revision: 1,
    });
    expect((await request(app).get('/movies/91').expect(200)).body).toMatchObject({ movie_id: 91, in_model: false, hidden: false });
    expect(ids((await request(app).get('/movies?search=nebula').expect(200)).body.movies)).toEqual([91]);
    await request(app).post('/ratings').set(AS_ADMIN).send({ user_id: 1, movie_id: 91, rating: 4 }).expect(201);
    const second = await request(app).post('/movies').set(AS_ADMIN).send({ title: 'Second', year: null, genres: [] }).expect(201);
    expect(second.body.movie_id).toBe(92);
  });

  it('when a movie is hidden, then no recommendation, similar list or default search shows it, and only service or admin keys see it', async () => {
    const { app } = await process();
    const before = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(ids(before.body.recommendations)).toContain(30); // and now cached
    const hidden = await request(app).patch('/movies/30').set(service).send({ hidden: true }).expect(200);
    expect(hidden.body).toMatchObject({ movie_id: 30, title: 'Galaxy, The (1999)', hidden: true, added: false });
    const after = await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200);
    expect(ids(after.body.recommendations)).not.toContain(30);
    const fresh = await request(app)
      .post('/recommendations/new-user')
      .send({ ratings: [{ movie_id: 10, rating: 5 }] })
      .expect(200);
    expect(ids(fresh.body.recommendations)).not.toContain(30);
    expect(ids((await request(app).post('/recommendations').send({ user_id: 999 }).expect(200)).body.recommendations)).not.toContain(30);
    expect(ids((await request(app).get('/movies/10/similar?n=10').expect(200)).body.similar)).not.toContain(30);
    expect(ids((await request(app).get('/movies?search=galaxy').expect(200)).body.movies)).toEqual([]);
    await request(app).get('/movies/30').expect(404);
    expect((await request(app).get('/movies/30').set(service).expect(200)).body.hidden).toBe(true);
    const refused = await request(app).get('/movies?search=galaxy&include_hidden=true').set(reader).expect(403);
    expect(refused.body.error.details[0].field).toBe('include_hidden');
    expect(ids((await request(app).get('/movies?search=galaxy&include_hidden=true').set(service).expect(200)).body.movies)).toEqual([30]);
    await request(app).patch('/movies/30').set(AS_ADMIN).send({ hidden: false }).expect(200);
    expect(ids((await request(app).post('/recommendations').send({ user_id: 1, n_recommendations: 3 }).expect(200)).body.recommendations)).toContain(
      30,
    );
  });

  it.each([
    ['anonymous', {}, 401],
    ['a reader key', 'reader', 403],
  ])('when %s tries to change the catalogue, then it is refused naming authorization and nothing is stored', async (_who, as, status) => {
    const { app, store } = await process();
    const headers = as === 'reader' ? reader : (as as Record<string, string>);
    const post = await request(app).post('/movies').set(headers).send({ title: 'x', year: 2000, genres: [] }).expect(status);
    expect(post.body.error.details[0].field).toBe('authorization');
    await request(app).patch('/movies/30').set(headers).send({ hidden: true }).expect(status);
    expect(await store.version()).toEqual({ count: 0, newestRevision: 0 });
  });

  it.each([
    ['no title', { year: 2000, genres: [] }, 'title'],
    ['a blank title', { title: '  ', year: 2000, genres: [] }, 'title'],
    ['year 1500', { title: 'x', year: 1500, genres: [] }, 'year'],
    ['no genres', { title: 'x', year: 2000 }, 'genres'],
    ['a genre with |', { title: 'x', year: 2000, genres: ['a|b'] }, 'genres.0'],
    ['an imdb id with tt', { title: 'x', year: 2000, genres: [], imdb_id: 'tt0133093' }, 'imdb_id'],
    ['an unknown field', { title: 'x', year: 2000, genres: [], rating: 5 }, 'rating'],
  ])('when the new movie has %s, then 400 names the field', async (_case, body, field) => {
    const { app } = await process();
    const res = await request(app).post('/movies').set(service).send(body).expect(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('when a change is empty, bad or names an unknown movie, then 400 or 404 names it', async () => {
    const { app } = await process();
    expect((await request(app).patch('/movies/30').set(service).send({}).expect(400)).body.error.details[0].field).toBe('body');
    expect((await request(app).patch('/movies/30').set(service).send({ hidden: 'yes' }).expect(400)).body.error.details[0].field).toBe('hidden');
    expect((await request(app).patch('/movies/0').set(service).send({ hidden: true }).expect(400)).body.error.details[0].field).toBe('movie_id');
    expect((await request(app).patch('/movies/4242').set(service).send({ hidden: true }).expect(404)).body.error.details[0].field).toBe('movie_id');
  });

  it('when a data-set movie is renamed, then its new title is served and found, the other fields kept', async () => {
    const { app } = await process();
    const res = await request(app).patch('/movies/20').set(service).send({ title: 'Robot Sunset (1984)' }).expect(200);
    expect(res.body).toMatchObject({ title: 'Robot Sunset (1984)', year: 1984, genres: ['Sci-Fi', 'Action'] });
    expect(ids((await request(app).get('/movies?search=robot sunset').expect(200)).body.movies)).toEqual([20]);
  });

  it('when one process changes the catalogue, then another process on the same store serves it within a second', async () => {
    const a = await process({ pollMs: 100 });
    const b = await process({ pollMs: 100 });
    await request(a.app).patch('/movies/30').set(service).send({ hidden: true }).expect(200);
    const added = (
      await request(a.app)
        .post('/movies')
        .set(service)
        .send({ title: 'Shared (2026)', year: 2026, genres: ['Drama'] })
        .expect(201)
    ).body;
    const started = Date.now();
    while (Date.now() - started < 1000) {
      const similar = ids((await request(b.app).get('/movies/10/similar?n=10')).body.similar ?? [30]);
      const found = (await request(b.app).get(`/movies/${added.movie_id}`)).status === 200;
      if (!similar.includes(30) && found) break;
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expect(
      ids((await request(b.app).post('/recommendations').send({ user_id: 1, n_recommendations: 5 }).expect(200)).body.recommendations),
    ).not.toContain(30);
    expect((await request(b.app).get(`/movies/${added.movie_id}`).expect(200)).body.title).toBe('Shared (2026)');
  });

  it('when a process starts or reloads, then it serves the stored overlay, and listeners hear every change applied', async () => {
    const first = await process();
    await request(first.app).patch('/movies/30').set(service).send({ hidden: true, title: 'Galaxy, Renamed (1999)' }).expect(200);
    const restarted = await process();
    await request(restarted.app).get('/movies/30').expect(404);
    expect(ids((await request(restarted.app).post('/recommendations').send({ user_id: 1 }).expect(200)).body.recommendations)).not.toContain(30);
    restarted.holder.reload();
    expect((await request(restarted.app).get('/movies/30').set(service).expect(200)).body).toMatchObject({
      title: 'Galaxy, Renamed (1999)',
      hidden: true,
    });

    const heard: MovieChanged[] = [];
    const stop = restarted.holder.onMovieChanged((change) => heard.push(change));
    await request(restarted.app)
      .post('/movies')
      .set(service)
      .send({ title: 'Heard (2026)', year: 2026, genres: ['Drama'], tags: ['quiet'] })
      .expect(201);
    await restarted.sync.poll(); // the poll brings the same row again: not told twice
    stop();
    expect(heard).toEqual([
      { movie: { movieId: 91, title: 'Heard (2026)', year: 2026, genres: ['Drama'] }, hidden: false, tags: ['quiet'], added: true },
    ]);
  });
});
