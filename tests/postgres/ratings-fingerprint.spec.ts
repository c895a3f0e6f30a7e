import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPostgresRatingsStore, openPostgresSignalsStore } from '@reelrank/feedback';
import { fingerprintRunner, runtimeInput, withPassword, WORKSPACE_ROOT } from './fingerprint-runner';
import { freshDatabase } from './postgres-test-db';

/**
 * The train stage's Nx hash covers the PostgreSQL target. The runtime input of
 * nx.json `trainStage` (tools/fingerprint-ratings.mjs), run exactly as nx.json names it, around real
 * writes to a real server: the URL without its password and the store's version.
 */
const command = runtimeInput(JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'nx.json'), 'utf8')).namedInputs.trainStage);

describe('the posted-ratings fingerprint with DATABASE_URL set', () => {
  const { run, fingerprint: of, dispose } = fingerprintRunner(command, { REELRANK_DATASET: 'fingerprint' });
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    dispose();
  });

  it('when ratings arrive, then it changes; when none arrive or only the password differs, it stays the same; it never shows the password', async () => {
    const fingerprint = () => of(db.url);
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
      const beforeFlood = fingerprint();
      await store.put([{ userId: 8, movieId: 1, rating: 5 }], { subject: 'visitor:mallory', address: '198.51.100.7' });
      const flooded = fingerprint();
      await store.purge({ source: 'visitor:mallory' });
      expect(fingerprint()).not.toBe(flooded);
      expect(fingerprint()).toBe(beforeFlood); // the very contents trained before the flood: that training is still right
    } finally {
      await store.close();
    }
  });

  it('when a taste signal is posted or deleted, then it changes; with none left it is the ratings alone again', async () => {
    const fingerprint = () => of(db.url);
    const before = fingerprint();
    const signals = openPostgresSignalsStore(db.url);
    try {
      const stored = await signals.put({ userId: 7, movieId: 3, kind: 'watchlist' });
      expect(fingerprint()).toBe(`${before}\nsignals: postgres 1 ${stored.id}`);
      await signals.forget(7, 3, 'watchlist');
      expect(fingerprint()).toBe(before);
    } finally {
      await signals.close();
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
