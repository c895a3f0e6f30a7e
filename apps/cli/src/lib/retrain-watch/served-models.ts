import { isRejected, liveModel, readModelManifest, type RegistryPaths } from '@reelrank/model';

/** What the watcher needs to know of a trained model: its version, when it was trained, and up to which posted rating it read. */
export interface ModelFacts {
  version: string;
  /** ms since the epoch. */
  createdAt: number;
  /** The newest posted-rating id in its training snapshot (0: none). */
  postedNewestId: number;
  /** The promotion gate rejected it (it stays out of live unless forced). */
  rejected?: boolean;
}

function factsOf(dir: string): ModelFacts | null {
  try {
    const manifest = readModelManifest(dir);
    const posted = manifest.training?.posted as { newestId?: unknown } | null | undefined;
    const newestId = typeof posted?.newestId === 'number' ? posted.newestId : 0;
    return { version: manifest.version, createdAt: Date.parse(manifest.createdAt), postedNewestId: newestId, rejected: isRejected(manifest) };
  } catch {
    return null; // no model there (yet), or one this version cannot read
  }
}

/**
 * The model the pipeline last built (models/<dataset>/) and the one the registry serves. They differ
 * only after an operator activated another version; posted ratings count as new when they are newer
 * than what either of them read, so a rollback does not make the watcher rebuild a model it has.
 */
export function servedModels(paths: RegistryPaths): { built: ModelFacts | null; live: ModelFacts | null } {
  return { built: factsOf(paths.modelDir), live: factsOf(liveModel(paths).dir) };
}
