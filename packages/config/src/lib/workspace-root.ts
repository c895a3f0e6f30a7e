import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The folder holding nx.json. `root` (the REELRANK_ROOT setting) wins; otherwise we walk up from
 * `start` (the current directory), so stages work whether Nx, npm or a test started them.
 */
export function findWorkspaceRoot(start = process.cwd(), root?: string | null): string {
  if (root) return resolve(root);
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}
