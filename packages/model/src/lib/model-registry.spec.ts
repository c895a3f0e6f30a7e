import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveModelArtifacts } from './model-artifacts.js';
import {
  LIVE_POINTER,
  listModelVersions,
  liveModel,
  modelVersionDir,
  pruneModelVersions,
  publishBuiltModel,
  readBuiltVersion,
  readLiveVersion,
  registerModelVersion,
  resolveLiveModel,
  setLiveVersion,
  syncModelRegistry,
} from './model-registry.js';
import { computePopularity } from './popularity.js';
import { pinnedVersions, readVersionPins, writeVersionPins } from './version-pins.js';
import type { GateVerdict } from './gate-verdict.js';
import { makeTestModel } from './test-model.js';

const rejectedVerdict: GateVerdict = {
  decision: 'rejected',
  reason: 'holdout RMSE 1.5000 > live 0.9000 + 0.01 (live mf-x)',
  k: 10,
  holdout: { share: 0.02, seed: 1, ratings: 10 },
  epsilon: { rmse: 0.01, ndcg: 0.01 },
  candidate: { rmse: 1.5, ndcgAtK: 0.1, rows: 10, users: 5 },
  live: { version: 'mf-x', rmse: 0.9, ndcgAtK: 0.3, rows: 10, users: 5 },
};

/** Trains nothing: saves a distinct small model (seed -> version) as the train stage would. */
function train(modelDir: string, seed: number, createdAt: string, gate?: GateVerdict) {
  const popularity = computePopularity({ movieIds: Int32Array.from([100]), ratings: Float32Array.from([4]) }, { minRatings: 1, priorWeight: 1 });
  return saveModelArtifacts(modelDir, {
    model: makeTestModel(4, 6, 3, seed),
    popularity,
    manifest: {
      dataset: 'unit',
      createdAt,
      dataHash: `data-${seed}`,
      backend: 'cpu',
      hyperParameters: {},
      training: {},
      metrics: { testRmse: seed / 10 },
      ...(gate ? { gate } : {}),
    },
    metricsReport: { seed },
  }).version;
}

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'registry-'));
  return { modelDir: join(root, 'unit'), registryDir: join(root, '_versions', 'unit') };
}
const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;

describe('model registry', () => {
  it('when trainings are registered, then each is a complete copy with its metrics.json, the newest is live, and the oldest beyond N are pruned', () => {
    const paths = workspace();
    const versions: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      versions.push(train(paths.modelDir, seed, at(seed)));
      const { added } = registerModelVersion(paths.registryDir, paths.modelDir, { keep: 3, makeLive: true });
      expect(added).toBe(true);
    }
    const listed = listModelVersions(paths.registryDir);
    expect(listed.map((v) => v.version)).toEqual([versions[3], versions[2], versions[1]]);
    expect(listed.map((v) => v.live)).toEqual([true, false, false]);
    expect(listed[0]).toMatchObject({ createdAt: at(4), dataHash: 'data-4', metrics: { testRmse: 0.4 } });
    const dir = modelVersionDir(paths.registryDir, versions[2])!;
    expect(JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'))).toEqual({ modelVersion: versions[2], seed: 3 });
    expect(readdirSync(dir).sort()).toEqual(['metrics.json', 'model.json', `weights-${versions[2]}.bin`]);
    expect(modelVersionDir(paths.registryDir, versions[0])).toBeNull();
    // No temp folders are left behind.
    expect(readdirSync(paths.registryDir).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('when the gate rejected what the pipeline built, then publishing and syncing register it as rejected and never make it live', () => {
    const paths = workspace();
    const good = train(paths.modelDir, 1, at(1));
    publishBuiltModel(paths, 5);
    const bad = train(paths.modelDir, 2, at(2), rejectedVerdict);
    publishBuiltModel(paths, 5);
    expect(readLiveVersion(paths.registryDir)).toBe(good);
    expect(readBuiltVersion(paths.registryDir)).toBe(bad);
    expect(listModelVersions(paths.registryDir).map((v) => [v.version, v.status, v.gate?.decision ?? null])).toEqual([
      [bad, 'rejected', 'rejected'],
      [good, 'live', null],
    ]);
    // A sync (a server's start, trainer:publish) leaves it out too, even with no live pointer at all.
    rmSync(join(paths.registryDir, LIVE_POINTER));
    syncModelRegistry(paths, 5);
    expect(readLiveVersion(paths.registryDir)).toBeNull();
    // An operator may force it.
    setLiveVersion(paths.registryDir, bad);
    expect(listModelVersions(paths.registryDir).find((v) => v.version === bad)).toMatchObject({ status: 'live', live: true });
  });

  it('when versions are pinned (the arms of an experiment), then pruning keeps them beyond the N newest until the pin is cleared', () => {
    const paths = workspace();
    const versions: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      versions.push(train(paths.modelDir, seed, at(seed)));
      registerModelVersion(paths.registryDir, paths.modelDir, { keep: 10, makeLive: seed === 4 });
    }
    writeVersionPins(paths.registryDir, 'experiments', [versions[0], versions[1]]);
    expect(readVersionPins(paths.registryDir)).toEqual({ experiments: [versions[0], versions[1]] });
    expect([...pinnedVersions(paths.registryDir)].sort()).toEqual([versions[0], versions[1]].sort());
    expect(pruneModelVersions(paths.registryDir, 1)).toEqual([versions[2]]);
    expect(listModelVersions(paths.registryDir).map((v) => v.version)).toEqual([versions[3], versions[1], versions[0]]);
    writeVersionPins(paths.registryDir, 'experiments', []);
    expect(pruneModelVersions(paths.registryDir, 1).sort()).toEqual([versions[0], versions[1]].sort());
    expect(() => writeVersionPins(paths.registryDir, '../x', [versions[3]])).toThrow(/pin owner/);
    expect(() => writeVersionPins(paths.registryDir, 'ab', ['../etc'])).toThrow(/not a model version/);
  });

  it('when the live version is the oldest, then pruning keeps it (and the N newest)', () => {
    const paths = workspace();
    const first = train(paths.modelDir, 1, at(1));
    registerModelVersion(paths.registryDir, paths.modelDir, { keep: 2, makeLive: true });
    const others: string[] = [];
    for (let seed = 2; seed <= 3; seed++) {
      others.push(train(paths.modelDir, seed, at(seed)));
      registerModelVersion(paths.registryDir, paths.modelDir, { keep: 2, makeLive: false });
    }
    // makeLive false with a live version already set: the first stays live though it is the oldest.
    expect(readLiveVersion(paths.registryDir)).toBe(first);
    expect(listModelVersions(paths.registryDir).map((v) => v.version)).toEqual([others[1], others[0], first]);
    expect(pruneModelVersions(paths.registryDir, 1)).toEqual([others[0]]);
    expect(listModelVersions(paths.registryDir).map((v) => v.version)).toEqual([others[1], first]);
  });

  it('when live is switched, then the pointer file is replaced whole and an unknown or malformed version is refused', () => {
    const paths = workspace();
    const a = train(paths.modelDir, 1, at(1));
    registerModelVersion(paths.registryDir, paths.modelDir, { keep: 5, makeLive: true });
    const b = train(paths.modelDir, 2, at(2));
    registerModelVersion(paths.registryDir, paths.modelDir, { keep: 5, makeLive: true });
    setLiveVersion(paths.registryDir, a);
    expect(JSON.parse(readFileSync(join(paths.registryDir, LIVE_POINTER), 'utf8'))).toMatchObject({ version: a });
    expect(liveModel(paths)).toEqual({ dir: join(paths.registryDir, a), version: a, source: 'registry' });
    expect(() => setLiveVersion(paths.registryDir, 'mf-000000000000')).toThrow(/not in the registry/);
    expect(() => setLiveVersion(paths.registryDir, '../unit')).toThrow(/not in the registry/);
    expect(modelVersionDir(paths.registryDir, '..')).toBeNull();
    expect(readLiveVersion(paths.registryDir)).toBe(a);
    // Only the pointer and the two versions: the temp file of the atomic write was renamed away.
    expect(readdirSync(paths.registryDir).sort()).toEqual([a, b, LIVE_POINTER].sort());
  });

  it('when there is no registry, then the live model is models/<dataset>/ and a sync registers it as live', () => {
    const paths = workspace();
    const v = train(paths.modelDir, 1, at(1));
    expect(liveModel(paths)).toEqual({ dir: paths.modelDir, version: null, source: 'model-dir' });
    expect(syncModelRegistry(paths, 5)).toEqual({ dir: join(paths.registryDir, v), version: v, source: 'registry' });
  });

  it('when models/<dataset>/ holds the version last published after a rollback, then a sync keeps the rollback; a pruned one is registered again', () => {
    const paths = workspace();
    const a = train(paths.modelDir, 1, at(1));
    publishBuiltModel(paths, 5);
    const b = train(paths.modelDir, 2, at(2));
    publishBuiltModel(paths, 5);
    setLiveVersion(paths.registryDir, a); // the operator rolled back
    expect(syncModelRegistry(paths, 5).version).toBe(a);
    expect(syncModelRegistry(paths, 5).version).toBe(a); // restarts keep it
    rmSync(join(paths.registryDir, b), { recursive: true }); // pruned by hand
    expect(syncModelRegistry(paths, 5).version).toBe(a);
    expect(existsSync(join(paths.registryDir, b, 'model.json'))).toBe(true);
  });

  it('when an Nx cache restore puts an earlier version back in models/<dataset>/, then a sync makes it live and built, re-registered if it was pruned', () => {
    const paths = workspace();
    const a = train(paths.modelDir, 1, at(1));
    publishBuiltModel(paths, 5);
    const withRating = train(paths.modelDir, 2, at(2));
    publishBuiltModel(paths, 5);
    expect(readLiveVersion(paths.registryDir)).toBe(withRating);
    // The rating was withdrawn: the next pipeline run restores the first model from the cache.
    rmSync(join(paths.registryDir, a), { recursive: true });
    expect(train(paths.modelDir, 1, at(1))).toBe(a);
    expect(syncModelRegistry(paths, 5)).toEqual({ dir: join(paths.registryDir, a), version: a, source: 'registry' });
    expect(readBuiltVersion(paths.registryDir)).toBe(a);
    expect(existsSync(join(paths.registryDir, a, 'model.json'))).toBe(true);
  });

  it('when the live version folder is gone, then the live model falls back to models/<dataset>/', () => {
    const paths = workspace();
    const a = train(paths.modelDir, 1, at(1));
    registerModelVersion(paths.registryDir, paths.modelDir, { keep: 5, makeLive: true });
    rmSync(join(paths.registryDir, a), { recursive: true });
    expect(liveModel(paths)).toEqual({ dir: paths.modelDir, version: null, source: 'model-dir' });
  });

  it('when a registration was killed half-way, then its temp folder is removed by the next one (a running owner keeps its own)', () => {
    const paths = workspace();
    train(paths.modelDir, 1, at(1));
    mkdirSync(paths.registryDir, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: no process has it now
    const stale = `.mf-000000000001.${deadPid}.0badc0de.tmp`;
    const running = `.mf-000000000002.${process.pid}.0badc0de.tmp`;
    for (const name of [stale, running]) mkdirSync(join(paths.registryDir, name));
    registerModelVersion(paths.registryDir, paths.modelDir, { keep: 5, makeLive: true });
    expect(existsSync(join(paths.registryDir, stale))).toBe(false);
    expect(existsSync(join(paths.registryDir, running))).toBe(true);
  });

  it('when the registry cannot be written, then resolveLiveModel reports why and serves models/<dataset>/ as it is', () => {
    const paths = workspace();
    train(paths.modelDir, 1, at(1));
    const blocker = join(paths.registryDir, '..');
    writeFileSync(blocker, 'a file where the registry folder should be');
    const errors: unknown[] = [];
    expect(resolveLiveModel(paths, 5, (error) => errors.push(error))).toEqual({ dir: paths.modelDir, version: null, source: 'model-dir' });
    expect(errors).toHaveLength(1);
  });
});
