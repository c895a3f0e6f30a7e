import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, readCatalogue } from '@reelrank/ingest/testing';
import { liveModel } from '@reelrank/model';
import { runTraining } from '@reelrank/trainer';
import { runCli } from '@reelrank/cli';
import { startApi, type ApiProcess } from '../tools/lib/processes';
import { quickTrainingEnv } from './workspace-env';

/**
 * `reelrank retrain --reload URL`: a real API process takes a posted rating, the real pipeline runs
 * through Nx (stages outside the workspace are never cached, so all of them run) and trains on it,
 * and the server loads the new model. (That the train stage's Nx hash moves only when ratings
 * arrive is tested on the runtime input itself: packages/config nx-inputs.spec.ts.)
 */

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

const TOKEN = 'retrain-spec-token-7Hq2Xv9Lm4Kp8Zr3';

describe('reelrank retrain', () => {
  let env: NodeJS.ProcessEnv;
  let config: AppConfig;
  let api: ApiProcess | undefined;
  let movieId: number;

  beforeAll(async () => {
    const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 12 });
    movieId = readCatalogue(source)[0].movieId;
    env = {
      ...quickTrainingEnv(source),
      REELRANK_ADMIN_TOKEN: TOKEN,
    };
    // The first model, built in-process (quicker than a first pipeline run), so the server can start.
    config = loadConfig({ env });
    const quiet = () => undefined;
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet, implicit: false });
    api = await startApi({ name: 'retrain-spec', env: env as Record<string, string | undefined> });
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('when a flag is wrong, then it says so before training (exit 2)', async () => {
    const { REELRANK_ADMIN_TOKEN: _t, ...noToken } = env;
    expect(await cli(env, 'retrain', '--token', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--token goes with --reload') });
    expect(await cli(env, 'retrain', '--reload', 'localhost:3000')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--reload must be an http(s) URL'),
    });
    expect(await cli(noToken, 'retrain', '--reload', api!.url)).toMatchObject({ code: 2, stderr: expect.stringContaining('needs the admin token') });
  });

  it('when a rating was posted, then retrain trains on it and the running server serves the new model', async () => {
    const before = liveModel(config.paths).version;
    const posted = await fetch(`${api!.url}/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ user_id: 900_001, movie_id: movieId, rating: 5 }),
    });
    expect(posted.status).toBe(201);

    const run = await cli(env, 'retrain', '--reload', api!.url, '--json');
    expect(run).toMatchObject({ code: 0 });
    const out = JSON.parse(run.stdout);
    expect(out.posted).toEqual({
      count: 1,
      newestId: 1,
      replaced: 0,
      added: 1,
      newUsers: 1,
      skippedUnknownMovies: 0,
      droppedByIdentityCap: 0,
      identityCaps: expect.objectContaining({ cappedIdentityCount: 0, cappedIdentities: [] }),
    });
    expect(out.trained_version).not.toBe(before);
    // The train stage's promotion gate scored it and the model it replaces on the same holdout, and let it go live.
    expect(out.gate).toMatchObject({ decision: 'promoted', live: { version: before } });
    expect(out.gate.candidate.rows).toBe(out.gate.live.rows);
    expect(out.live_version).toBe(out.trained_version);
    expect(out.reload).toMatchObject({ status: 'reloaded', version: out.trained_version, previous_version: before });
    const metrics = JSON.parse(readFileSync(join(config.paths.modelDir, 'metrics.json'), 'utf8'));
    expect(metrics.training.posted).toEqual(out.posted);

    // The server answers with it: GET /models names the retrained version as live.
    const models = (await (await fetch(`${api!.url}/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { live_version: string };
    expect(models.live_version).toBe(out.trained_version);
  }, 240_000);
});
