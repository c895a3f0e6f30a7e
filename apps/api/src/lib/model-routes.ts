import type { IRouter, RequestHandler } from 'express';
import {
  describeModelVersion,
  headlineMetrics,
  isRejected,
  listModelVersions,
  type ModelManifest,
  modelVersionDir,
  type ModelVersionInfo,
  readModelManifest,
  type RegistryPaths,
  setLiveVersion,
} from '@reelrank/model';
import type { Recommender } from '@reelrank/serving';
import { ApiError, errorBody } from './errors.js';
import { requestLog } from './http-fast.js';
import { ModelReloadError, type ModelHolder } from './model-holder.js';
import { activateQuery, modelVersionParams } from './model-schemas.js';
import { parseOrThrow } from './validate.js';

/**
 * GET /models and POST /admin/models/{version}/activate: the registry's versions (packages/model
 * model-registry.ts) and switching the served one. Activation builds and verifies the version
 * completely (size and sha256 of its weights, the version it claims) before the registry's live
 * pointer moves and the model is swapped in; a version that fails is refused (409) and the live
 * one keeps serving. In cluster mode the activating worker reports the reload to the primary like
 * POST /admin/reload does, and the primary reloads the other workers from the (moved) pointer.
 */

export interface ModelRegistryOptions {
  paths: RegistryPaths;
  /** Versions the registry keeps (config storage.keepModelVersions). */
  keep: number;
}

/** The headline figures in the API's snake_case. */
function headline(metrics: Record<string, unknown>) {
  const h = headlineMetrics(metrics);
  return { test_rmse: h.testRmse, test_mae: h.testMae, k: h.k, precision_at_k: h.precisionAtK, ndcg_at_k: h.ndcgAtK };
}

const entry = (v: Pick<ModelVersionInfo, 'version' | 'createdAt' | 'dataHash' | 'dataset' | 'metrics' | 'status'>, live: boolean) => ({
  version: v.version,
  created_at: v.createdAt,
  data_hash: v.dataHash,
  dataset: v.dataset,
  live,
  status: live ? ('live' as const) : v.status === 'live' ? ('kept' as const) : v.status,
  metrics: headline(v.metrics),
});

const fromManifest = (m: ModelManifest) =>
  entry({ version: m.version, createdAt: m.createdAt, dataHash: m.dataHash, dataset: m.dataset, metrics: m.metrics ?? {}, status: 'live' }, true);

/** The promotion gate's reason when it rejected the version in `dir` (null: not rejected, or unreadable: the reload's own check refuses that one). */
function gateRejection(dir: string): string | null {
  try {
    const manifest = readModelManifest(dir);
    return isRejected(manifest) ? manifest.gate!.reason : null;
  } catch {
    return null;
  }
}

export function modelRoutes(
  router: IRouter,
  deps: {
    current: () => Recommender | undefined;
    holder?: ModelHolder;
    registry?: ModelRegistryOptions;
    adminGuard: RequestHandler;
    /** Who may list the versions (admin-auth.ts's requireOperator). */
    readGuard: RequestHandler;
  },
): void {
  const { current, holder, registry, adminGuard, readGuard } = deps;

  router.get('/models', readGuard, (_req, res) => {
    const live = current();
    const liveVersion = live?.manifest.version ?? null;
    const listed = registry ? listModelVersions(registry.paths.registryDir) : [];
    const versions = listed.map((v) => entry(v, v.version === liveVersion));
    // Served from models/<dataset>/ with no registry (or a version it does not hold): still listed.
    if (live && !listed.some((v) => v.version === liveVersion)) versions.unshift(fromManifest(live.manifest));
    res.json({
      dataset: live?.manifest.dataset ?? listed[0]?.dataset ?? null,
      live_version: liveVersion,
      keep_versions: registry?.keep ?? null,
      versions,
    });
  });

  // One version with its gate figures and training run (model-registry's run history).
  router.get('/models/:version', readGuard, (req, res) => {
    const { version } = parseOrThrow(modelVersionParams, req.params, 'path');
    const details = registry ? describeModelVersion(registry.paths.registryDir, version) : null;
    if (!details) throw new ApiError(404, 'model_version_not_found', `Model version ${version} is not in the registry (see GET /models)`);
    const live = details.version === (current()?.manifest.version ?? null);
    res.json({ ...details, live, status: live ? 'live' : details.status === 'live' ? 'kept' : details.status });
  });

  router.post('/admin/models/:version/activate', adminGuard, async (req, res) => {
    const { version } = parseOrThrow(modelVersionParams, req.params, 'path');
    const { force } = parseOrThrow(activateQuery, req.query, 'query');
    const dir = registry ? modelVersionDir(registry.paths.registryDir, version) : null;
    if (!dir || !registry) throw new ApiError(404, 'model_version_not_found', `Model version ${version} is not in the registry (see GET /models)`);
    const rejected = gateRejection(dir);
    if (rejected && force !== 'true')
      throw new ApiError(
        409,
        'model_rejected_by_gate',
        `Model version ${version} was rejected by the promotion gate (${rejected}); add ?force=true to make it live anyway`,
      );
    try {
      const result = await holder!.reloadFresh({
        source: 'admin',
        dir,
        expectVersion: version,
        commit: () => setLiveVersion(registry.paths.registryDir, version),
      });
      requestLog(req).info(
        { version: result.version, previous: result.previousVersion },
        'model version activated via /admin/models/{version}/activate',
      );
      res.json({
        status: result.status === 'reloaded' ? 'activated' : 'unchanged',
        version: result.version,
        previous_version: result.previousVersion,
        dataset: result.dataset,
        seconds: Math.round(result.seconds * 1000) / 1000,
      });
    } catch (error) {
      if (!(error instanceof ModelReloadError)) throw error;
      requestLog(req).warn({ err: error.reason ?? error }, 'model version refused; the live model keeps serving');
      res.status(409).json({ ...errorBody(new ApiError(409, 'model_rejected', error.message)), live_version: error.liveVersion });
    }
  });
}
