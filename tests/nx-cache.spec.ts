import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { generatedMovieLensSource, readCatalogue } from '@reelrank/ingest/testing';
import { readBuiltVersion, readLiveVersion } from '@reelrank/model';
import { freePort } from '../tools/lib/bench-kit';
import { startApi, type ApiProcess } from '../tools/lib/processes';
import { npmStart, nxWorkspace, type NxWorkspace } from './nx-workspace';

/**
 * What a user's commands do when Nx restores a stage from its cache: a restore brings back files and
 * runs nothing, so whatever a stage changes outside its outputs must still end up right. Here the
 * model registry (models/_versions/, outside the train stage's output): a rating is posted, the
 * pipeline trains on it, the rating is withdrawn, and the next pipeline restores the earlier model
 * from the cache; the registry's live pointer, a reloaded API and a restarted API must all be on
 * that earlier model, never on the one trained on the withdrawn rating. And `npm start` exits
 * non-zero when the API cannot start.
 */

const DATASET = 'nx-cache';
const TOKEN = randomBytes(32).toString('base64url');

describe('cached pipeline runs and npm start, through the real Nx', () => {
  let workspace: NxWorkspace;
  let movieId: number;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 25 });
    movieId = readCatalogue(source)[0].movieId;
    workspace = nxWorkspace('nx-cache', {
      MOVIELENS_SOURCE: source,
      REELRANK_DATASET: DATASET,
      REELRANK_TRAIN_MAX_EPOCHS: '3',
      REELRANK_TRAIN_FACTORS: '4',
      REELRANK_TRAIN_RATING_MODEL: 'mf',
      REELRANK_ADMIN_TOKEN: TOKEN,
    });
  });

  afterAll(async () => {
    await api?.stop();
    workspace?.dispose();
  });

  const modelDir = () => join(workspace.modelsDir, DATASET);
  const registryDir = () => join(workspace.modelsDir, '_versions', DATASET);
  const builtModel = () => (JSON.parse(readFileSync(join(modelDir(), 'model.json'), 'utf8')) as { version: string }).version;
  const pipeline = async () => {
    const run = await workspace.npmRun('pipeline');
    if (run.status !== 0) throw new Error(`npm run pipeline failed (${run.status}):\n${run.output}`);
    return run.output;
  };
  const call = async (path: string, method = 'GET', body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${api!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`${method} ${path} failed (${(error as Error).message}); the API said:\n${api!.output()}`);
    }
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it('when a posted rating is withdrawn and the pipeline restores the earlier model from the cache, then that model is live, reloaded and served after a restart', async () => {
    await pipeline();
    const first = builtModel();
    expect(readLiveVersion(registryDir())).toBe(first);

    api = await startApi({ name: 'nx-cache-spec', env: workspace.env });
    expect((await call('/ratings', 'POST', { user_id: 1, movie_id: movieId, rating: 0.5 })).status).toBe(201);
    await pipeline();
    const withRating = builtModel();
    expect(withRating).not.toBe(first);
    expect(readLiveVersion(registryDir())).toBe(withRating);
    expect((await call('/admin/reload', 'POST')).body).toMatchObject({ status: 'reloaded', version: withRating });

    expect((await call('/users/1/ratings', 'DELETE')).body).toMatchObject({ forgotten: 1 });
    const restored = await pipeline();
    expect(restored).toMatch(/trainer:pipeline +\[(local cache|existing outputs match the cache, left as is)\]/);
    expect(builtModel()).toBe(first);
    // The pipeline's publish step moved the pointer back: the registry agrees with model.json.
    expect(readLiveVersion(registryDir())).toBe(first);
    expect(readBuiltVersion(registryDir())).toBe(first);

    expect((await call('/admin/reload', 'POST')).body).toMatchObject({ status: 'reloaded', version: first, previous_version: withRating });
    await api.stop();
    api = await startApi({ name: 'nx-cache-spec-restarted', env: workspace.env });
    expect((await call('/models')).body).toMatchObject({ live_version: first });
  }, 300_000);

  it('when the port is taken, then npm start exits non-zero and says why', async () => {
    const port = await freePort();
    // Another program on the port (it hangs up on whoever connects).
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => blocker.listen(port, '127.0.0.1', done));
    try {
      const outcome = await npmStart(workspace.env, [], { port });
      expect(outcome.kind).toBe('exited');
      if (outcome.kind !== 'exited') return;
      expect(outcome.code).not.toBe(0);
      expect(outcome.output).toContain(`cannot listen on 127.0.0.1:${port}`);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  }, 180_000);

  it('when the catalogue is absent, then npm start exits non-zero and says why', async () => {
    await api?.stop();
    api = undefined;
    const dbPath = join(workspace.dataDir, `${DATASET}.db`);
    expect(existsSync(dbPath)).toBe(true);
    rmSync(dbPath);
    // The stages would build it again: start the API alone, as `npm start` does once they are done.
    const outcome = await npmStart(workspace.env, ['--exclude-task-dependencies']);
    expect(outcome.kind).toBe('exited');
    if (outcome.kind !== 'exited') return;
    expect(outcome.code).not.toBe(0);
    expect(outcome.output).toMatch(/catalogue|no such file|database/i);
  }, 180_000);
});
