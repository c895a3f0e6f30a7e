import { architectureDoc, GRAPH_END, GRAPH_START, importedPackages, withGraph } from '../tools/architecture-graph';

/** ARCHITECTURE.md's package graph is what Nx computes from the tree as it is now. */
describe('ARCHITECTURE.md package graph', () => {
  it('when Nx computes the project graph, then ARCHITECTURE.md shows exactly that graph (else run `npm run architecture`)', () => {
    const { expected, actual } = architectureDoc();
    expect(actual).toContain(GRAPH_START);
    expect(actual).toBe(expected);
  }, 60_000);

  it('when the generated block differs from the document, then the document is reported stale', () => {
    const doc = `intro\n${GRAPH_START}\n\`\`\`\nL0  packages/old\n\`\`\`\n${GRAPH_END}\nrest\n`;
    const regenerated = withGraph(doc, '```\nL0  packages/new\n```');
    expect(regenerated).not.toBe(doc);
    expect(regenerated).toBe(`intro\n${GRAPH_START}\n\n\`\`\`\nL0  packages/new\n\`\`\`\n\n${GRAPH_END}\nrest\n`);
    expect(() => withGraph('no markers', '')).toThrow(/no .* block/);
  });

  it('when a source imports workspace packages in any form, then each package is found once, subpaths included', () => {
    const text = [
      "import { a } from '@reelrank/model';",
      "import type { B } from '@reelrank/serving';",
      "import { c } from '@reelrank/ingest/testing';",
      "const d = require('@reelrank/config');",
      "const e = await import('@reelrank/trainer');",
      "import '@reelrank/random';",
      "const text = 'not an import of @reelrank/report';",
    ].join('\n');
    expect([...importedPackages(text)].sort()).toEqual([
      '@reelrank/config',
      '@reelrank/ingest',
      '@reelrank/model',
      '@reelrank/random',
      '@reelrank/serving',
      '@reelrank/trainer',
    ]);
  });
});
