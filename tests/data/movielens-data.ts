import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where `npm run test:data` takes the real ml-latest-small from: MOVIELENS_SOURCE (its folder or
 * its zip), else REELRANK_SHARED_DIR (a folder holding movielens/ml-latest-small). Nothing else:
 * no ../shared guess, no download. When neither resolves to data the suite fails, never skips.
 */
export interface MovieLensData {
  /** A MOVIELENS_SOURCE value for the ingest stage (folder or zip). */
  source: string;
  from: 'MOVIELENS_SOURCE' | 'REELRANK_SHARED_DIR';
}

function isData(path: string): boolean {
  if (!existsSync(path)) return false;
  if (statSync(path).isDirectory()) return existsSync(join(path, 'ratings.csv')) && existsSync(join(path, 'movies.csv'));
  return path.toLowerCase().endsWith('.zip');
}

export function resolveMovieLensData(env: NodeJS.ProcessEnv = process.env): MovieLensData | null {
  const source = env.MOVIELENS_SOURCE?.trim();
  if (source && isData(resolve(source))) return { source: resolve(source), from: 'MOVIELENS_SOURCE' };
  const shared = env.REELRANK_SHARED_DIR?.trim();
  if (shared) {
    const folder = join(resolve(shared), 'movielens', 'ml-latest-small');
    if (isData(folder)) return { source: folder, from: 'REELRANK_SHARED_DIR' };
  }
  return null;
}

/** The one-line failure when no data resolves. */
export function missingDataMessage(env: NodeJS.ProcessEnv = process.env): string {
  const shown = (name: string) => (env[name]?.trim() ? `${name}=${env[name]!.trim()}` : `${name} unset`);
  return (
    'test:data needs the real ml-latest-small: set MOVIELENS_SOURCE to its folder or zip, or REELRANK_SHARED_DIR to a folder ' +
    `holding movielens/ml-latest-small (now: ${shown('MOVIELENS_SOURCE')}, ${shown('REELRANK_SHARED_DIR')}: neither resolves to the data)`
  );
}

/** The data, or a thrown one-line error naming both variables. */
export function requireMovieLensData(env: NodeJS.ProcessEnv = process.env): MovieLensData {
  const data = resolveMovieLensData(env);
  if (!data) throw new Error(missingDataMessage(env));
  return data;
}
