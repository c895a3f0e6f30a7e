import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresRatingsStore } from '@reelrank/feedback';
import { freshDatabase } from './postgres-test-db';

/**
 * Issue 15 item 1: the train stage's Nx hash covers the PostgreSQL target. The runtime input of
 * nx.json `trainStage` (tools/fingerprint-ratings.mjs), run exactly as nx.json names it, around real
 * writes to a real server: the URL without its password and the store's version.
 */
const root = join(__dirname, '../..');
const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
type Input = string | { env?: string; runtime?: string };
const command = (nxJson.namedInputs.trainStage as Input[]).find((i): i is { runtime: string } => typeof i === 'object' && !!i.runtime)!.runtime;

describe('the posted-ratings fingerprint with DATABASE_URL set', () => {
  const { REELRANK_RATINGS_DB: _db, DATABASE_URL: _url, ...outer } = process.env;
  const workspace = mkdtempSync(join(tmpdir(), 'reelrank-pg-fingerprint-'));
  cpSync(join(root, 'config'), join(workspace, 'config'), { recursive: true });
  const run = (databaseUrl: string) => {
    const [program, ...args] = command.split(' ');
    const env = { ...outer, REELRANK_ROOT: workspace, REELRANK_DATASET: 'fingerprint', DATABASE_URL: databaseUrl };
    const result = spawnSync(program === 'node' ? process.execPath : program, args, { cwd: root, env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
  };
  const withPassword = (url: string, password: string) => {
    const parsed = new URL(url);
    parsed.password = password;
    return parsed.toString();
  };
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db?.drop());

  it('when ratings arrive, then it changes; when none arrive or only the password differs, it stays the same; it never shows the password', async () => {
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
    expect(fingerprint()).toBe(`ratings: postgres ${location} none`); // no table yet: nothing to train on
    const store = openPostgresRatingsStore(db.url);
    try {
      expect(await store.version()).toEqual({ count: 0, newestId: 0 }); // migrated, empty
      expect(fingerprint()).toBe(`ratings: postgres ${location} none`);
      const stored = await store.put([
        { userId: 7, movieId: 1, rating: 4 },
        { userId: 7, movieId: 2, rating: 3 },
      ]);
      const afterPut = fingerprint();
      expect(afterPut).toBe(`ratings: postgres ${location} 2 ${stored[1].id}`);
      expect(fingerprint()).toBe(afterPut); // nothing arrived: same key, Nx keeps the cached training
      const [again] = await store.put([{ userId: 7, movieId: 1, rating: 4 }]); // the same value again is still a write (new id)
      expect(fingerprint()).toBe(`ratings: postgres ${location} 2 ${again.id}`);
      await store.forget(7, 1);
      expect(fingerprint()).toMatch(new RegExp(`^ratings: postgres \\S+ 1 \\d+$`));
    } finally {
      await store.close();
    }
  });

  it('when the server cannot be reached, then it fails with the reason and prints a value no cache entry can match', () => {
    const unreachable = new URL(withPassword(db.url, 'hidden-secret'));
    unreachable.port = '1'; // nothing listens there
    const first = run(unreachable.toString());
    const second = run(unreachable.toString());
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/cannot read the ratings store at postgres:\/\/\S+:\*\*\*@127\.0\.0\.1:1\//);
    expect(first.stdout + first.stderr).not.toMatch(/hidden-secret/);
    // Nx hashes the output whatever the exit code: two failures must not share a key.
    expect(second.stdout).not.toBe(first.stdout);
  });
});
