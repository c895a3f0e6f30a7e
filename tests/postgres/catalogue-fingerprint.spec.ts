import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROCESSED_FIXTURE } from '../../packages/database/src/__fixtures__/fixtures';
import { loadPostgresDatabase } from '@reelrank/database';
import { freshDatabase } from './postgres-test-db';

/**
 * Issue 15 item 1: the database stage's Nx hash covers the PostgreSQL target. The runtime input of
 * the database target (tools/fingerprint-catalogue.mjs), run as its package.json names it, around a real
 * load: an empty server says "none" (the stage must run), a loaded one names its dataset and dataHash
 * (the cache may hit), the password never shows and never changes the output.
 */
const root = join(__dirname, '../..');
type Input = string | { env?: string; runtime?: string };
const command = (JSON.parse(readFileSync(join(root, 'packages/database/package.json'), 'utf8')).nx.targets.pipeline.inputs as Input[]).find(
  (i): i is { runtime: string } => typeof i === 'object' && !!i.runtime,
)!.runtime;

describe('the catalogue fingerprint with DATABASE_URL set', () => {
  const { DATABASE_URL: _url, ...outer } = process.env;
  const workspace = mkdtempSync(join(tmpdir(), 'reelrank-pg-catalogue-fingerprint-'));
  cpSync(join(root, 'config'), join(workspace, 'config'), { recursive: true });
  const withPassword = (url: string, password: string) => {
    const parsed = new URL(url);
    parsed.password = password;
    return parsed.toString();
  };
  const run = (databaseUrl: string) => {
    const [program, ...args] = command.split(' ');
    const env = { ...outer, REELRANK_ROOT: workspace, DATABASE_URL: databaseUrl };
    const result = spawnSync(program === 'node' ? process.execPath : program, args, { cwd: root, env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  };
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('when the server is empty, then "none"; once loaded, the dataset and dataHash; the same whatever the password', async () => {
    // The throwaway cluster trusts local connections: any password connects, so only the printed URL can tell them apart.
    const fingerprint = () => {
      const a = run(withPassword(db.url, 'first-secret'));
      const b = run(withPassword(db.url, 'other-secret'));
      expect(a.status).toBe(0);
      expect(b.stdout).toBe(a.stdout);
      expect(a.stdout + a.stderr).not.toMatch(/secret/);
      return a.stdout;
    };
    const location = new URL(withPassword(db.url, '***')).toString();
    expect(fingerprint()).toBe(`catalogue: postgres ${location} none`);
    const result = await loadPostgresDatabase({ processedDir: PROCESSED_FIXTURE, databaseUrl: db.url, dataset: 'fixture', log: () => undefined });
    const loaded = fingerprint();
    expect(loaded).toBe(`catalogue: postgres ${location} fixture ${result.dataHash}`);
    expect(fingerprint()).toBe(loaded); // nothing changed: same key, Nx may reuse the stage's entry
  });
});
