import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '@reelrank/config';
import { openKeyStore } from '@reelrank/feedback';
import { tempWorkspace } from '@reelrank/ingest/testing';
import { runCli } from './cli.js';

/** `reelrank keys create|list|revoke` on the workspace's SQLite ratings file (the store a server on it reads). */

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

const workspace = () => ({ REELRANK_ROOT: tempWorkspace(), REELRANK_DATASET: 'cli-keys' });

describe('reelrank keys', () => {
  it('when a key is created, then it is printed once, verifies to its role, and only its hash is in the ratings file', async () => {
    const env = workspace();
    const created = await cli(env, 'keys', 'create', '--role', 'service', '--name', 'web-backend');
    expect(created.code).toBe(0);
    const key = /\n {2}(rr_[A-Za-z0-9_-]{43})\n/.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout).toMatch(/API key 1 "web-backend" \(service\) stored in .*cli-keys\.ratings\.db/);
    expect(created.stdout).toMatch(/only time the key is shown/);

    const config = loadConfig({ env });
    const { keys } = openKeyStore(config);
    try {
      expect(await keys.verify(key!)).toMatchObject({ id: 1, name: 'web-backend', role: 'service' });
    } finally {
      await keys.close();
    }
    const raw = new Database(join(env.REELRANK_ROOT, 'data', 'cli-keys.ratings.db'), { readonly: true });
    const dump = JSON.stringify(raw.prepare('SELECT * FROM api_keys').all());
    raw.close();
    expect(dump).not.toContain(key!);

    const listed = await cli(env, 'keys', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(key!);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^1 API key\(s\) in /);
    expect(lines[1].split(/\s{2,}/)).toEqual(['id', 'name', 'role', 'created', 'last used', 'revoked']);
    // Used once (the verify above): created and last used, not revoked.
    const time = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
    expect(lines[3]).toMatch(new RegExp(`^\\s*1 {2}web-backend {2}service {2}${time} {2}${time}$`));
  });

  it('when a key is revoked, then list shows when and the store refuses it; an unknown id fails', async () => {
    const env = workspace();
    const created = await cli(env, 'keys', '--json', 'create', '--role', 'admin', '--name', 'ops');
    expect(created.code).toBe(0);
    const { key, id } = JSON.parse(created.stdout) as { key: string; id: number };
    const revoked = await cli(env, 'keys', 'revoke', String(id));
    expect(revoked).toMatchObject({ code: 0, stdout: expect.stringMatching(/API key 1 revoked/) });
    const listed = JSON.parse((await cli(env, 'keys', 'list', '--json')).stdout) as { keys: { revoked_at: string | null }[] };
    expect(listed.keys[0].revoked_at).toMatch(/^\d{4}-/);
    const { keys } = openKeyStore(loadConfig({ env }));
    try {
      expect(await keys.verify(key)).toBeUndefined();
    } finally {
      await keys.close();
    }
    expect(await cli(env, 'keys', 'revoke', '7')).toMatchObject({ code: 1, stderr: expect.stringMatching(/no API key 7/) });
  });

  it('refuses bad usage with exit code 2 and stores nothing', async () => {
    const env = workspace();
    for (const argv of [
      ['keys'],
      ['keys', 'make'],
      ['keys', 'create', '--role', 'root', '--name', 'x'],
      ['keys', 'create', '--role', 'reader'],
      ['keys', 'create', '--role', 'reader', '--name', 'two words'],
      ['keys', 'revoke'],
      ['keys', 'revoke', 'abc'],
      ['keys', 'list', '--role', 'admin'],
      ['keys', 'list', 'extra'],
    ]) {
      const run = await cli(env, ...argv);
      expect({ argv, code: run.code }).toEqual({ argv, code: 2 });
      expect(run.stderr).toMatch(/Usage: reelrank keys create/);
    }
    expect((await cli(env, 'keys', 'list')).stdout).toMatch(/^no API keys in /);
  });
});
