import type { KeyStore } from '../lib/api-keys.js';
import type { KeyVerifierOptions } from '../lib/key-cache.js';

/** One empty place to keep keys (a temp file, a fresh database): stores opened on it share it, as replicas do. */
export interface KeyStoreBacking {
  open(options: KeyVerifierOptions): KeyStore;
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * The KeyStore semantics (api-keys.ts) as one jest suite, run against every implementation: SQLite in
 * `npm test`, PostgreSQL in `npm run test:postgres`. Two stores on one backing stand for two replicas.
 */
export function keyStoreContract(name: string, fresh: () => Promise<KeyStoreBacking>): void {
  describe(`KeyStore contract: ${name}`, () => {
    let backing: KeyStoreBacking;
    const opened: KeyStore[] = [];
    const store = (options: KeyVerifierOptions = {}) => {
      const s = backing.open(options);
      opened.push(s);
      return s;
    };
    beforeEach(async () => {
      backing = await fresh();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await backing.dispose();
    });

    it('creates a key of 256 random bits, stores only its hash, and verifies it to its role', async () => {
      const s = store();
      const { key, apiKey } = await s.create('web-backend', 'service');
      expect(key).toMatch(/^rr_[A-Za-z0-9_-]{43}$/);
      expect(apiKey).toMatchObject({ name: 'web-backend', role: 'service', lastUsedAt: null, revokedAt: null });
      expect(JSON.stringify(await s.list())).not.toContain(key.slice(3));
      expect(await s.verify(key)).toMatchObject({ id: apiKey.id, role: 'service' });
      expect(await s.verify(key + 'x')).toBeUndefined();
      expect(await s.verify('rr_' + 'A'.repeat(43))).toBeUndefined();
      const second = await s.create('reporting', 'reader');
      expect(second.key).not.toBe(key);
      expect((await s.list()).map((k) => [k.name, k.role])).toEqual([
        ['web-backend', 'service'],
        ['reporting', 'reader'],
      ]);
    });

    it('refuses a role it does not know and a name that cannot be listed', async () => {
      await expect(store().create('x', 'root' as 'admin')).rejects.toThrow(/role is one of reader, service, admin/);
      await expect(store().create('two words', 'reader')).rejects.toThrow(/name is 1 to 64/);
      expect(await store().list()).toEqual([]);
    });

    it('when one replica revokes a key, then another replica refuses it within its cache time', async () => {
      const a = store({ cacheMs: 200 });
      const b = store({ cacheMs: 200 });
      const { key, apiKey } = await a.create('ops', 'admin');
      expect(await b.verify(key)).toMatchObject({ role: 'admin' });
      expect(await a.revoke(apiKey.id)).toBe(true);
      expect(await a.revoke(apiKey.id)).toBe(true);
      expect(await a.revoke(999_999)).toBe(false);
      await sleep(250);
      expect(await b.verify(key)).toBeUndefined();
      const [listed] = await b.list();
      expect(listed.revokedAt).toEqual(expect.any(Number));
    });

    it('when a key is created on one replica, then another accepts it at once', async () => {
      const a = store({ cacheMs: 200 });
      const b = store({ cacheMs: 200 });
      const { key } = await a.create('late', 'reader');
      expect(await b.verify(key)).toMatchObject({ role: 'reader' });
    });

    it('writes last_used_at once per touch interval, not per request', async () => {
      let clock = 1_700_000_000_000;
      const s = store({ now: () => clock, touchMs: 60_000, cacheMs: 0 });
      const { key } = await s.create('web', 'service');
      for (let i = 0; i < 5; i++) await s.verify(key);
      await sleep(50);
      const first = (await s.list())[0].lastUsedAt;
      expect(first).toBe(1_700_000_000);
      clock += 30_000;
      await s.verify(key);
      await sleep(50);
      expect((await s.list())[0].lastUsedAt).toBe(first);
      clock += 31_000;
      await s.verify(key);
      await sleep(50);
      expect((await s.list())[0].lastUsedAt).toBe(1_700_000_061);
    });
  });
}
