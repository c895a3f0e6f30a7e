import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files that make a folder a MovieLens source (one of them must be present). */
export const RATINGS_FILES = ['ratings.csv', 'ratings.dat', 'u.data'];

/**
 * A folder holding the files, or its only sub-folder when the user pointed at the parent of an
 * unzipped set. Kept dependency-free: the Nx source fingerprint (tools/fingerprint-source.mjs)
 * uses it too, so the cache key covers exactly the folder ingest reads.
 */
export function resolveSourceFolder(folder: string): string {
  const names = readdirSync(folder);
  if (names.some((name) => RATINGS_FILES.includes(name))) return folder;
  const subfolders = names.filter((name) => statSync(join(folder, name)).isDirectory());
  if (subfolders.length === 1 && readdirSync(join(folder, subfolders[0])).some((name) => RATINGS_FILES.includes(name))) {
    return join(folder, subfolders[0]);
  }
  throw new Error(`${folder} holds no MovieLens ratings file (one of ${RATINGS_FILES.join(', ')})`);
}
