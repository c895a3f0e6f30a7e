import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '../tools/lib/processes';

/** Every project's own targets, so `nx affected -t test lint typecheck` runs only what a change touches. */
const nx = (args: string[]) =>
  execFileSync(join(WORKSPACE_ROOT, 'node_modules', '.bin', 'nx'), args, {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

const projectDirs = ['packages', 'apps'].flatMap((top) => readdirSync(join(WORKSPACE_ROOT, top)).map((name) => `${top}/${name}`));

describe('per-project Nx targets', () => {
  it('when the project graph is read, then every package and app has test, lint and typecheck targets', () => {
    const folder = mkdtempSync(join(tmpdir(), 'nx-graph-'));
    try {
      const file = join(folder, 'graph.json');
      nx(['graph', `--file=${file}`]);
      const graph = JSON.parse(readFileSync(file, 'utf8')) as {
        graph: { nodes: Record<string, { data: { root: string; targets: Record<string, unknown> } }> };
      };
      const byRoot = new Map(Object.values(graph.graph.nodes).map((node) => [node.data.root, Object.keys(node.data.targets)]));
      for (const dir of projectDirs) expect([dir, byRoot.get(dir)]).toEqual([dir, expect.arrayContaining(['test', 'lint', 'typecheck'])]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('when one package changes, then only it and the projects importing it are affected', () => {
    const affected = (file: string) =>
      nx(['show', 'projects', '--affected', `--files=${file}`])
        .trim()
        .split('\n')
        .sort();
    expect(affected('packages/report/src/lib/format.ts')).toEqual(['report']);
    const fromRandom = affected('packages/random/src/lib/random.ts');
    expect(fromRandom).toEqual(expect.arrayContaining(['random', 'trainer', 'serving', 'api']));
    expect(fromRandom).not.toContain('config');
  });
});
