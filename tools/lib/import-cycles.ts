/**
 * The workspace's import graph, file by file, and the cycles in it. Imports are found by the
 * TypeScript compiler's own scan (ts.preProcessFile: `import`, `import type`, `export ... from`,
 * `import()` and `import('x').T` types alike) and resolved by its module resolution; a workspace
 * package (`@reelrank/<name>`, `@reelrank/<name>/testing`) resolves to that project's source entry
 * in the same tree, so cycles across packages are found too. Anything else (node_modules) is a leaf.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export type ImportGraph = Map<string, string[]>;

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/** Every TypeScript source under `dir` (declaration files and node_modules left out). */
export function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') files.push(...sourceFiles(path));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The project roots of the workspace (packages/* and apps/*), by name. */
function workspaceProjects(root: string): Map<string, string> {
  const projects = new Map<string, string>();
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) projects.set(entry.name, join(dir, entry.name));
  }
  return projects;
}

const OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowJs: false };

/** Where `specifier`, imported by `from`, leads inside the workspace at `root`; undefined for a module outside it. */
export function resolveImport(
  root: string,
  from: string,
  specifier: string,
  projects = workspaceProjects(root),
  cache?: ts.ModuleResolutionCache,
): string | undefined {
  const workspace = /^@reelrank\/([a-z0-9-]+)(?:\/(.+))?$/.exec(specifier);
  if (workspace) {
    const project = projects.get(workspace[1]);
    if (!project) return undefined;
    const entry = join(project, 'src', workspace[2] ?? '', 'index.ts');
    return existsSync(entry) ? entry : undefined;
  }
  if (!specifier.startsWith('.')) return undefined;
  const resolved = ts.resolveModuleName(specifier, from, OPTIONS, ts.sys, cache).resolvedModule?.resolvedFileName;
  if (!resolved || resolved.endsWith('.d.ts') || !SOURCE.test(resolved)) return undefined;
  return resolve(resolved);
}

/** The workspace files each source under `dirs` (relative to `root`) imports, type-only imports included. */
export function importGraph(root: string, dirs: readonly string[]): ImportGraph {
  const projects = workspaceProjects(root);
  const cache = ts.createModuleResolutionCache(root, (name) => name, OPTIONS);
  const graph: ImportGraph = new Map();
  const pending = dirs.flatMap((dir) => sourceFiles(join(root, dir)));
  while (pending.length > 0) {
    const file = resolve(pending.pop()!);
    if (graph.has(file)) continue;
    const scan = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of scan.importedFiles) {
      const target = resolveImport(root, file, fileName, projects, cache);
      if (target) targets.add(target);
    }
    graph.set(file, [...targets].sort());
    for (const target of targets) if (!graph.has(target)) pending.push(target);
  }
  return graph;
}

/**
 * One cycle per strongly connected group of files that import each other (Tarjan), as the path
 * from its first file (in sort order) back to itself: ['a.ts', 'b.ts', 'a.ts'].
 */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || (graph.get(file) ?? []).includes(file)) groups.push(group);
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return groups.map((group) => cycleThrough(graph, new Set(group))).sort((a, b) => a[0].localeCompare(b[0]));
}

/** The shortest path from the group's first file back to itself, staying inside the group. */
function cycleThrough(graph: ImportGraph, group: Set<string>): string[] {
  const start = [...group].sort()[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of graph.get(file) ?? []) {
      if (!group.has(target)) continue;
      if (target === start) {
        const path: string[] = [];
        for (let at = file; at !== start; at = cameFrom.get(at)!) path.unshift(at);
        return [start, ...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, file);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** A cycle as one line of paths relative to `root`: "a.ts -> b.ts -> a.ts". */
export const describeCycle = (root: string, cycle: readonly string[]): string => cycle.map((file) => relative(root, file)).join(' -> ');

/** The folders whose sources the workspace check walks: every package's and app's, the tools and the tests. */
export const WORKSPACE_SOURCE_DIRS = (root: string): string[] => [
  ...['packages', 'apps'].flatMap((group) =>
    existsSync(join(root, group)) ? readdirSync(join(root, group)).map((name) => join(group, name, 'src')) : [],
  ),
  'tools',
  'tests',
];

export const workspaceRoot = (): string => resolve(dirname(__filename), '..', '..');
