import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDatabase } from '@reelrank/database';
import { saveModelArtifacts } from '@reelrank/model';
import { PROCESSED_DIR, plantedBundle } from './fixtures.js';

/** The real `apps/api/src/cluster.ts` as a child process, for the specs that start a 2-worker cluster. */

const root = resolve(__dirname, '../../../..');

export function freePort(): Promise<number> {
  return new Promise((found, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => found(port));
    });
  });
}

/** A 2-worker cluster on ml-latest-small (`env` adds or overrides), its output collected; waitFor resolves on the first match. */
export function startCluster(env: Record<string, string>, timeoutMs = 30_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/api/src/cluster.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      REELRANK_DATASET: 'ml-latest-small',
      HOST: '127.0.0.1',
      REELRANK_WORKERS: '2',
      REELRANK_METRICS_PORT: '0',
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const waitFor = (pattern: RegExp, waitMs = timeoutMs) =>
    new Promise<RegExpExecArray>((found, fail) => {
      const started = Date.now();
      const timer = setInterval(() => {
        const match = pattern.exec(output);
        if (match) {
          clearInterval(timer);
          found(match);
        } else if (child.exitCode !== null || Date.now() - started > waitMs) {
          clearInterval(timer);
          fail(new Error(`no ${pattern} (exit ${child.exitCode}):\n${output}`));
        }
      }, 25);
    });
  return { child, exited, waitFor, output: () => output };
}

/** Saves the planted model (optionally with shifted user biases: new weights, a new version). */
export function saveModel(modelsDir: string, shift = 0): void {
  const { model, popularity, manifest } = plantedBundle();
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  saveModelArtifacts(join(modelsDir, 'ml-latest-small'), {
    model: { ...model, userBias: model.userBias.map((b) => b + shift) },
    popularity,
    manifest: input,
    metricsReport: {},
  });
}

export async function buildArtifacts(): Promise<{ dataDir: string; modelsDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-cluster-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  await loadDatabase({ processedDir: PROCESSED_DIR, dbPath: join(dataDir, 'ml-latest-small.db'), dataset: 'ml-latest-small', log: () => undefined });
  saveModel(join(dir, 'models'));
  return { dataDir, modelsDir: join(dir, 'models') };
}
