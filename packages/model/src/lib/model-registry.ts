import { constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps, tempPathFor, writeFileAtomic } from '@reelrank/artifacts';
import { gateOf, isRejected, type GateVerdict } from './gate-verdict.js';
import { DRIFT_PROFILE_FILE } from './drift-profile.js';
import { ModelLoadError, readModelManifest, type ModelManifest } from './model-artifacts.js';
import { MODEL_VERSION_PATTERN } from './model-version.js';
import { pinnedVersions } from './version-pins.js';

/**
 * The model registry: the last N trained models, each a complete copy of its artifacts, and a
 * `live` pointer saying which one is served.
 *
 *   <registryDir>/<version>/{model.json, metrics.json, weights-<version>.bin}
 *   <registryDir>/live.json   {"version": ..., "activatedAt": ...}, replaced atomically (temp + rename)
 *
 *   <registryDir>/built.json  {"version": ...}: the version of models/<dataset>/ the registry last took in
 *
 * registryDir (models/_versions/<dataset>/) lies outside the train stage's Nx output
 * (models/<dataset>/), so an Nx cache restore, which replaces that folder, never touches the history.
 * What the pipeline built is published (publishBuiltModel: registered, made live, recorded in
 * built.json) by the training itself, and after a cache restore by the next syncModelRegistry: the
 * pipeline's `trainer:publish` step, the API's start and reload, and the CLI.
 * A version folder is filled under a temp name and renamed into place, and removed by renaming it
 * away first, so a reader sees only complete versions. Files are copied (reflink where the file
 * system can), not hard-linked: a registered version is a snapshot nothing else writes to.
 */

export const LIVE_POINTER = 'live.json';
/** Records which models/<dataset>/ version was last published, so a changed one (trained or restored) goes live once. */
export const BUILT_POINTER = 'built.json';
export { MODEL_VERSION_PATTERN } from './model-version.js';

export interface RegistryPaths {
  /** The train stage's output folder (models/<dataset>/). */
  modelDir: string;
  /** The registry folder (models/_versions/<dataset>/). */
  registryDir: string;
}

export interface ModelVersionInfo {
  version: string;
  createdAt: string;
  dataHash: string;
  dataset: string;
  /** manifest.metrics: the headline figures (the full report is metrics.json in `dir`). */
  metrics: Record<string, unknown>;
  live: boolean;
  /** live: the pointer names it; rejected: the promotion gate turned it down (it may still be live, forced); kept: an earlier or rolled-back version. */
  status: 'live' | 'rejected' | 'kept';
  /** The promotion gate's verdict (null: trained before the gate). */
  gate: GateVerdict | null;
  dir: string;
}

export interface LiveModel {
  /** Folder to load the model from. */
  dir: string;
  /** The live version by the pointer (null when served straight from models/<dataset>/). */
  version: string | null;
  source: 'registry' | 'model-dir';
}

export interface HeadlineMetrics {
  testRmse: number | null;
  testMae: number | null;
  k: number | null;
  /** The served ranking's (the rating model's when the artifact has no ranker). */
  precisionAtK: number | null;
  ndcgAtK: number | null;
}

/** The headline figures of a manifest's `metrics` (as the train stage writes them): test RMSE/MAE, ranking P@k and NDCG@k. */
export function headlineMetrics(metrics: Record<string, unknown>): HeadlineMetrics {
  const k = typeof metrics.k === 'number' ? metrics.k : null;
  const ranked = (metrics.ranking && typeof metrics.ranking === 'object' ? metrics.ranking : metrics) as Record<string, unknown>;
  const num = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    testRmse: num(metrics.testRmse),
    testMae: num(metrics.testMae),
    k,
    precisionAtK: k === null ? null : num(ranked[`precisionAt${k}`]),
    ndcgAtK: k === null ? null : num(ranked[`ndcgAt${k}`]),
  };
}

/** Temp folders a killed process left in the registry (the `.<name>.<pid>.<hex>.tmp` names of tempPathFor), unless their owner still runs. */
function removeStaleRegistryTemps(registryDir: string): void {
  for (const name of readdirSync(registryDir)) {
    const match = /^\.(.+)\.\d+\.[0-9a-f]+\.tmp$/.exec(name);
    if (match) removeStaleTemps(join(registryDir, match[1]));
  }
}

/** The folder of a registered version, or null (unknown, or not a valid version name). */
export function modelVersionDir(registryDir: string, version: string): string | null {
  if (!MODEL_VERSION_PATTERN.test(version)) return null;
  const dir = join(registryDir, version);
  return existsSync(join(dir, 'model.json')) ? dir : null;
}

function readPointer(registryDir: string, name: string): string | null {
  try {
    const pointer = JSON.parse(readFileSync(join(registryDir, name), 'utf8')) as { version?: unknown };
    return typeof pointer.version === 'string' && MODEL_VERSION_PATTERN.test(pointer.version) ? pointer.version : null;
  } catch {
    return null;
  }
}

export function readLiveVersion(registryDir: string): string | null {
  return readPointer(registryDir, LIVE_POINTER);
}

/** The models/<dataset>/ version last published (null before the first, or in a registry older than built.json). */
export function readBuiltVersion(registryDir: string): string | null {
  return readPointer(registryDir, BUILT_POINTER);
}

const writeLivePointer = (registryDir: string, version: string) =>
  writeFileAtomic(join(registryDir, LIVE_POINTER), `${JSON.stringify({ version, activatedAt: new Date().toISOString() })}\n`);

/**
 * Points `live` at a registered version (atomically); throws ModelLoadError for an unknown one. A
 * prune (another process's training) that read the pointer before it moved may remove the version
 * meanwhile: then the pointer is moved back and this throws too, so it never names a removed version.
 */
export function setLiveVersion(registryDir: string, version: string): void {
  if (!modelVersionDir(registryDir, version)) throw new ModelLoadError(`Model version ${version} is not in the registry ${registryDir}`);
  const previous = readLiveVersion(registryDir);
  writeLivePointer(registryDir, version);
  if (modelVersionDir(registryDir, version)) return;
  if (previous && modelVersionDir(registryDir, previous)) writeLivePointer(registryDir, previous);
  throw new ModelLoadError(`Model version ${version} was removed from the registry (pruned) while it was being activated`);
}

/** Every registered version, newest first (by createdAt, then version). */
export function listModelVersions(registryDir: string): ModelVersionInfo[] {
  if (!existsSync(registryDir)) return [];
  const live = readLiveVersion(registryDir);
  const versions: ModelVersionInfo[] = [];
  for (const name of readdirSync(registryDir)) {
    if (!MODEL_VERSION_PATTERN.test(name)) continue;
    const dir = join(registryDir, name);
    let manifest: ModelManifest;
    try {
      manifest = readModelManifest(dir);
    } catch {
      continue; // not a model folder (or a damaged manifest): not listed, never activated
    }
    versions.push({
      version: manifest.version,
      createdAt: manifest.createdAt,
      dataHash: manifest.dataHash,
      dataset: manifest.dataset,
      metrics: manifest.metrics ?? {},
      live: manifest.version === live,
      status: manifest.version === live ? 'live' : isRejected(manifest) ? 'rejected' : 'kept',
      gate: gateOf(manifest),
      dir,
    });
  }
  return versions.sort((a, b) => (a.createdAt === b.createdAt ? b.version.localeCompare(a.version) : b.createdAt.localeCompare(a.createdAt)));
}

/**
 * Removes the versions beyond the `keep` newest, never the live one, a pinned one (version-pins.ts:
 * an experiment's arms) nor those in `protect`; returns the removed versions.
 */
export function pruneModelVersions(registryDir: string, keep: number, protect: readonly string[] = []): string[] {
  const removed: string[] = [];
  const pinned = pinnedVersions(registryDir);
  for (const [rank, info] of listModelVersions(registryDir).entries()) {
    if (rank < keep || info.live || pinned.has(info.version) || protect.includes(info.version)) continue;
    const away = tempPathFor(info.dir);
    try {
      renameSync(info.dir, away);
    } catch {
      continue; // another process removed it first
    }
    rmSync(away, { recursive: true, force: true });
    removed.push(info.version);
  }
  return removed;
}

export interface RegisterOptions {
  /** Versions kept after this one is added (config storage.keepModelVersions). */
  keep: number;
  /** Point `live` at it (a training does; a restore only when nothing is live yet). */
  makeLive: boolean;
}

/**
 * Copies the model in `sourceDir` into the registry (unless its version is there already), makes it
 * live when asked, and prunes the oldest versions. Returns its version and whether it was new.
 */
export function registerModelVersion(registryDir: string, sourceDir: string, options: RegisterOptions): { version: string; added: boolean } {
  const manifest = readModelManifest(sourceDir);
  const { version } = manifest;
  if (!MODEL_VERSION_PATTERN.test(version)) throw new ModelLoadError(`${sourceDir}: model version "${version}" cannot name a folder`);
  mkdirSync(registryDir, { recursive: true });
  removeStaleRegistryTemps(registryDir);
  let added = false;
  if (!modelVersionDir(registryDir, version)) {
    const temp = tempPathFor(join(registryDir, version));
    mkdirSync(temp);
    try {
      for (const file of [
        manifest.weights.file,
        ...(manifest.contentMap ? [manifest.contentMap.file] : []),
        'metrics.json',
        DRIFT_PROFILE_FILE,
        'model.json',
      ]) {
        if (existsSync(join(sourceDir, file))) copyFileSync(join(sourceDir, file), join(temp, file), constants.COPYFILE_FICLONE);
      }
      try {
        renameSync(temp, join(registryDir, version));
        added = true;
      } catch (error) {
        // Another process (a cluster worker) registered it at the same moment: theirs stands.
        if (!modelVersionDir(registryDir, version)) throw error;
      }
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  // A version the promotion gate rejected goes live only when an operator forces it (setLiveVersion).
  if (!isRejected(manifest) && (options.makeLive || !readLiveVersion(registryDir))) setLiveVersion(registryDir, version);
  pruneModelVersions(registryDir, options.keep, [version]);
  return { version, added };
}

/**
 * Where the served model lives: the registry's live version, or models/<dataset>/ when there is no
 * registry (older setups) or its live version is gone. Reads only.
 */
export function liveModel(paths: RegistryPaths): LiveModel {
  const version = readLiveVersion(paths.registryDir);
  const dir = version ? modelVersionDir(paths.registryDir, version) : null;
  return dir ? { dir, version, source: 'registry' } : { dir: paths.modelDir, version: null, source: 'model-dir' };
}

/**
 * Publishes what the pipeline built: the model in models/<dataset>/ is registered (copied in again if
 * it was pruned), made live unless the promotion gate rejected it, and recorded as built. The train stage calls it after a training; a sync
 * calls it when models/<dataset>/ changed since the last publication (an Nx cache restore).
 */
export function publishBuiltModel(paths: RegistryPaths, keep: number): { version: string; added: boolean } {
  const result = registerModelVersion(paths.registryDir, paths.modelDir, { keep, makeLive: true });
  writeFileAtomic(join(paths.registryDir, BUILT_POINTER), `${JSON.stringify({ version: result.version, publishedAt: new Date().toISOString() })}\n`);
  return result;
}

/**
 * Brings the registry up to date with models/<dataset>/ and answers where the live model is. When
 * models/<dataset>/ holds another version than the one last published (a training, or an Nx cache
 * restore of an earlier one: the model the stage's inputs describe), that version is published and
 * goes live, re-registered if it was pruned. When it holds the version last published, the pointer is
 * left alone, so an activated rollback survives restarts until the pipeline builds something else.
 * The model in models/<dataset>/ is never pruned here.
 */
export function syncModelRegistry(paths: RegistryPaths, keep: number): LiveModel {
  let current: string | null = null;
  try {
    current = readModelManifest(paths.modelDir).version;
  } catch {
    current = null; // no model in models/<dataset>/: serve what the registry has
  }
  if (current && MODEL_VERSION_PATTERN.test(current)) {
    if (current !== readBuiltVersion(paths.registryDir)) publishBuiltModel(paths, keep);
    // The built version's folder was removed by hand: registered again, the pointer as it is.
    else if (!modelVersionDir(paths.registryDir, current)) registerModelVersion(paths.registryDir, paths.modelDir, { keep, makeLive: false });
    else if (!readLiveVersion(paths.registryDir) && !isRejected(readModelManifest(paths.modelDir))) setLiveVersion(paths.registryDir, current);
  }
  return liveModel(paths);
}

/**
 * What a server or the CLI loads: syncModelRegistry, or, when the registry cannot be written (a
 * read-only models folder), the live model as it is; `onSyncError` hears why.
 */
export function resolveLiveModel(paths: RegistryPaths, keep: number, onSyncError?: (error: unknown) => void): LiveModel {
  try {
    return syncModelRegistry(paths, keep);
  } catch (error) {
    onSyncError?.(error);
    return liveModel(paths);
  }
}
