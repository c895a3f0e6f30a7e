import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { keyStoreContract } from '../testing/key-store-contract';
import { openSqliteKeyStore } from './sqlite-key-store';
import { openSqliteRatingsStore } from './sqlite-ratings-store';

keyStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-keys-'));
  return {
    open: (options) => openSqliteKeyStore(join(dir, 'ratings.db'), options),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('the SQLite key store', () => {
  it('lives in the ratings file, next to the ratings, and keeps only the hash of a key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-keys-'));
    const path = join(dir, 'ml.ratings.db');
    try {
      const ratings = openSqliteRatingsStore(path);
      const keys = openSqliteKeyStore(path);
      const { key } = await keys.create('web-backend', 'service');
      await ratings.put([{ userId: 1, movieId: 2, rating: 4 }]);
      await keys.close();
      await ratings.close();
      const raw = new Database(path, { readonly: true });
      const rows = raw.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
      raw.close();
      expect(rows).toHaveLength(1);
      expect(Object.keys(rows[0]).sort()).toEqual(['created_at', 'id', 'key_hash', 'last_used_at', 'name', 'revoked_at', 'role']);
      expect(JSON.stringify(rows)).not.toContain(key);
      expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when another process holds the write lock, then verifying a key does not wait for it (the last-used time is skipped, then written later)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-keys-'));
    const path = join(dir, 'ml.ratings.db');
    let clock = 1_700_000_000_000;
    // A writer would wait a minute for the lock: the test's 10 s timeout fails if the touch waited.
    const keys = openSqliteKeyStore(path, { busyTimeoutMs: 60_000, now: () => clock, cacheMs: 0 });
    const other = new Database(path);
    try {
      const { key } = await keys.create('web', 'service');
      other.exec('BEGIN IMMEDIATE');
      expect(await keys.verify(key)).toMatchObject({ name: 'web' });
      await new Promise((done) => setTimeout(done, 50));
      other.exec('ROLLBACK');
      expect((await keys.list())[0].lastUsedAt).toBeNull();
      clock += 1_000;
      await keys.verify(key);
      await new Promise((done) => setTimeout(done, 50));
      expect((await keys.list())[0].lastUsedAt).toBe(1_700_000_001);
    } finally {
      other.close();
      await keys.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 10_000);
});
