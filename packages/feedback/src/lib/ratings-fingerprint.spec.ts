import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { openSqliteRatingsStore } from './sqlite-ratings-store.js';
import { openSqliteSignalsStore } from './sqlite-signals-store.js';

/**
 * The train stage's Nx hash covers the posted ratings through a runtime input (nx.json `trainStage`,
 * tools/fingerprint-ratings.mjs); this runs that command exactly as nx.json names it around real writes.
 * (packages/config's nx-inputs.spec checks that the input is wired to the right stages.)
 */
const root = join(__dirname, '../../../..');
const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8'));
type Input = string | { env?: string; runtime?: string };

describe('the posted-ratings fingerprint (the runtime input of the train stage)', () => {
  const { REELRANK_RATINGS_DB: _outer, DATABASE_URL: _url, ...outer } = process.env; // the SQLite path: no DATABASE_URL
  const workspace = mkdtempSync(join(tmpdir(), 'reelrank-fingerprint-'));
  cpSync(join(root, 'config'), join(workspace, 'config'), { recursive: true });
  const env = { ...outer, REELRANK_ROOT: workspace, REELRANK_DATASET: 'fingerprint' };
  const path = loadConfig({ env }).paths.ratingsDbPath;
  // The command exactly as nx.json names it, run from the workspace root as Nx runs it.
  const command = (nxJson.namedInputs.trainStage as Input[]).find((i): i is { runtime: string } => typeof i === 'object' && !!i.runtime)!.runtime;
  const fingerprint = () => {
    const [program, ...args] = command.split(' ');
    return execFileSync(program === 'node' ? process.execPath : program, args, { cwd: root, env, encoding: 'utf8' }).trim();
  };

  it('when ratings arrive, then it changes; when none arrive, it stays the same; an absent or emptied store is "none"', async () => {
    expect(fingerprint()).toBe('ratings: none');
    expect(existsSync(path)).toBe(false); // only read: the fingerprint never creates the store
    const store = openSqliteRatingsStore(path);
    try {
      expect(fingerprint()).toBe('ratings: none'); // an empty store trains like no store: the cache stays valid
      const [first] = await store.put([
        { userId: 7, movieId: 1, rating: 4 },
        { userId: 7, movieId: 2, rating: 3 },
      ]);
      const afterPut = fingerprint();
      expect(afterPut).toBe(`ratings: 2 ${first.id + 1}`);
      expect(fingerprint()).toBe(afterPut); // nothing arrived: same key, Nx keeps the cached training
      await store.put([{ userId: 7, movieId: 1, rating: 4 }]); // the same value again is still a write (new id)
      const afterReplace = fingerprint();
      expect(afterReplace).not.toBe(afterPut);
      expect(afterReplace).toBe(`ratings: 2 ${first.id + 2}`);
      await store.forgetUser(7);
      expect(fingerprint()).toBe('ratings: none');
    } finally {
      await store.close();
    }
  });

  it('when one writer is purged, then it changes, also when a user kept ratings of another writer or the purged one was the newest', async () => {
    const store = openSqliteRatingsStore(path);
    try {
      await store.put([{ userId: 7, movieId: 1, rating: 4 }], { subject: 'key:backend', address: '10.0.0.1' });
      await store.put(
        [
          { userId: 7, movieId: 2, rating: 5 },
          { userId: 8, movieId: 2, rating: 5 },
        ],
        { subject: 'visitor:mallory', address: '198.51.100.7' },
      );
      const before = fingerprint();
      expect(await store.purge({ source: 'visitor:mallory' })).toBe(2);
      const after = fingerprint();
      expect(after).not.toBe(before);
      const { count, newestId } = await store.version();
      expect(after).toBe(`ratings: ${count} ${newestId}`);
      expect(count).toBe(1);
      await store.purge({ address: '10.0.0.1' });
      expect(fingerprint()).toBe('ratings: none');
    } finally {
      await store.close();
    }
  });

  it('when a taste signal is posted or deleted, then it changes (the ranker trains on them); with none left it is the ratings alone again', async () => {
    const signals = openSqliteSignalsStore(path);
    try {
      const before = fingerprint();
      const stored = await signals.put({ userId: 7, movieId: 3, kind: 'seen' });
      const afterPut = fingerprint();
      expect(afterPut).toBe(`${before}\nsignals: 1 ${stored.id}`);
      await signals.put({ userId: 7, movieId: 4, kind: 'not_interested' });
      const afterSecond = fingerprint();
      expect(afterSecond).not.toBe(afterPut);
      await signals.forget(7, 4, 'not_interested');
      expect(fingerprint()).not.toBe(afterSecond);
      await signals.forget(7, 3, 'seen');
      expect(fingerprint()).toBe(before);
    } finally {
      await signals.close();
    }
  });
});
