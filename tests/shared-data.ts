import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** ../shared beside the repository (as laid out on developer machines and in CI). */
export const SHARED_DIR = resolve(process.env.REELRANK_SHARED_DIR ?? join(__dirname, '..', '..', 'shared'));
export const ML_LATEST_SMALL = join(SHARED_DIR, 'movielens', 'ml-latest-small');

export function requireSharedData(): void {
  if (!existsSync(join(ML_LATEST_SMALL, 'ratings.csv'))) {
    throw new Error(`MovieLens copy not found at ${ML_LATEST_SMALL}; set REELRANK_SHARED_DIR to the folder holding movielens/`);
  }
}

/**
 * A MOVIELENS_SOURCE folder in the original's shape holding the ratings of the first `users`
 * users (the file is sorted by user) plus every movie, link and tag: small enough to train in seconds.
 */
export function sliceOfMlLatestSmall(users: number): string {
  requireSharedData();
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-slice-'));
  const lines = readFileSync(join(ML_LATEST_SMALL, 'ratings.csv'), 'utf8').split('\r\n');
  const kept = [lines[0]];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    if (Number(line.slice(0, line.indexOf(','))) > users) break;
    kept.push(line);
  }
  writeFileSync(join(dir, 'ratings.csv'), `${kept.join('\r\n')}\r\n`);
  for (const name of ['movies.csv', 'links.csv', 'tags.csv']) cpSync(join(ML_LATEST_SMALL, name), join(dir, name));
  return dir;
}

/** A throwaway workspace root with the committed config files, for stages run in-process. */
export function tempWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'reelrank-root-'));
  cpSync(join(__dirname, '..', 'config'), join(root, 'config'), { recursive: true });
  writeFileSync(join(root, 'nx.json'), '{}');
  mkdirSync(join(root, 'data'));
  return root;
}
