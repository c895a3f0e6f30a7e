import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModelArtifacts } from './model-artifacts.js';
import { listModelVersions, pruneModelVersions, registerModelVersion } from './model-registry.js';
import { computePopularity } from './popularity.js';
import { PINS_FILE, pinnedVersions, writePinnedVersions } from './registry-pins.js';
import { makeTestModel } from './test-model.js';

function registerTrainings(count: number) {
  const root = mkdtempSync(join(tmpdir(), 'registry-pins-'));
  const modelDir = join(root, 'unit');
  const registryDir = join(root, '_versions', 'unit');
  const popularity = computePopularity({ movieIds: Int32Array.from([100]), ratings: Float32Array.from([4]) }, { minRatings: 1, priorWeight: 1 });
  const versions: string[] = [];
  for (let seed = 1; seed <= count; seed++) {
    const createdAt = `2026-01-01T00:0${seed}:00.000Z`;
    const manifest = { dataset: 'unit', createdAt, dataHash: `d${seed}`, backend: 'cpu' as const, hyperParameters: {}, training: {}, metrics: {} };
    versions.push(saveModelArtifacts(modelDir, { model: makeTestModel(4, 6, 3, seed), popularity, manifest, metricsReport: {} }).version);
    registerModelVersion(registryDir, modelDir, { keep: 10, makeLive: true });
  }
  return { registryDir, versions };
}

describe('pinned model versions', () => {
  it('when an experiment pins an old version, then a prune keeps it; once unpinned, the next prune removes it', () => {
    const { registryDir, versions } = registerTrainings(4);
    writePinnedVersions(registryDir, [versions[0]], 'experiment 1');
    expect(pinnedVersions(registryDir)).toEqual([versions[0]]);
    expect(pruneModelVersions(registryDir, 2)).toEqual([versions[1]]);
    writePinnedVersions(registryDir, [], 'experiment 1');
    expect(pinnedVersions(registryDir)).toEqual([]);
    expect(pruneModelVersions(registryDir, 2)).toEqual([versions[0]]);
    expect(listModelVersions(registryDir).map((v) => v.version)).toEqual([versions[3], versions[2]]);
  });

  it('reads a missing, damaged or hostile pins file as no pins (never a path outside the registry)', () => {
    const { registryDir } = registerTrainings(1);
    expect(pinnedVersions(registryDir)).toEqual([]);
    writeFileSync(join(registryDir, PINS_FILE), '{not json');
    expect(pinnedVersions(registryDir)).toEqual([]);
    writeFileSync(join(registryDir, PINS_FILE), JSON.stringify({ versions: ['../etc', 7, 'mf-1'] }));
    expect(pinnedVersions(registryDir)).toEqual(['mf-1']);
  });
});
