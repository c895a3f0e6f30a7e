import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { plantedApp } from '../__fixtures__/fixtures.js';

/**
 * The document the app serves at /openapi.json, linted by Redocly CLI (devDependency @redocly/cli)
 * with its `recommended` ruleset. The CLI runs as a child process (its package is ESM-only, which
 * jest's CommonJS runtime cannot import), from an empty folder (so no redocly.yaml applies), with
 * telemetry and the update check off: it needs no network.
 */

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

const cli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');

function lint(document: object): Promise<{ totals: { errors: number; warnings: number }; problems: Problem[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-redocly-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document, null, 2));
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [cli, 'lint', '--extends', 'recommended', '--lint-config', 'off', '--format', 'json', '--max-problems', '1000', file],
      {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        // Exit code 1 just means "problems found"; the JSON report on stdout says which.
        try {
          done(JSON.parse(stdout));
        } catch {
          fail(new Error(`redocly lint gave no JSON report (${error?.message ?? 'exit 0'}): ${stderr}`));
        }
      },
    );
  });
}

const summary = (problems: Problem[]) => problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);

describe("OpenAPI document under Redocly's recommended rules", () => {
  let document: { servers?: unknown; paths: Record<string, Record<string, { security?: unknown }>> };

  beforeAll(async () => {
    document = (await request(plantedApp()).get('/openapi.json').expect(200)).body;
  });

  it('when the served document is linted, then there is no error and no warning', async () => {
    const report = await lint(document);
    expect(summary(report.problems)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 30_000);

  it('when the document loses its servers and an operation its security, then the linter reports both as errors', async () => {
    const broken = structuredClone(document);
    delete broken.servers;
    delete broken.paths['/predict'].post.security;
    const report = await lint(broken);
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    expect(errors.sort()).toEqual(['no-empty-servers #/openapi', 'security-defined #/paths/~1predict/post']);
  }, 30_000);
});
