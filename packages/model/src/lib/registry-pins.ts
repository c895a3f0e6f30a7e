import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@reelrank/artifacts';
import { MODEL_VERSION_PATTERN } from './model-registry.js';

/**
 * Versions something other than the live pointer needs kept (a running A/B experiment's challenger
 * and control): `<registryDir>/pinned.json`, replaced atomically; a prune never removes them.
 */
export const PINS_FILE = 'pinned.json';

export function pinnedVersions(registryDir: string): string[] {
  try {
    const pins = JSON.parse(readFileSync(join(registryDir, PINS_FILE), 'utf8')) as { versions?: unknown };
    return Array.isArray(pins.versions) ? pins.versions.filter((v): v is string => typeof v === 'string' && MODEL_VERSION_PATTERN.test(v)) : [];
  } catch {
    return [];
  }
}

/** Pins exactly `versions` (empty: none), saying who pins them. */
export function writePinnedVersions(registryDir: string, versions: readonly string[], by: string): void {
  if (versions.length === 0) rmSync(join(registryDir, PINS_FILE), { force: true });
  else writeFileAtomic(join(registryDir, PINS_FILE), `${JSON.stringify({ versions, by, at: new Date().toISOString() })}\n`);
}
