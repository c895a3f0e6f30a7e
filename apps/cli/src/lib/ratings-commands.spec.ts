import { existsSync } from 'node:fs';
import { loadConfig } from '@reelrank/config';
import { openSqliteRatingsStore } from '@reelrank/feedback';
import { tempWorkspace } from '@reelrank/ingest/testing';
import { runCli } from './cli.js';
import { parseSince } from './ratings-commands.js';

/** `reelrank ratings purge` on a real SQLite store (the PostgreSQL store runs the same purge in its contract suite). */

async function cli(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env });
  return { code, stdout, stderr };
}

function workspace() {
  const { DATABASE_URL: _url, REELRANK_RATINGS_DB: _db, ...outer } = process.env;
  const env = { ...outer, REELRANK_ROOT: tempWorkspace(), REELRANK_DATASET: 'cli-purge' };
  return { env, path: loadConfig({ env }).paths.ratingsDbPath };
}

describe('reelrank ratings purge', () => {
  it('when a visitor, a key or an address is purged, then only its ratings go, the count is printed and the store version moves', async () => {
    const { env, path } = workspace();
    let clock = 1_800_000_000;
    const store = openSqliteRatingsStore(path, { now: () => clock });
    try {
      await store.put([{ userId: 1, movieId: 1, rating: 4 }], { subject: 'key:backend', address: '10.0.0.1' });
      await store.put(
        [
          { userId: 1, movieId: 2, rating: 5 },
          { userId: 2, movieId: 2, rating: 5 },
        ],
        { subject: 'visitor:mallory', address: '198.51.100.7' },
      );
      clock += 3600;
      await store.put([{ userId: 3, movieId: 2, rating: 5 }], { subject: 'visitor:eve', address: '198.51.100.7' });
      await store.put([{ userId: 4, movieId: 2, rating: 3 }], { subject: 'addr:203.0.113.1', address: '203.0.113.1' });
      const before = await store.version();

      const visitor = await cli(env, 'ratings', 'purge', '--visitor', 'mallory');
      expect(visitor).toMatchObject({ code: 0, stderr: '' });
      const after = await store.version();
      expect(visitor.stdout).toBe(
        `purged 2 posted rating(s) written by visitor:mallory from ${path} (store version ${before.count}/${before.newestId} -> ${after.count}/${after.newestId}: the next training runs without them)\n`,
      );
      expect(after.count).toBe(3);
      expect((await store.forUser(1)).map((r) => r.source)).toEqual(['key:backend']);

      const since = await cli(env, 'ratings', 'purge', '--since', new Date(clock * 1000).toISOString(), '--json');
      expect(since.code).toBe(0);
      expect(JSON.parse(since.stdout)).toMatchObject({ purged: 2, selector: { postedSince: clock }, store: path, version_after: { count: 1 } });

      const again = await cli(env, 'ratings', 'purge', '--address', '198.51.100.7');
      expect(again.stdout).toMatch(/^purged 0 posted rating\(s\) from address 198\.51\.100\.7 .*: nothing changed\)\n$/);
      expect((await cli(env, 'ratings', 'purge', '--key', 'backend')).stdout).toMatch(/^purged 1 posted rating\(s\) written by key:backend /);
      expect(await store.version()).toMatchObject({ count: 0 });
    } finally {
      await store.close();
    }
  });

  it('when the flags do not name exactly one selector, or the time is not a time, then it is a usage error (exit 2) and nothing goes', async () => {
    const { env, path } = workspace();
    const store = openSqliteRatingsStore(path);
    try {
      await store.put([{ userId: 1, movieId: 1, rating: 4 }], { subject: 'visitor:v', address: '10.0.0.9' });
      for (const argv of [
        ['ratings', 'purge'],
        ['ratings', 'purge', '--visitor', 'v', '--key', 'k'],
        ['ratings', 'purge', '--since', 'yesterday'],
        ['ratings', 'purge', '--visitor', ''],
        ['ratings', 'forget', '--visitor', 'v'],
        ['ratings'],
      ]) {
        const run = await cli(env, ...argv);
        expect({ argv, code: run.code }).toEqual({ argv, code: 2 });
        expect(run.stderr).toMatch(/^reelrank ratings: .*\nUsage: reelrank ratings purge /);
      }
      expect((await store.version()).count).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('when there is no store yet, then nothing is purged and no store is created', async () => {
    const { env, path } = workspace();
    const run = await cli(env, 'ratings', 'purge', '--since', '0');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^purged 0 posted rating\(s\) posted since 1970-01-01T00:00:00\.000Z /);
    expect(existsSync(path)).toBe(false);
  });
});

describe('parseSince', () => {
  it('takes Unix seconds and ISO 8601 times, a date alone as midnight UTC', () => {
    expect(parseSince('1800000000')).toBe(1_800_000_000);
    expect(parseSince('2026-12-04T18:00:00Z')).toBe(Date.UTC(2026, 11, 4, 18) / 1000);
    expect(parseSince('2026-12-04T18:00:00+01:00')).toBe(Date.UTC(2026, 11, 4, 17) / 1000);
    expect(parseSince('2026-12-04')).toBe(Date.UTC(2026, 11, 4) / 1000);
    expect(() => parseSince('2026-13-45')).toThrow(/not a valid time/);
    expect(() => parseSince('last week')).toThrow(/ISO 8601/);
  });
});
