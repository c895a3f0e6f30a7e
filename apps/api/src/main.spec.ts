import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatabase } from '@reelrank/database';
import { saveModelArtifacts } from '@reelrank/model';
import { PROCESSED_DIR, plantedBundle, TEST_ADMIN_TOKEN } from './__fixtures__/fixtures.js';
import { start, stop } from './main.js';

/**
 * main.ts imported: start() serves with the configuration it is given (the SQLite fixture database
 * and a saved planted model here) and stop() closes it, without signal handlers or exits. Run as a
 * program, the same file handles the signals (sqlite-server.spec.ts).
 */

/** The environment of a server on a free port of 127.0.0.1 over `dir`'s data and models folders. */
const environment = (dir: string) => ({
  ...process.env,
  LOG_LEVEL: 'warn',
  REELRANK_DATASET: 'ml-latest-small',
  REELRANK_DATA_DIR: join(dir, 'data'),
  REELRANK_MODELS_DIR: join(dir, 'models'),
  HOST: '127.0.0.1',
  PORT: '0',
  REELRANK_METRICS_PORT: '0',
  REELRANK_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
});

async function workspaceWithModel(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-start-'));
  mkdirSync(join(dir, 'data'));
  await loadDatabase({
    processedDir: PROCESSED_DIR,
    dbPath: join(dir, 'data', 'ml-latest-small.db'),
    dataset: 'ml-latest-small',
    log: () => undefined,
  });
  const { model, popularity, manifest } = plantedBundle();
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  saveModelArtifacts(join(dir, 'models', 'ml-latest-small'), { model, popularity, manifest: input, metricsReport: {} });
  return dir;
}

describe('main.ts start and stop', () => {
  it('when started with a trained model, then it serves, reloads with the source it is given, and once stopped accepts no connection', async () => {
    const api = start(environment(await workspaceWithModel()));
    const url = await api.ready;
    expect(await (await fetch(`${url}/ready`)).json()).toEqual({ status: 'ready' });
    const answer = await fetch(`${url}/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 1, n_recommendations: 2 }),
    });
    expect(answer.status).toBe(200);
    const version = api.holder.current()!.manifest.version;
    expect(await api.reload('signal')).toMatchObject({ source: 'signal', status: 'unchanged', version });

    const stopped = stop(api);
    expect(stop(api, 'again')).toBe(stopped);
    await stopped;
    expect(api.server.listening).toBe(false);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 30_000);

  it('when no model has been trained, then ready is refused with the one clear reason, and the server still stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-start-empty-'));
    mkdirSync(join(dir, 'data'));
    const api = start(environment(dir));
    await expect(api.ready).rejects.toThrow(/^no trained model for ml-latest-small: run `npm start`/);
    await stop(api);
    expect(api.server.listening).toBe(false);
  }, 30_000);

  it('when the admin token is weak, then start refuses before listening', () => {
    expect(() => start({ ...environment(mkdtempSync(join(tmpdir(), 'reelrank-start-weak-'))), REELRANK_ADMIN_TOKEN: 'admin' })).toThrow(
      /REELRANK_ADMIN_TOKEN/,
    );
  });
});
