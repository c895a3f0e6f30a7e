import { existsSync } from 'node:fs';
import type { AppConfig } from '@reelrank/config';
import { openRatingsStore, type PurgeSelector, type StoreVersion } from '@reelrank/feedback';
import { CliFailure, UsageError } from './errors.js';
import type { Command, CommandContext, CommandResult } from './command.js';

/**
 * `reelrank ratings purge`: removes posted ratings from the store the config selects (the SQLite
 * file, or PostgreSQL with DATABASE_URL) by who wrote them (a key, a visitor, a client address) or by
 * when they were posted (the store's clock). The store's version moves, so the train stage's Nx hash
 * does (tools/fingerprint-ratings.mjs) and the next training runs without them; a running API reads
 * the store on every request, so it stops folding them in at once.
 */

const USAGE = 'reelrank ratings purge --key ID | --visitor ID | --address ADDRESS | --since TIME';

/** Unix seconds, or an ISO 8601 date / date-time (a date alone is midnight UTC). */
export function parseSince(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text))
    throw new UsageError(`--since "${text}" is not Unix seconds or an ISO 8601 time (2026-12-04T18:00:00Z)`, USAGE);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--since "${text}" is not a valid time`, USAGE);
  return Math.floor(ms / 1000);
}

function selectorOf(values: CommandContext['values']): { selector: PurgeSelector; what: string } {
  const text = (name: string) => (values[name] === undefined ? undefined : String(values[name]));
  const given = ['key', 'visitor', 'address', 'since'].filter((name) => text(name) !== undefined);
  if (given.length !== 1) throw new UsageError('say what to purge: exactly one of --key, --visitor, --address or --since', USAGE);
  const [name] = given;
  const value = text(name)!;
  if (!value) throw new UsageError(`--${name} needs a value`, USAGE);
  if (name === 'since') {
    const seconds = parseSince(value);
    return { selector: { postedSince: seconds }, what: `posted since ${new Date(seconds * 1000).toISOString()}` };
  }
  if (name === 'address') return { selector: { address: value }, what: `from address ${value}` };
  const source = `${name}:${value}`;
  return { selector: { source }, what: `written by ${source}` };
}

async function purge(
  config: AppConfig,
  selector: PurgeSelector,
): Promise<{ purged: number; before: StoreVersion; after: StoreVersion; location: string }> {
  if (!config.storage.databaseUrl && !existsSync(config.paths.ratingsDbPath)) {
    const none = { count: 0, newestId: 0 };
    return { purged: 0, before: none, after: none, location: config.paths.ratingsDbPath };
  }
  const { store, location } = openRatingsStore(config);
  try {
    const before = await store.version();
    const purged = await store.purge(selector);
    return { purged, before, after: await store.version(), location };
  } catch (error) {
    throw new CliFailure(`cannot purge the posted ratings at ${location}: ${(error as Error).message}`);
  } finally {
    await store.close();
  }
}

export const ratingsCommand: Command = {
  name: 'ratings',
  summary: 'Purge posted ratings by who wrote them (a key, a visitor, a client address) or since a time; the next training is stale',
  usage: USAGE,
  options: { key: { type: 'string' }, visitor: { type: 'string' }, address: { type: 'string' }, since: { type: 'string' } },
  needsModel: false,
  async run({ values, positionals, config, usage }): Promise<CommandResult> {
    const [action, ...extra] = positionals;
    if (action !== 'purge') throw new UsageError(action ? `unknown action "${action}" (purge)` : 'an action is needed: purge', usage);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
    const { selector, what } = selectorOf(values);
    const { purged, before, after, location } = await purge(config, selector);
    const version = (v: StoreVersion) => `${v.count}/${v.newestId}`;
    const stale = purged > 0 ? 'the next training runs without them' : 'nothing changed';
    return {
      json: { purged, selector, store: location, version_before: before, version_after: after },
      text: `purged ${purged} posted rating(s) ${what} from ${location} (store version ${version(before)} -> ${version(after)}: ${stale})`,
    };
  },
};
