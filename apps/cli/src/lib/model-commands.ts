import {
  describeModelVersion,
  headlineMetrics,
  isRejected,
  listModelVersions,
  liveModel,
  loadModelArtifacts,
  ModelLoadError,
  modelVersionDir,
  readTrainingRuns,
  setLiveVersion,
  type ModelVersionDetails,
} from '@reelrank/model';
import { CliFailure, UsageError } from './errors.js';
import { callServer, serverError } from './server-calls.js';
import { compareText, historyText, showText } from './model-inspect.js';
import { formatTable } from './table.js';
import type { Command, CommandResult } from './command.js';

/**
 * `reelrank models list|show|compare|history|activate`: the model registry (models/_versions/<dataset>/).
 * `show VERSION` prints a version's gate figures and training run, `compare A B` two side by side,
 * `history` every training run (promoted, rejected, failed); `activate` refuses a version the promotion
 * gate rejected unless --force.
 *
 * Without --url it works on the files: `list` reads the registry, `activate` verifies the version
 * (weights size and sha256, the version it holds) and moves the live pointer atomically; a running
 * server picks it up at its next reload (SIGHUP or POST /admin/reload). With --url it asks that
 * server (GET /models, POST /admin/models/{version}/activate, both with the admin token from --token
 * or REELRANK_ADMIN_TOKEN), which swaps the model at once, on every worker in cluster mode.
 */

interface Listed {
  version: string;
  created_at: string;
  data_hash: string;
  live: boolean;
  status?: string;
  metrics: { test_rmse: number | null; test_mae: number | null; k: number | null; precision_at_k: number | null; ndcg_at_k: number | null };
}

const fmt = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(4) : '');

function listText(dataset: string, versions: Listed[], where: string): string {
  if (!versions.length) return `${dataset}: no model versions in ${where}`;
  const k = versions.find((v) => v.metrics.k !== null)?.metrics.k ?? 10;
  const rows = versions.map((v) => [
    v.live ? '*' : '',
    v.version,
    v.status ?? '',
    v.created_at,
    fmt(v.metrics.test_rmse),
    fmt(v.metrics.ndcg_at_k),
    v.data_hash.slice(0, 12),
  ]);
  return `${dataset}: ${versions.length} version(s) in ${where} (* live)\n${formatTable(['live', 'version', 'status', 'created', 'test RMSE', `NDCG@${k}`, 'data hash'], rows)}`;
}

// Declarative like the other commands (alike by shape only): name, usage and flags; parsing and running are the CLI's, once.
export const modelsCommand: Command = {
  name: 'models',
  summary:
    'List the kept model versions, show or compare their gate figures and training runs, list every run, or make one live (roll back or forward; --force for a rejected one)',
  usage:
    'reelrank models list|history [--url URL [--token TOKEN]] | reelrank models show VERSION | compare A B [--url URL [--token TOKEN]] | reelrank models activate VERSION [--force] [--url URL [--token TOKEN]]',
  options: { url: { type: 'string' }, token: { type: 'string' }, force: { type: 'boolean' } },
  needsModel: false,
  async run({ values, positionals, config, usage }): Promise<CommandResult> {
    const [action, version, ...extra] = positionals;
    const url = values.url === undefined ? undefined : String(values.url);
    const { dataset } = config.dataset;
    const token = values.token === undefined ? config.identity.adminToken : String(values.token);
    if (values.force && action !== 'activate') throw new UsageError('--force goes with activate', usage);
    if (action === 'compare' || action === 'show') {
      const wanted = [version, ...extra];
      const count = action === 'compare' ? 2 : 1;
      if (wanted.filter(Boolean).length !== count)
        throw new UsageError(`${action} needs ${count === 2 ? 'two VERSIONs' : 'a VERSION'} (see \`reelrank models list\`)`, usage);
      const details: ModelVersionDetails[] = [];
      for (const v of wanted as string[]) {
        if (url) {
          if (!token) throw new UsageError("reading a server's models needs the admin token: --token or REELRANK_ADMIN_TOKEN", usage);
          const { status, body } = await callServer(url, `/models/${encodeURIComponent(v)}`, { headers: { authorization: `Bearer ${token}` } });
          if (status !== 200) throw serverError(status, body);
          details.push(body as unknown as ModelVersionDetails);
        } else {
          const found = describeModelVersion(config.paths.registryDir, v);
          if (!found) throw new CliFailure(`model version ${v} is not in ${config.paths.registryDir} (see \`reelrank models list\`)`);
          details.push(found);
        }
      }
      if (action === 'show') return { json: details[0], text: showText(details[0]) };
      return { json: { versions: details }, text: compareText(details[0], details[1]) };
    }
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
    if (action === 'history') {
      if (version !== undefined) throw new UsageError(`unexpected argument "${version}"`, usage);
      if (url) throw new UsageError('history reads the registry on this machine (no --url); a server answers GET /models/{version}', usage);
      const runs = readTrainingRuns(config.paths.registryDir);
      return { json: { dataset, runs }, text: historyText(dataset, runs, config.paths.registryDir) };
    }
    if (action === 'list') {
      if (version !== undefined) throw new UsageError(`unexpected argument "${version}"`, usage);
      if (url) {
        if (!token) throw new UsageError("listing a server's models needs the admin token: --token or REELRANK_ADMIN_TOKEN", usage);
        const { status, body } = await callServer(url, '/models', { headers: { authorization: `Bearer ${token}` } });
        if (status !== 200) throw serverError(status, body);
        return { json: body, text: listText(String(body.dataset ?? dataset), body.versions as Listed[], url) };
      }
      const live = liveModel(config.paths);
      const versions: Listed[] = listModelVersions(config.paths.registryDir).map((v) => {
        const h = headlineMetrics(v.metrics);
        return {
          version: v.version,
          created_at: v.createdAt,
          data_hash: v.dataHash,
          live: v.version === live.version,
          status: v.version === live.version ? 'live' : v.status === 'live' ? 'kept' : v.status,
          metrics: { test_rmse: h.testRmse, test_mae: h.testMae, k: h.k, precision_at_k: h.precisionAtK, ndcg_at_k: h.ndcgAtK },
        };
      });
      return {
        json: { dataset, live_version: live.version, versions },
        text: listText(dataset, versions, config.paths.registryDir),
      };
    }
    if (action === 'activate') {
      if (!version) throw new UsageError('activate needs a VERSION (see `reelrank models list`)', usage);
      if (url) {
        if (!token) throw new UsageError('activating on a server needs the admin token: --token or REELRANK_ADMIN_TOKEN', usage);
        const force = values.force ? '?force=true' : '';
        const { status, body } = await callServer(url, `/admin/models/${encodeURIComponent(version)}/activate${force}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
        if (status !== 200) throw serverError(status, body);
        return { json: body, text: `${url}: model ${String(body.version)} is live (${String(body.status)}; was ${String(body.previous_version)})` };
      }
      if (values.token !== undefined) throw new UsageError('--token goes with --url', usage);
      const dir = modelVersionDir(config.paths.registryDir, version);
      if (!dir) throw new CliFailure(`model version ${version} is not in ${config.paths.registryDir} (see \`reelrank models list\`)`);
      try {
        const bundle = loadModelArtifacts(dir); // the integrity check: size and sha256 of the weights
        if (bundle.manifest.version !== version) throw new ModelLoadError(`${dir} holds version ${bundle.manifest.version}`);
        if (isRejected(bundle.manifest) && !values.force)
          throw new CliFailure(
            `model version ${version} was rejected by the promotion gate (${bundle.manifest.gate!.reason}); the live pointer is unchanged: add --force to make it live anyway`,
          );
      } catch (error) {
        if (error instanceof CliFailure) throw error;
        throw new CliFailure(`model version ${version} fails its integrity check, the live pointer is unchanged: ${(error as Error).message}`);
      }
      const previous = liveModel(config.paths).version;
      setLiveVersion(config.paths.registryDir, version);
      return {
        json: { status: previous === version ? 'unchanged' : 'activated', version, previous_version: previous },
        text: `${dataset}: model ${version} is live on disk (was ${previous ?? 'none'}); a running server switches at its next reload (SIGHUP or POST /admin/reload), or use --url`,
      };
    }
    throw new UsageError(
      action
        ? `unknown action "${action}" (list, show, compare, history or activate)`
        : 'an action is needed: list, show, compare, history or activate',
      usage,
    );
  },
};
