import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { CATALOGUE_SCHEMA, loadDatabase, loadPostgresDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource } from '@reelrank/ingest/testing';
import { loadModelArtifacts, resolveLiveModel } from '@reelrank/model';
import { openSqliteCatalog, Recommender } from '@reelrank/serving';
import { runTraining } from '@reelrank/trainer';
import pg from 'pg';
import { runCli } from '@reelrank/cli';
import { startApi, type ApiProcess } from '../../tools/lib/processes';
import { AS_ADMIN, TEST_ADMIN_TOKEN } from './served-workspace';
import { freshDatabase } from './postgres-test-db';
import { quickTrainingEnv } from '../workspace-env';

/**
 * "The same API test suite passes on both stores". One spec body, run against a real
 * API process (apps/api/src/main.ts) on SQLite (no DATABASE_URL) and on PostgreSQL (DATABASE_URL:
 * catalogue and posted ratings there, and no SQLite catalogue file in its data folder at all), with the
 * same expectations: the answers of an in-process Recommender over the SQLite catalogue and the same
 * model.
 */
type Store = 'sqlite' | 'postgres';

const shared: { env: Record<string, string | undefined>; config: AppConfig; db: { url: string; drop(): Promise<void> }; reference: Recommender } =
  {} as never;

beforeAll(async () => {
  shared.db = await freshDatabase();
  const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 21 });
  shared.env = {
    ...quickTrainingEnv(source),
    DATABASE_URL: '',
    REELRANK_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  };
  const config = (shared.config = loadConfig({ env: shared.env }));
  const quiet = () => undefined;
  await runIngest(config, { log: quiet });
  await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
  await loadPostgresDatabase({ processedDir: config.paths.processedDir, databaseUrl: shared.db.url, dataset: config.dataset.dataset, log: quiet });
  await runTraining(config, { log: quiet, implicit: false });
  const modelDir = resolveLiveModel(config.paths, config.storage.keepModelVersions).dir;
  shared.reference = new Recommender(loadModelArtifacts(modelDir), openSqliteCatalog(config.paths.dbPath), {
    maxRecommendations: config.serving.maxRecommendations,
  });
}, 180_000);

afterAll(async () => {
  shared.reference?.close();
  await shared.db?.drop();
});

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

describe.each<Store>(['sqlite', 'postgres'])('the API with its catalogue and ratings on %s', (store) => {
  let api: ApiProcess;
  let dataDir: string | undefined;
  // As an admin: GET /ready names the stores to an admin only.
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: body === undefined ? AS_ADMIN : { 'content-type': 'application/json', ...AS_ADMIN },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const env =
      store === 'sqlite'
        ? shared.env
        : // Another data folder without data/<dataset>.db: the catalogue can only come from PostgreSQL.
          { ...shared.env, DATABASE_URL: shared.db.url, REELRANK_DATA_DIR: (dataDir = mkdtempSync(join(tmpdir(), 'reelrank-pg-api-data-'))) };
    api = await startApi({ name: `api on ${store}`, env, readyTimeoutMs: 120_000 });
  }, 150_000);
  afterAll(async () => {
    await api?.stop(5_000);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const knownUser = () => (shared.reference.dataSetRatings(1).length > 0 ? 1 : 2);

  it('when asked GET /ready, then it names the catalogue and the ratings store it reads', async () => {
    const { status, body } = await call('GET', '/ready');
    expect(status).toBe(200);
    const location = store === 'sqlite' ? shared.config.paths.dbPath : new URL(shared.db.url).toString();
    expect(body.catalogue).toEqual({ movies: shared.reference.catalogueSize, kind: store, location });
    expect(body.ratings_store).toMatchObject({ kind: store, reachable: true });
  });

  it("when a known user asks for recommendations and a prediction, then the answers are the reference's", async () => {
    const user = knownUser();
    const recs = await call('POST', '/recommendations', { user_id: user, n_recommendations: 8 });
    expect(recs.status).toBe(200);
    const expected = shared.reference.recommend(user, { n: 8 });
    expect(recs.body).toEqual(
      json({
        user_id: user,
        strategy: expected.strategy,
        recommendations: expected.recommendations,
        model_version: shared.reference.manifest.version,
      }),
    );
    expect(expected.recommendations).toHaveLength(8);
    const movie = expected.recommendations[0].movie_id;
    const predicted = await call('POST', '/predict', { user_id: user, movie_id: movie });
    expect(predicted.body).toEqual({
      user_id: user,
      movie_id: movie,
      predicted_rating: shared.reference.predict(user, movie),
      model_version: shared.reference.manifest.version,
    });
  });

  it("when movies are searched, then the pages are the reference's", async () => {
    const title = shared.reference.search({ limit: 1, offset: 5 }).movies[0].title;
    const word = title.split(' ')[0].toLowerCase();
    for (const query of [word, word.slice(1, 3), 'the', 'zzzz']) {
      for (const page of [
        { limit: 5, offset: 0 },
        { limit: 3, offset: 2 },
      ]) {
        const res = await call('GET', `/movies?search=${encodeURIComponent(query)}&limit=${page.limit}&offset=${page.offset}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual(json(shared.reference.search({ query, ...page })));
      }
    }
    const genre = shared.reference.genres[0];
    const byGenre = await call('GET', `/movies?genre=${encodeURIComponent(genre)}&limit=10`);
    expect(byGenre.body).toEqual(json(shared.reference.search({ genre, limit: 10, offset: 0 })));
    expect((byGenre.body.movies as unknown[]).length).toBeGreaterThan(0);
  });

  it('when a user posts, reads and deletes ratings, then GET /users/{id}/ratings shows the original and the posted ones', async () => {
    const user = knownUser();
    const original = shared.reference.dataSetRatings(user);
    const before = await call('GET', `/users/${user}/ratings`);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      user_id: user,
      ratings: original.map((r) => ({ movie_id: r.movieId, rating: r.rating, timestamp: r.timestamp, source: 'original' })),
      counts: { original: original.length, new: 0 },
    });
    const rated = new Set(original.map((r) => r.movieId));
    const unrated = shared.reference.search({ limit: 100, offset: 0 }).movies.find((m) => !rated.has(m.movie_id))!.movie_id;
    const posted = await call('POST', '/ratings', { user_id: user, movie_id: unrated, rating: 4.5, timestamp: 1_700_000_000 });
    expect(posted.status).toBe(201);
    const after = await call('GET', `/users/${user}/ratings`);
    expect(after.body.counts).toEqual({ original: original.length, new: 1 });
    expect(after.body.ratings).toContainEqual({ movie_id: unrated, rating: 4.5, timestamp: 1_700_000_000, source: 'new' });
    const deleted = await call('DELETE', `/users/${user}/ratings/${unrated}`);
    expect(deleted.body).toEqual({ user_id: user, movie_id: unrated, forgotten: 1 });
    expect((await call('GET', `/users/${user}/ratings`)).body).toEqual(before.body);
    const unknownMovie = await call('POST', '/ratings', { user_id: user, movie_id: 987_654_321, rating: 3 });
    expect(unknownMovie.status).toBe(404);
  });

  it('when a user marks its top pick "not interested", then the next answer leaves it out; listed, and back once deleted', async () => {
    const user = knownUser();
    const picks = async () =>
      ((await call('POST', '/recommendations', { user_id: user, n_recommendations: 5 })).body.recommendations as { movie_id: number }[]).map(
        (m) => m.movie_id,
      );
    const before = await picks();
    const posted = await call('POST', '/signals', { user_id: user, movie_id: before[0], kind: 'not_interested' });
    expect(posted.status).toBe(201);
    expect(await picks()).not.toContain(before[0]);
    const listed = await call('GET', `/users/${user}/signals`);
    expect((listed.body.signals as { movie_id: number; kind: string }[]).map((x) => [x.movie_id, x.kind])).toEqual([[before[0], 'not_interested']]);
    expect((await call('DELETE', `/users/${user}/signals/not_interested/${before[0]}`)).body.forgotten).toBe(1);
    expect(await picks()).toEqual(before);
  });
});

describe.each<Store>(['sqlite', 'postgres'])('the CLI with its catalogue on %s', (store) => {
  it('when asked for recommendations and a search, then it answers like the API (the same catalogue switch)', async () => {
    const env =
      store === 'sqlite'
        ? shared.env
        : { ...shared.env, DATABASE_URL: shared.db.url, REELRANK_DATA_DIR: mkdtempSync(join(tmpdir(), 'reelrank-pg-cli-data-')) };
    let stdout = '';
    let stderr = '';
    const cli = async (...argv: string[]) => {
      stdout = '';
      const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      return JSON.parse(stdout) as unknown;
    };
    const expected = shared.reference.recommend(1, { n: 6 });
    expect(await cli('recommend', '--user', '1', '-n', '6', '--json')).toEqual(
      json({ user_id: 1, ...expected, model_version: shared.reference.manifest.version }),
    );
    expect(await cli('search', 'the', '--json')).toEqual(json(shared.reference.search({ query: 'the', limit: 20, offset: 0 })));
  }, 60_000);
});

describe('the API on PostgreSQL: start and reload', () => {
  it('when PostgreSQL holds another data set, then the API exits at start with one error naming both, its password masked', async () => {
    const url = new URL(shared.db.url);
    url.password = 'hunter2'; // the throwaway cluster trusts local connections: any password connects
    const env = { ...shared.env, DATABASE_URL: url.toString(), REELRANK_DATASET: 'ml-latest-small' };
    const error = await startApi({ name: 'api on another data set', env, readyTimeoutMs: 60_000 }).then(
      (api) => api.stop(2_000).then(() => undefined),
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/exited with 1/);
    expect(error?.message).toMatch(
      /cannot open the catalogue of ml-latest-small: the catalogue in PostgreSQL at postgres:\/\/postgres:\*\*\*@.* holds data set "generated"/,
    );
    expect(error?.message).not.toMatch(/hunter2/);
  }, 90_000);

  it('when started in cluster mode, then every worker reads the catalogue from PostgreSQL and answers alike', async () => {
    const data = mkdtempSync(join(tmpdir(), 'reelrank-pg-cluster-data-')); // no SQLite catalogue here
    const env = { ...shared.env, DATABASE_URL: shared.db.url, REELRANK_DATA_DIR: data, REELRANK_WORKERS: '2' };
    const api = await startApi({ name: 'cluster on postgres', script: 'cluster.ts', workers: 2, env, readyTimeoutMs: 120_000 });
    try {
      const workers = new Map<string, unknown>();
      for (let i = 0; i < 40 && workers.size < 2; i++) {
        const res = await fetch(`${api.url}/movies?search=the&limit=5`, { headers: { connection: 'close' } });
        workers.set(res.headers.get('x-worker-id') ?? 'single', await res.json());
      }
      expect(workers.size).toBe(2);
      for (const body of workers.values()) expect(body).toEqual(json(shared.reference.search({ query: 'the', limit: 5, offset: 0 })));
    } finally {
      await api.stop(5_000);
    }
  }, 150_000);

  it('when the database stage loaded anew and the admin reloads (or SIGHUP), then the catalogue is read again from PostgreSQL', async () => {
    const env = { ...shared.env, DATABASE_URL: shared.db.url, REELRANK_ADMIN_TOKEN: 'reload-token-5Jw8Pq2Tz6Lk9Xr4' };
    const api = await startApi({ name: 'api reloading', env, readyTimeoutMs: 120_000 });
    const client = new pg.Client({ connectionString: shared.db.url });
    await client.connect();
    const movieId = shared.reference.search({ limit: 1, offset: 0 }).movies[0].movie_id;
    const title = async () => ((await (await fetch(`${api.url}/movies/${movieId}`)).json()) as { title: string }).title;
    const reload = () => fetch(`${api.url}/admin/reload`, { method: 'POST', headers: { authorization: 'Bearer reload-token-5Jw8Pq2Tz6Lk9Xr4' } });
    try {
      const before = await title();
      await client.query(`UPDATE ${CATALOGUE_SCHEMA}.movies SET title = 'Retitled (2001)' WHERE movie_id = $1`, [movieId]);
      expect((await reload()).status).toBe(200);
      expect(await title()).toBe(before); // same dataHash: the copy in memory is kept
      await client.query(`UPDATE ${CATALOGUE_SCHEMA}.dataset_meta SET value = value || '-2' WHERE key = 'dataHash'`);
      expect((await reload()).status).toBe(200);
      expect(await title()).toBe('Retitled (2001)');
      // SIGHUP (the cluster primary's rolling reload) re-reads it too.
      await client.query(`UPDATE ${CATALOGUE_SCHEMA}.movies SET title = 'Signalled (2002)' WHERE movie_id = $1`, [movieId]);
      await client.query(`UPDATE ${CATALOGUE_SCHEMA}.dataset_meta SET value = value || '-3' WHERE key = 'dataHash'`);
      api.child.kill('SIGHUP');
      const deadline = Date.now() + 20_000;
      while ((await title()) !== 'Signalled (2002)' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await title()).toBe('Signalled (2002)');
    } finally {
      await client.end();
      await api.stop(5_000);
    }
  }, 150_000);
});
