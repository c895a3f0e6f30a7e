import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gateJson, liveModel, type GateVerdict } from '@reelrank/model';
import { UsageError } from './errors.js';
import { callServer, serverError } from './server-calls.js';
import { loadCliConfig } from './model-context.js';
import { watchAndRetrain } from './retrain-watch/watch-command.js';
import { PIPELINE_OPTIONS, pipelineInvocation, runPipelineStages } from './stage-commands.js';
import type { Command } from './command.js';

/**
 * `reelrank retrain [--reload URL [--token T]]`: the pipeline (Nx runs the stale stages: the train
 * stage is stale exactly when ratings were posted since its last run, and then trains on the data
 * set plus every posted rating of one snapshot; ratings posted meanwhile count in the next run),
 * then, with --reload, POST /admin/reload on the running server, which loads the live model. The
 * train stage's promotion gate decides whether the trained version went live (a rejected one is
 * kept in the registry, the live model unchanged); the output says which, with the figures.
 * With --watch it keeps running and does so by itself when ratings arrive (retrain-watch/).
 */

interface TrainedModel {
  version: string;
  training?: { posted?: { count: number; newestId: number } | null };
  gate?: GateVerdict;
}

function parseUrl(value: string, usage: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new UsageError(`--reload must be an http(s) URL of the running server, got "${value}"`, usage);
}

export const retrainCommand: Command = {
  name: 'retrain',
  summary:
    'Retrain on the data set plus the posted ratings (stale stages only), then optionally reload a running server; --watch: keep doing it as ratings arrive',
  usage: 'reelrank retrain [--watch] [--reload URL [--token TOKEN]] [--dataset NAME] [--source PATH]',
  options: { ...PIPELINE_OPTIONS, reload: { type: 'string' }, token: { type: 'string' }, watch: { type: 'boolean' } },
  needsModel: false,
  async run({ values, config, usage, env, log }) {
    // Usage first: a bad flag must not cost a training.
    const url = values.reload === undefined ? undefined : parseUrl(String(values.reload), usage);
    if (values.watch) {
      const invocation = pipelineInvocation({ values, usage, env });
      const token = values.token === undefined ? undefined : String(values.token);
      return watchAndRetrain({
        config: loadCliConfig(invocation.env),
        invocation,
        extraReloadUrl: url,
        token,
        json: Boolean(values.json),
        usage,
        log,
      });
    }
    if (!url && values.token !== undefined) throw new UsageError('--token goes with --reload', usage);
    const token = values.token === undefined ? config.identity.adminToken : String(values.token);
    if (url && !token) throw new UsageError('reloading a server needs the admin token: --token or REELRANK_ADMIN_TOKEN', usage);

    const built = runPipelineStages({ values, usage, env });
    const manifestPath = join(built.paths.modelDir, 'model.json');
    const trained = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as TrainedModel) : null;
    const posted = trained?.training?.posted ?? null;
    const live = liveModel(built.paths).version;
    const lines = [
      `${built.dataset.dataset}: trained model ${trained?.version ?? 'none'} (${posted ? `with ${posted.count} posted rating(s), newest id ${posted.newestId}` : 'no posted ratings'}); live on disk: ${live ?? 'none'}`,
    ];
    const json: Record<string, unknown> = {
      status: 'ok',
      dataset: built.dataset.dataset,
      trained_version: trained?.version ?? null,
      posted,
      live_version: live,
      gate: gateJson(trained?.gate ?? null, trained ? new Date().toISOString() : null),
    };
    if (trained?.gate)
      lines.push(`promotion gate: ${trained.gate.decision} (${trained.gate.reason}); see \`reelrank models show ${trained.version}\``);
    if (url) {
      const { status, body } = await callServer(url, '/admin/reload', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      if (status !== 200) throw serverError(status, body);
      json.reload = body;
      lines.push(`${url}: model ${String(body.version)} is live (${String(body.status)}; was ${String(body.previous_version)})`);
    }
    return { json, text: lines.join('\n') };
  },
};
