import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import { MODEL_VERSION_PATTERN } from './model-version.js';

/**
 * Versions the registry must keep whatever their age: the live one, and every version a pin names.
 * A pin is one small file per owner, `<registryDir>/pins/<owner>.json` = {"versions": [...]},
 * replaced atomically, so any process that prunes (a training, a server's sync, the CLI) sees the
 * pins of every other process: an A/B experiment pins both of its arms while it runs, and clears
 * its pin when it ends.
 */

const PINS_DIR = 'pins';
const OWNER_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

function pinPath(registryDir: string, owner: string): string {
  if (!OWNER_PATTERN.test(owner)) throw new Error(`pin owner "${owner}" must be lowercase letters, digits and dashes`);
  return join(registryDir, PINS_DIR, `${owner}.json`);
}

/** Pins `versions` for `owner` (an empty list removes the pin). */
export function writeVersionPins(registryDir: string, owner: string, versions: readonly string[]): void {
  const path = pinPath(registryDir, owner);
  if (!versions.length) {
    rmSync(path, { force: true });
    return;
  }
  const bad = versions.find((v) => !MODEL_VERSION_PATTERN.test(v));
  if (bad !== undefined) throw new Error(`"${bad}" is not a model version`);
  mkdirSync(join(registryDir, PINS_DIR), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify({ versions: [...new Set(versions)], pinnedAt: new Date().toISOString() })}\n`);
}

/** Every version pinned by some owner (owner -> versions); unreadable pin files count as none. */
export function readVersionPins(registryDir: string): Record<string, string[]> {
  const pins: Record<string, string[]> = {};
  let names: string[];
  try {
    names = readdirSync(join(registryDir, PINS_DIR));
  } catch {
    return pins;
  }
  for (const name of names) {
    const owner = /^([a-z0-9][a-z0-9-]{0,63})\.json$/.exec(name)?.[1];
    if (!owner) continue;
    try {
      const parsed = JSON.parse(readFileSync(join(registryDir, PINS_DIR, name), 'utf8')) as { versions?: unknown };
      if (Array.isArray(parsed.versions))
        pins[owner] = parsed.versions.filter((v): v is string => typeof v === 'string' && MODEL_VERSION_PATTERN.test(v));
    } catch {
      // a pin being replaced or damaged: it pins nothing
    }
  }
  return pins;
}

/** Every pinned version, whoever pinned it. */
export function pinnedVersions(registryDir: string): Set<string> {
  return new Set(Object.values(readVersionPins(registryDir)).flat());
}
