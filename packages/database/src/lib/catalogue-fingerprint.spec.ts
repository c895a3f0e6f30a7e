import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The database stage's Nx hash covers where the catalogue goes through a runtime input of its target
 * (tools/fingerprint-catalogue.mjs), run here exactly as the stage plugin (tools/nx/stage-targets.js) names it. What
 * needs no server: SQLite's constant, and an unreachable server (tests/postgres/catalogue-fingerprint.spec.ts
 * runs it against a real one).
 */
const root = join(__dirname, '../../../..');
type Input = string | { env?: string; runtime?: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { STAGES } = require(join(root, 'tools/nx/stage-targets.js')) as { STAGES: Record<string, { inputs: Input[] }> };
const command = STAGES['packages/database'].inputs.find((i): i is { runtime: string } => typeof i === 'object' && !!i.runtime)!.runtime;

describe('the catalogue fingerprint (the runtime input of the database stage)', () => {
  const { DATABASE_URL: _url, ...outer } = process.env;
  const workspace = mkdtempSync(join(tmpdir(), 'reelrank-catalogue-fingerprint-'));
  cpSync(join(root, 'config'), join(workspace, 'config'), { recursive: true });
  const run = (databaseUrl?: string) => {
    const [program, ...args] = command.split(' ');
    const env = { ...outer, REELRANK_ROOT: workspace, ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }) };
    const result = spawnSync(program === 'node' ? process.execPath : program, args, { cwd: root, env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  };

  it('when DATABASE_URL is unset or empty, then it prints the same constant (the SQLite file is an Nx output)', () => {
    expect(run()).toEqual({ status: 0, stdout: 'catalogue: sqlite', stderr: '' });
    expect(run('').stdout).toBe('catalogue: sqlite');
  });

  it('when the server cannot be reached, then it fails naming the masked URL and prints a value no cache entry can match', () => {
    const url = 'postgres://reel:hidden-secret@127.0.0.1:1/reelrank'; // nothing listens on port 1
    const first = run(url);
    const second = run(url);
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/^fingerprint-catalogue: cannot read the catalogue at postgres:\/\/reel:\*\*\*@127\.0\.0\.1:1\/reelrank: /);
    expect(first.stdout).toMatch(/^catalogue: postgres postgres:\/\/reel:\*\*\*@127\.0\.0\.1:1\/reelrank unreachable \d+ [0-9a-f]{16}$/);
    expect(first.stdout + first.stderr).not.toMatch(/hidden-secret/);
    expect(second.stdout).not.toBe(first.stdout);
  });
});
