import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** The data set built when nothing names one and no source is given: downloaded from GroupLens. */
export const DEFAULT_DATASET = 'ml-latest-small';

const RATINGS_FILES = ['ratings.csv', 'ratings.dat', 'u.data'];

/** Makes a file-safe data set name out of a folder or zip name ("My Ratings (2024).zip" -> "My-Ratings-2024"). */
function toDatasetName(name: string): string {
  const cleaned = name
    .replace(/\.zip$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 64);
  return cleaned || 'local';
}

/**
 * The name a local source is stored under when no data set is named: the zip's name without
 * `.zip`, or the folder's name; for a folder that only wraps one sub-folder holding the files (the
 * layout an unzipped download has), the sub-folder's name. So `MOVIELENS_SOURCE=~/ml-1m.zip` builds
 * data/ml-1m.db and a folder `ratings-20m/` builds data/ratings-20m.db, never data/ml-latest-small.db.
 */
export function datasetNameFromSource(source: string): string {
  const trimmed = source.replace(/[\\/]+$/, '');
  if (existsSync(trimmed) && statSync(trimmed).isDirectory()) {
    const names = readdirSync(trimmed);
    if (!names.some((name) => RATINGS_FILES.includes(name))) {
      const subfolders = names.filter((name) => statSync(join(trimmed, name)).isDirectory());
      if (subfolders.length === 1) return toDatasetName(subfolders[0]);
    }
  }
  return toDatasetName(basename(trimmed));
}
