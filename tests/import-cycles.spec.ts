import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeCycle, findCycles, importGraph, WORKSPACE_SOURCE_DIRS, workspaceRoot } from '../tools/lib/import-cycles';

/** A throwaway workspace: `files` maps a path under the root to its source. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'reelrank-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const cyclesIn = (root: string, dirs: string[]) => findCycles(importGraph(root, dirs)).map((cycle) => describeCycle(root, cycle));

describe('import cycles', () => {
  it('when every package, app, tool and test is walked, then no file imports itself through others (type-only imports count)', () => {
    const root = workspaceRoot();
    const graph = importGraph(root, WORKSPACE_SOURCE_DIRS(root));
    expect(graph.size).toBeGreaterThan(300);
    expect(findCycles(graph).map((cycle) => describeCycle(root, cycle))).toEqual([]);
  }, 60_000);

  it('when two files import each other only for types, then the cycle is named file by file', () => {
    const root = tree({
      'packages/a/src/index.ts': "export { one } from './lib/one.js';\n",
      'packages/a/src/lib/one.ts': "import type { Two } from './two.js';\nexport const one = (t: Two) => t;\n",
      'packages/a/src/lib/two.ts': "export type { One } from './one.js';\nexport interface Two { n: number }\n",
    });
    expect(cyclesIn(root, ['packages/a/src'])).toEqual(['packages/a/src/lib/one.ts -> packages/a/src/lib/two.ts -> packages/a/src/lib/one.ts']);
  });

  it('when a cycle runs through workspace packages and an import() type, then it is found with the shortest path', () => {
    const root = tree({
      'packages/a/src/index.ts': "import { b } from '@reelrank/b';\nexport const a = b;\n",
      'packages/b/src/index.ts': "export const b = 1;\nexport type C = import('./c.js').C;\n",
      'packages/b/src/c.ts': "import type { a } from '@reelrank/a';\nexport type C = typeof a;\n",
      'packages/b/src/d.ts': "import './c.js';\n",
    });
    expect(cyclesIn(root, ['packages/a/src', 'packages/b/src'])).toEqual([
      'packages/a/src/index.ts -> packages/b/src/index.ts -> packages/b/src/c.ts -> packages/a/src/index.ts',
    ]);
  });

  it('when imports only go one way (or leave the workspace), then there is no cycle', () => {
    const root = tree({
      'apps/x/src/main.ts':
        "import express from 'express';\nimport { y } from './y.js';\nimport { z } from './z';\nexport default [express, y, z];\n",
      'apps/x/src/y.ts': "import { z } from './z.js';\nexport const y = z;\n",
      'apps/x/src/z.ts': 'export const z = 1;\n',
    });
    expect(cyclesIn(root, ['apps/x/src'])).toEqual([]);
  });
});
