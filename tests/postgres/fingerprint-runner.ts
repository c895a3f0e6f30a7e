import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs an Nx runtime input (tools/fingerprint-*.mjs) exactly as its target names it, in a workspace of
 * its own (the repository's config/), with DATABASE_URL set to the URL it is given: what Nx would hash.
 */
export const WORKSPACE_ROOT = join(__dirname, '../..');

type Input = string | { env?: string; runtime?: string };

/** The `runtime` command among a target's or named input's inputs. */
export function runtimeInput(inputs: Input[]): string {
  const found = inputs.find((i): i is { runtime: string } => typeof i === 'object' && !!i.runtime);
  if (!found) throw new Error('no runtime input');
  return found.runtime;
}

export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

export function fingerprintRunner(command: string, env: Record<string, string | undefined> = {}) {
  const { DATABASE_URL: _url, REELRANK_RATINGS_DB: _db, ...outer } = process.env;
  const workspace = mkdtempSync(join(tmpdir(), 'reelrank-pg-fingerprint-'));
  cpSync(join(WORKSPACE_ROOT, 'config'), join(workspace, 'config'), { recursive: true });
  const run = (databaseUrl: string) => {
    const [program, ...args] = command.split(' ');
    const result = spawnSync(program === 'node' ? process.execPath : program, args, {
      cwd: WORKSPACE_ROOT,
      env: { ...outer, ...env, REELRANK_ROOT: workspace, DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  };
  return {
    /** The runner's workspace (REELRANK_ROOT of every run): a spec may put processed data in it. */
    workspace,
    run,
    /**
     * The output for `url` under two passwords: it must succeed, be the same for both and show neither.
     * (The throwaway cluster trusts local connections: any password connects, so only the printed URL can tell them apart.)
     */
    fingerprint(url: string): string {
      const a = run(withPassword(url, 'first-secret'));
      const b = run(withPassword(url, 'other-secret'));
      expect(a.status).toBe(0);
      expect(b.stdout).toBe(a.stdout);
      expect(a.stdout + a.stderr).not.toMatch(/secret/);
      return a.stdout;
    },
    dispose: () => rmSync(workspace, { recursive: true, force: true }),
  };
}
