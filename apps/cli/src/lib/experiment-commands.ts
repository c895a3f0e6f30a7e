import { UsageError } from './errors.js';
import { callServer, serverError } from './server-calls.js';
import { formatTable } from './table.js';
import type { Command, CommandResult } from './command.js';

/**
 * `reelrank experiments start|list|conclude`: A/B experiments between model versions, through a
 * running server's admin routes (POST /admin/experiments, GET /admin/experiments,
 * POST /admin/experiments/{id}/conclude) with the admin token from --token or REELRANK_ADMIN_TOKEN.
 * The server keeps the experiment in its store, so every worker and replica serves it.
 */

interface Listed {
  id: number;
  name: string;
  control_version: string;
  challenger_version: string;
  share: number;
  seed: number;
  status: string;
  started_at: string;
  ended_at: string | null;
}

const row = (e: Listed) => [
  String(e.id),
  e.status,
  e.challenger_version,
  `${Math.round(e.share * 1000) / 10}%`,
  e.control_version,
  e.name,
  e.started_at,
  e.ended_at ?? '',
];
const HEADER = ['id', 'status', 'challenger', 'share', 'control (at start)', 'name', 'started', 'ended'];

function numberFlag(value: unknown, flag: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} must be a number, not "${String(value)}"`, usage);
  return n;
}

export const experimentsCommand: Command = {
  name: 'experiments',
  summary: 'Start, list or conclude an A/B experiment between the live model and a challenger version (on a running server)',
  usage:
    'reelrank experiments start VERSION --share S [--name NAME] [--seed N] | reelrank experiments list | ' +
    'reelrank experiments conclude ID promote|drop   (each with [--url URL] [--token TOKEN]; URL default http://127.0.0.1:<serving port>)',
  options: { url: { type: 'string' }, token: { type: 'string' }, share: { type: 'string' }, name: { type: 'string' }, seed: { type: 'string' } },
  needsModel: false,
  async run({ values, positionals, config, usage }): Promise<CommandResult> {
    const [action, ...args] = positionals;
    const url = values.url === undefined ? `http://127.0.0.1:${config.serving.port}` : String(values.url);
    const token = values.token === undefined ? config.identity.adminToken : String(values.token);
    if (!token) throw new UsageError('experiments need the admin token: --token or REELRANK_ADMIN_TOKEN', usage);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const call = async (path: string, body?: object) => {
      const init = body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) };
      const { status, body: answer } = await callServer(url, path, init);
      if (status >= 300) throw serverError(status, answer);
      return answer;
    };
    if (action === 'start') {
      const [version, ...extra] = args;
      if (!version) throw new UsageError('start needs the challenger VERSION (see `reelrank models list`)', usage);
      if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
      const share = numberFlag(values.share, 'share', usage);
      if (share === undefined) throw new UsageError('start needs --share, the challenger’s share of users (0 < S < 1)', usage);
      const seed = numberFlag(values.seed, 'seed', usage);
      const name = values.name === undefined ? undefined : String(values.name);
      const answer = await call('/admin/experiments', {
        challenger_version: version,
        share,
        ...(name === undefined ? {} : { name }),
        ...(seed === undefined ? {} : { seed }),
      });
      const e = answer.experiment as Listed;
      return {
        json: answer,
        text: `experiment ${e.id} started: ${e.challenger_version} answers ${Math.round(e.share * 1000) / 10}% of users (seed ${e.seed}), ${e.control_version} the rest`,
      };
    }
    if (action === 'list') {
      if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`, usage);
      const answer = await call('/admin/experiments');
      const experiments = answer.experiments as Listed[];
      const text = experiments.length ? formatTable(HEADER, experiments.map(row)) : 'no experiments';
      return { json: answer, text };
    }
    if (action === 'conclude') {
      const [id, outcome, ...extra] = args;
      if (!id || !/^\d+$/.test(id)) throw new UsageError('conclude needs an experiment ID (see `reelrank experiments list`)', usage);
      if (outcome !== 'promote' && outcome !== 'drop') throw new UsageError('conclude needs an outcome: promote or drop', usage);
      if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
      const answer = await call(`/admin/experiments/${id}/conclude`, { outcome });
      const e = answer.experiment as Listed;
      return { json: answer, text: `experiment ${e.id} ${e.status}; live model: ${String(answer.live_version)}` };
    }
    throw new UsageError(action ? `unknown action "${action}"` : 'an action is needed: start, list or conclude', usage);
  },
};
