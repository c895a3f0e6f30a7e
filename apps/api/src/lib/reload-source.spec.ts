import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelArtifacts, saveModelArtifacts } from '@reelrank/model';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { MOVIES, plantedBundle, RATED } from '../__fixtures__/fixtures.js';
import { announceAdminReload, type WorkerMessage } from './cluster-messages.js';
import { ModelHolder, type ReloadSource } from './model-holder.js';

/**
 * Who asked for a reload travels with it (ModelHolder's `source`), so a SIGHUP reload that overlaps
 * an admin activation (both waiting for the catalogue to be read again, as with PostgreSQL) cannot
 * take the activation's place: the activation is still announced to the cluster primary, once,
 * and the worker ends on the activated version. main.ts wires the holder to announceAdminReload
 * like this.
 */

function save(dir: string, variant: number): string {
  const { model, popularity, manifest } = plantedBundle();
  model.movieBias[0] += variant * 0.01;
  const { format: _f, formatVersion: _v, version: _ver, weights: _w, globalMean: _g, factors: _k, users: _u, movies: _m, ...input } = manifest;
  return saveModelArtifacts(dir, { model, popularity, manifest: input, metricsReport: {} }).version;
}

describe('reloads that overlap keep their own source', () => {
  it.each<[string, ReloadSource[]]>([
    ['a SIGHUP arrives while the activation waits', ['admin', 'signal']],
    ['the activation arrives while a SIGHUP reload waits', ['signal', 'admin']],
  ])('when %s, then the activation alone is announced and the live model is the activated one', async (_case, order) => {
    const root = mkdtempSync(join(tmpdir(), 'reelrank-reload-source-'));
    const dirs = { old: join(root, 'old'), next: join(root, 'next') };
    const versions = { old: save(dirs.old, 0), next: save(dirs.next, 1) };
    let pointer = dirs.old; // the registry's live pointer: what a SIGHUP reload loads
    let openGate: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    const told: WorkerMessage[] = [];
    const holder = new ModelHolder((dir) => new Recommender(loadModelArtifacts(dir ?? pointer), inMemoryCatalog(MOVIES, RATED, 'api-fixture')), {
      onReloaded: (result) => announceAdminReload(result, (message) => told.push(message)),
      beforeReload: () => gate,
    });
    await holder.reloadFresh({ source: 'start' });
    gate = new Promise((resolve) => (openGate = resolve));

    const reloads = order.map((source) =>
      source === 'admin'
        ? holder.reloadFresh({ source, dir: dirs.next, expectVersion: versions.next, commit: () => (pointer = dirs.next) })
        : holder.reloadFresh({ source }),
    );
    openGate();
    const results = await Promise.all(reloads);

    expect(results.map((r) => r.source)).toEqual(order);
    expect(results[order.indexOf('admin')]).toMatchObject({ status: 'reloaded', version: versions.next });
    expect(told).toEqual([{ type: 'reelrank:admin-reloaded', version: versions.next }]);
    expect(holder.current()!.manifest.version).toBe(versions.next);
  });

  it('when a reload is not an admin one or changed nothing, then nothing is announced', () => {
    const told: WorkerMessage[] = [];
    const tell = (message: WorkerMessage) => told.push(message);
    announceAdminReload({ source: 'signal', status: 'reloaded', version: 'mf-1' }, tell);
    announceAdminReload({ source: 'start', status: 'reloaded', version: 'mf-1' }, tell);
    announceAdminReload({ source: 'admin', status: 'unchanged', version: 'mf-1' }, tell);
    expect(told).toEqual([]);
    announceAdminReload({ source: 'admin', status: 'reloaded', version: 'mf-2' }, tell);
    expect(told).toEqual([{ type: 'reelrank:admin-reloaded', version: 'mf-2' }]);
  });
});
