import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationPage } from '../tools/config-docs';
import { ENV_OVERRIDES, SETTINGS } from '@reelrank/config';

describe('docs/configuration.md', () => {
  it('is exactly what the config schema generates (run `npx tsx tools/config-docs.ts` after changing a setting)', () => {
    // In its own process: Prettier's formatter loads its plugins by dynamic import, which jest's VM does not allow.
    const root = join(__dirname, '..');
    const check = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'tools/config-docs.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('names every env variable the config reads, each once, beside its key', () => {
    const page = configurationPage();
    for (const [env, [group, key]] of Object.entries(ENV_OVERRIDES)) {
      const rows = page.split('\n').filter((line) => line.startsWith('|') && line.includes(`\`${env}\``));
      expect(rows).toHaveLength(1);
      expect(rows[0].startsWith(`| \`${key}\` |`)).toBe(true);
      expect(SETTINGS.find((s) => s.env === env)?.group).toBe(group);
    }
  });

  it("shows the value in effect when nothing overrides it: the file's where the group has a file", () => {
    const training = JSON.parse(readFileSync(`${__dirname}/../config/training.json`, 'utf8'));
    const row = configurationPage()
      .split('\n')
      .find((line) => line.startsWith('| `evaluationMaxUsers` |'));
    expect(row).toContain(`\`${training.evaluationMaxUsers}\``);
  });
});
