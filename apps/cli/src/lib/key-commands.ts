import { isKeyRole, KEY_ROLES, openKeyStore, type ApiKey } from '@reelrank/feedback';
import { CliFailure, UsageError } from './errors.js';
import { formatTable } from './table.js';
import type { Command, CommandResult } from './command.js';

/**
 * `reelrank keys create|list|revoke`: the API keys, in the store that holds the posted ratings (the
 * SQLite ratings file, or PostgreSQL with DATABASE_URL), so a running server and all its replicas see
 * a change within a second without a restart. The key itself is printed once, by `create`; the store
 * keeps only its hash.
 */

const when = (seconds: number | null) => (seconds === null ? '' : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));

const listed = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  role: k.role,
  created_at: when(k.createdAt),
  last_used_at: when(k.lastUsedAt) || null,
  revoked_at: when(k.revokedAt) || null,
});

function listText(keys: ApiKey[], where: string): string {
  if (!keys.length) return `no API keys in ${where} (create one: reelrank keys create --role admin --name NAME)`;
  const rows = keys.map((k) => [k.id, k.name, k.role, when(k.createdAt), when(k.lastUsedAt), when(k.revokedAt)]);
  return `${keys.length} API key(s) in ${where}\n${formatTable(['id', 'name', 'role', 'created', 'last used', 'revoked'], rows)}`;
}

export const keysCommand: Command = {
  name: 'keys',
  summary: 'Create, list or revoke the API keys (Authorization: Bearer <key>) in the ratings store',
  usage: `reelrank keys create --role ${KEY_ROLES.join('|')} --name NAME | reelrank keys list | reelrank keys revoke ID`,
  options: { role: { type: 'string' }, name: { type: 'string' } },
  needsModel: false,
  async run({ values, positionals, config, usage }): Promise<CommandResult> {
    const [action, id, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
    if (action !== 'create' && (values.role !== undefined || values.name !== undefined))
      throw new UsageError('--role and --name go with create', usage);
    if (action !== 'revoke' && id !== undefined) throw new UsageError(`unexpected argument "${id}"`, usage);
    if (action !== 'create' && action !== 'list' && action !== 'revoke')
      throw new UsageError(action ? `unknown action "${action}" (create, list or revoke)` : 'an action is needed: create, list or revoke', usage);
    let role = '';
    let name = '';
    if (action === 'create') {
      role = String(values.role ?? '');
      name = String(values.name ?? '');
      if (!isKeyRole(role)) throw new UsageError(`--role is one of ${KEY_ROLES.join(', ')}`, usage);
      if (!/^[\w.@:-]{1,64}$/.test(name)) throw new UsageError('--name is 1 to 64 letters, digits or . _ - @ :', usage);
    }
    if (action === 'revoke' && !/^\d{1,15}$/.test(id ?? '')) throw new UsageError('revoke needs the key id (see `reelrank keys list`)', usage);

    const { keys, location } = openKeyStore(config);
    try {
      if (action === 'create' && isKeyRole(role)) {
        const { key, apiKey } = await keys.create(name, role);
        return {
          json: { ...listed(apiKey), key },
          text: [
            `API key ${apiKey.id} "${apiKey.name}" (${apiKey.role}) stored in ${location}:`,
            '',
            `  ${key}`,
            '',
            'This is the only time the key is shown (only its hash is stored). Send it as "Authorization: Bearer <key>".',
          ].join('\n'),
        };
      }
      if (action === 'list') {
        const all = await keys.list();
        return { json: { keys: all.map(listed) }, text: listText(all, location) };
      }
      if (!(await keys.revoke(Number(id)))) throw new CliFailure(`no API key ${id} in ${location} (see \`reelrank keys list\`)`);
      return { json: { id: Number(id), revoked: true }, text: `API key ${id} revoked: every server on ${location} refuses it within a second` };
    } finally {
      await keys.close();
    }
  },
};
