import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { anchorsOf, brokenLinks, slugOf } from '../tools/lib/doc-links';

const ROOT = resolve(__dirname, '..');
const markdownIn = (folder: string) =>
  readdirSync(join(ROOT, folder))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `${folder}/${name}`);
const projectReadmes = ['apps', 'packages'].flatMap((group) =>
  readdirSync(join(ROOT, group))
    .map((name) => `${group}/${name}/README.md`)
    .filter((path) => existsSync(join(ROOT, path))),
);
const DOCUMENTS = ['README.md', 'ARCHITECTURE.md', ...markdownIn('docs'), ...markdownIn('tools'), ...projectReadmes];

/** README.md, ARCHITECTURE.md, docs/*.md and the other Markdown files link only to files and headings that exist. */
describe('documentation links', () => {
  it.each(DOCUMENTS)('when %s is read, then every relative link and #anchor in it resolves', (document) => {
    const broken = brokenLinks(join(ROOT, document), ROOT).map((b) => `${b.file}:${b.line} ${b.target}: ${b.reason}`);
    expect(broken).toEqual([]);
  });

  it('when headings hold punctuation, code, links or repeat, then their anchors follow GitHub', () => {
    expect(slugOf('A/B experiments between versions')).toBe('ab-experiments-between-versions');
    expect(slugOf("The page's visitors")).toBe('the-pages-visitors');
    expect(slugOf('…and into the next `training`')).toBe('and-into-the-next-training');
    expect(slugOf('Ranking with [EASE](model.md) in the blend')).toBe('ranking-with-ease-in-the-blend');
    expect(slugOf('Limits: 20M / 32M, `maxRatings`')).toBe('limits-20m--32m-maxratings');
    expect([...anchorsOf('# Usage\n\n## Usage\n\n```\n# not a heading\n```\n\n## Usage\n')]).toEqual(['usage', 'usage-1', 'usage-2']);
  });

  it('when a link names a missing file, a missing heading or a heading of a code block, then each is reported with its line', () => {
    const folder = mkdtempSync(join(tmpdir(), 'docs-links-'));
    try {
      mkdirSync(join(folder, 'docs'));
      writeFileSync(join(folder, 'docs', 'page.md'), '# Page\n\n## Real heading\n\n```md\n## Fenced heading\n```\n');
      writeFileSync(
        join(folder, 'README.md'),
        [
          '# Front',
          '',
          'Good: [page](docs/page.md), [heading](docs/page.md#real-heading), [here](#front), [web](https://example.org/x#y).',
          'Missing file: [gone](docs/gone.md).',
          'Missing heading: [nowhere](docs/page.md#no-such-heading), [fenced](docs/page.md#fenced-heading).',
          '`[not a link](docs/code-span.md)`',
          '![chart](docs/missing.svg)',
        ].join('\n'),
      );
      expect(brokenLinks(join(folder, 'README.md'), folder)).toEqual([
        { file: 'README.md', line: 4, target: 'docs/gone.md', reason: 'docs/gone.md does not exist' },
        {
          file: 'README.md',
          line: 5,
          target: 'docs/page.md#no-such-heading',
          reason: 'docs/page.md has no heading with the anchor #no-such-heading',
        },
        { file: 'README.md', line: 5, target: 'docs/page.md#fenced-heading', reason: 'docs/page.md has no heading with the anchor #fenced-heading' },
        { file: 'README.md', line: 7, target: 'docs/missing.svg', reason: 'docs/missing.svg does not exist' },
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
