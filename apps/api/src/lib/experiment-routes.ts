import { randomInt } from 'node:crypto';
import type { IRouter, RequestHandler } from 'express';
import { ExperimentConflictError, type Experiment } from '@reelrank/feedback';
import { modelVersionDir, setLiveVersion } from '@reelrank/model';
import type { Recommender } from '@reelrank/serving';
import { ApiError, errorBody } from './errors.js';
import { concludeExperimentRequest, experimentIdParams, startExperimentRequest } from './experiment-schemas.js';
import type { ExperimentRunner } from './experiment-runner.js';
import { requestLog } from './http-fast.js';
import { ModelReloadError, type ModelHolder } from './model-holder.js';
import type { ModelRegistryOptions } from './model-routes.js';
import { parseOrThrow } from './validate.js';

/**
 * POST /admin/experiments, GET /admin/experiments, POST /admin/experiments/{id}/conclude: an A/B
 * split between the live model and a challenger version of the registry (experiment-runner.ts).
 * Starting loads the challenger in this process first, so a version that does not load is refused
 * before it is stored; the other workers and replicas load it when their poll sees it. Promoting
 * goes through the same reload as POST /admin/models/{version}/activate.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const experimentEntryOf = (e: Experiment) => ({
  id: e.id,
  name: e.name,
  control_version: e.controlVersion,
  challenger_version: e.challengerVersion,
  share: e.share,
  seed: e.seed,
  status: e.status,
  started_at: iso(e.startedAt)!,
  ended_at: iso(e.endedAt),
});

const conflict = (res: Parameters<RequestHandler>[1], code: string, message: string, more: object = {}) =>
  res.status(409).json({ ...errorBody(new ApiError(409, code, message)), ...more });

export function experimentRoutes(
  router: IRouter,
  deps: {
    runner?: ExperimentRunner;
    holder?: ModelHolder;
    registry?: ModelRegistryOptions;
    current: () => Recommender | undefined;
    /** Admin routes that load or swap a model (they spend the reload bucket). */
    adminGuard: RequestHandler;
    /** Admin routes that only read. */
    adminOnly: RequestHandler;
  },
): void {
  const { holder, registry, current, adminGuard, adminOnly } = deps;
  const enabled = () => {
    if (!deps.runner || !registry)
      throw new ApiError(403, 'experiments_disabled', 'Experiments need a model registry and a store (not configured in this server)');
    return { runner: deps.runner, registryDir: registry.paths.registryDir };
  };
  const liveVersion = () => current()?.manifest.version ?? null;

  router.post('/admin/experiments', adminGuard, async (req, res) => {
    const body = parseOrThrow(startExperimentRequest, req.body);
    const { runner, registryDir } = enabled();
    const live = current();
    if (!live) throw new ApiError(503, 'model_not_ready', 'No model is loaded yet; retry shortly (see GET /ready)');
    const version = body.challenger_version;
    if (!modelVersionDir(registryDir, version))
      throw new ApiError(404, 'model_version_not_found', `Model version ${version} is not in the registry (see GET /models)`, [
        { field: 'challenger_version', message: 'not a version of the registry' },
      ]);
    if (version === live.manifest.version)
      throw new ApiError(400, 'validation_error', 'Invalid body: challenger_version', [
        { field: 'challenger_version', message: 'is the live version' },
      ]);
    const running = await runner.store.running();
    if (running)
      return conflict(res, 'experiment_running', `Experiment ${running.id} is running; conclude it first`, { running: experimentEntryOf(running) });
    let challenger: Recommender;
    try {
      challenger = runner.load(version);
    } catch (error) {
      requestLog(req).warn({ err: error }, 'experiment refused: its challenger did not load');
      return conflict(res, 'model_rejected', `Model version ${version} could not be loaded: ${(error as Error).message}`, {
        live_version: liveVersion(),
      });
    }
    try {
      const control = live.manifest.version;
      const name = body.name ?? `${version} vs ${control}`.slice(0, 64);
      const active = await runner.begin(
        { name, controlVersion: control, challengerVersion: version, share: body.share, seed: body.seed ?? randomInt(0, 2 ** 32 - 1) },
        challenger,
      );
      requestLog(req).info({ experiment: active.experiment }, 'experiment started via /admin/experiments');
      res.status(201).json({ experiment: experimentEntryOf(active.experiment), live_version: control });
    } catch (error) {
      if (!(error instanceof ExperimentConflictError)) throw error;
      return conflict(res, 'experiment_running', error.message, { running: experimentEntryOf(error.running) });
    }
  });

  router.get('/admin/experiments', adminOnly, async (_req, res) => {
    const { runner } = enabled();
    const experiments = await runner.store.list();
    const running = experiments.find((e) => e.status === 'running');
    res.json({
      running: running ? experimentEntryOf(running) : null,
      serving: {
        challenger_loaded: running !== undefined && runner.active?.experiment.id === running.id,
        error: running && runner.loadError?.experimentId === running.id ? runner.loadError.message : null,
      },
      experiments: experiments.map(experimentEntryOf),
    });
  });

  router.post('/admin/experiments/:id/conclude', adminGuard, async (req, res) => {
    const { id } = parseOrThrow(experimentIdParams, req.params, 'path');
    const { outcome } = parseOrThrow(concludeExperimentRequest, req.body);
    const { runner, registryDir } = enabled();
    const promote = async (experiment: Experiment) => {
      const version = experiment.challengerVersion;
      const dir = modelVersionDir(registryDir, version);
      if (!dir || !holder) throw new ModelReloadError(`Model version ${version} is no longer in the registry`, liveVersion());
      await holder.reloadFresh({ source: 'admin', dir, expectVersion: version, commit: () => setLiveVersion(registryDir, version) });
    };
    let ended: Experiment | undefined;
    try {
      ended = await runner.conclude(id, outcome === 'promote' ? 'promoted' : 'dropped', outcome === 'promote' ? promote : undefined);
    } catch (error) {
      if (!(error instanceof ModelReloadError)) throw error;
      requestLog(req).warn({ err: error.reason ?? error }, 'promotion refused; the experiment keeps running');
      return conflict(res, 'model_rejected', error.message, { live_version: error.liveVersion });
    }
    if (!ended) {
      const known = await runner.store.get(id);
      if (!known)
        throw new ApiError(404, 'experiment_not_found', `Experiment ${id} does not exist (see GET /admin/experiments)`, [
          { field: 'id', message: 'no such experiment' },
        ]);
      return conflict(res, 'experiment_not_running', `Experiment ${id} was already concluded (${known.status})`, {
        experiment: experimentEntryOf(known),
      });
    }
    requestLog(req).info({ experiment: ended }, `experiment ${id} concluded via /admin/experiments/{id}/conclude`);
    res.json({ experiment: experimentEntryOf(ended), live_version: liveVersion() });
  });
}
