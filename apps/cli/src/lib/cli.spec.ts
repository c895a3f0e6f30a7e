import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { runIngest } from '@reelrank/ingest';
import { loadDatabase } from '@reelrank/database';
import { runTraining } from '@reelrank/trainer';
import { loadModelArtifacts } from '@reelrank/model';
import { createApp } from '@reelrank/api';
import { openSqliteCatalog, Recommender } from '@reelrank/serving';
import { GENERATED_DATASET, generatedMovieLensSource, readCatalogue, tempWorkspace, type CatalogueMovie } from '@reelrank/ingest/testing';
import { openSqliteCatalogueOverlay } from '@reelrank/feedback';
import { runCli } from './cli.js';

/** The API's credential here: a key holder is explained the user's rated movies, as the CLI (the operator's, on the files) is. */
const ADMIN_TOKEN = 'cli-spec-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';

/** Runs the CLI in-process against the throwaway workspace; returns exit code and output. */
async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

describe('reelrank CLI', () => {
  let config: AppConfig;
  let env: NodeJS.ProcessEnv;
  let app: ReturnType<typeof createApp>;
  let recommender: Recommender;
  /** The generated catalogue, most rated first. */
  let movies: CatalogueMovie[];
  /** A movie whose title no other movie's title contains (so a search for it finds it alone). */
  let distinct: CatalogueMovie;

  beforeAll(async () => {
    const root = tempWorkspace();
    const source = await generatedMovieLensSource({ users: 60, movies: 600, ratings: 9_000, factors: 4 });
    movies = readCatalogue(source);
    const bare = (m: CatalogueMovie) => m.title.replace(/ \(\d{4}\)$/, '').toLowerCase();
    distinct = movies.find((m) => movies.filter((o) => bare(o).includes(bare(m))).length === 1)!;
    env = { REELRANK_ROOT: root, MOVIELENS_SOURCE: source, REELRANK_TRAIN_MAX_EPOCHS: '15', REELRANK_TRAIN_FACTORS: '16' };
    config = loadConfig({ env });
    const quiet = () => undefined;
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet });
    recommender = new Recommender(loadModelArtifacts(config.paths.modelDir), openSqliteCatalog(config.paths.dbPath));
    app = createApp({ recommender: () => recommender, config, admin: { token: ADMIN_TOKEN } });
  });

  afterAll(() => recommender?.close());

  it('when asking for recommendations, then the CLI and the HTTP API give identical answers', async () => {
    for (const userId of [1, 7, 23, 42, 60, 5000]) {
      const fromCli = await cli(env, 'recommend', '--user', String(userId), '-n', '8', '--json');
      expect(fromCli.code).toBe(0);
      const fromApi = await request(app)
        .post('/recommendations')
        .set('authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ user_id: userId, n_recommendations: 8 });
      expect(fromApi.status).toBe(200);
      expect(JSON.parse(fromCli.stdout)).toEqual(fromApi.body);
    }
  });

  it('when predicting, then the CLI and the HTTP API agree and the rating is in range', async () => {
    for (const [userId, movieId] of [
      [1, movies[0].movieId],
      [7, movies[5].movieId],
      [60, movies[40].movieId],
      [9999, movies[0].movieId],
    ]) {
      const fromCli = JSON.parse((await cli(env, 'predict', '--user', String(userId), '--movie', String(movieId), '--json')).stdout);
      const fromApi = await request(app).post('/predict').send({ user_id: userId, movie_id: movieId });
      expect(fromCli).toEqual(fromApi.body);
      expect(fromCli.predicted_rating).toBeGreaterThanOrEqual(0.5);
      expect(fromCli.predicted_rating).toBeLessThanOrEqual(5);
    }
  });

  it('when a new user rates movies, then the fold-in answers without them', async () => {
    const rated = movies.slice(0, 5).map((m) => m.movieId);
    const { code, stdout } = await cli(
      env,
      'recommend',
      '--rate',
      rated.map((id, j) => `${id}=${[5, 5, 4.5, 4, 2][j]}`).join(','),
      '-n',
      '5',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.strategy).toBe('fold-in');
    expect(result.ratings_used).toBe(5);
    const ids = result.recommendations.map((r: { movie_id: number }) => r.movie_id);
    expect(ids).toHaveLength(5);
    for (const id of rated) expect(ids).not.toContain(id);
    // ...and exactly what the HTTP API answers for the same ratings.
    const fromApi = await request(app)
      .post('/recommendations/new-user')
      .send({ ratings: rated.map((id, j) => ({ movie_id: id, rating: [5, 5, 4.5, 4, 2][j] })), n_recommendations: 5 });
    expect(fromApi.status).toBe(200);
    expect(result).toEqual(fromApi.body);
  });

  it('when printing for a person, then it is a table; similar and search work', async () => {
    const rec = await cli(env, 'recommend', '--user', '1', '-n', '3');
    expect(rec.stdout).toMatch(/^user 1: personalized\n#\s+movie_id\s+title/);
    const similar = await cli(env, 'similar', '--movie', String(movies[0].movieId), '-n', '4', '--json');
    const hits = JSON.parse(similar.stdout).similar;
    expect(hits).toHaveLength(4);
    expect(hits.map((h: { movie_id: number }) => h.movie_id)).not.toContain(movies[0].movieId);
    const words = distinct.title.replace(/ \(\d{4}\)$/, '').split(' ');
    const search = await cli(env, 'search', ...words, '--json');
    expect(JSON.parse(search.stdout).movies.map((m: { movie_id: number }) => m.movie_id)).toEqual([distinct.movieId]);
  });

  it('when the API hid a movie and added one, then the terminal answers with that catalogue too', async () => {
    const overlay = openSqliteCatalogueOverlay(config.paths.ratingsDbPath);
    try {
      await overlay.change(distinct.movieId, { hidden: true }, 'key:1');
      const added = await overlay.add({ title: 'Terminal Arrival (2026)', year: 2026, genres: ['Drama'] }, 1_000_000, 'key:1');
      const words = distinct.title.replace(/ \(\d{4}\)$/, '').split(' ');
      expect(JSON.parse((await cli(env, 'search', ...words, '--json')).stdout).movies).toEqual([]);
      const found = JSON.parse((await cli(env, 'search', 'terminal', 'arrival', '--json')).stdout).movies;
      expect(found.map((m: { movie_id: number }) => m.movie_id)).toEqual([added.movieId]);
      const picks = JSON.parse((await cli(env, 'recommend', '--user', '1', '-n', '50', '--json')).stdout).recommendations;
      expect(picks.map((m: { movie_id: number }) => m.movie_id)).not.toContain(distinct.movieId);
    } finally {
      await overlay.change(distinct.movieId, { hidden: false }, 'key:1');
      await overlay.close();
    }
  });

  it('when evaluating, then the table comes from metrics.json; with --split it fits and evaluates', async () => {
    const own = await cli(env, 'evaluate');
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/SVD\+\+ \(SGD\)|biased MF \(SGD\)/);
    expect(own.stdout).toContain('most-rated (popularity)');
    const dir = mkdtempSync(join(tmpdir(), 'split-'));
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => from + i).flatMap((u) =>
        [1, 2, 3, 5, 6].map((m, j) => `${u},${m},${((u + j) % 9) / 2 + 0.5},${1000 + j}`),
      );
    writeFileSync(join(dir, 'train.csv'), ['userId,movieId,rating,timestamp', ...rows(1, 40)].join('\n'));
    writeFileSync(join(dir, 'test.csv'), ['userId,movieId,rating,timestamp', ...rows(40, 45)].join('\n'));
    const split = await cli(env, 'evaluate', '--split', `${join(dir, 'train.csv')},${join(dir, 'test.csv')}`, '--json');
    expect(split.code).toBe(0);
    expect(JSON.parse(split.stdout).models.map((m: { model: string }) => m.model)).toContain('global mean');
  });

  it('when used wrongly, then exit code 2 with the usage line; failures exit 1 with one line', async () => {
    const missing = await cli(env, 'predict', '--user', '1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Usage: reelrank predict --user ID --movie ID');
    expect((await cli(env, 'predict', '--user', 'x', '--movie', '1')).code).toBe(2);
    expect((await cli(env, 'frobnicate')).code).toBe(2);
    expect((await cli(env, 'recommend', '--user', '1', '--bogus')).code).toBe(2);
    const unknown = await cli(env, 'predict', '--user', '1', '--movie', '99999999');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const noModel = await cli({ ...env, REELRANK_MODELS_DIR: mkdtempSync(join(tmpdir(), 'empty-')) }, 'recommend', '--user', '1');
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toBe(`reelrank recommend: no trained model for ${GENERATED_DATASET}: run \`npx reelrank pipeline\` first\n`);
    expect(noModel.stderr).not.toContain('    at ');
    const help = await cli(env, 'similar', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: reelrank similar --movie ID');
  });
});
