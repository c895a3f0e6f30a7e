import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalsStoreContract } from '../testing/signals-store-contract';
import { openSqliteRatingsStore } from './sqlite-ratings-store';
import { openSqliteSignalsStore, readSqliteSignalsSnapshot } from './sqlite-signals-store';

signalsStoreContract('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-signals-'));
  const path = join(dir, 'x.ratings.db');
  return { open: (options) => openSqliteSignalsStore(path, options), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
});

signalsStoreContract('SQLite :memory:', async () => {
  let store: ReturnType<typeof openSqliteSignalsStore> | undefined;
  // One in-memory database per backing: reopening it is the same store (closing it ends the database).
  return {
    open: (options) => {
      store ??= openSqliteSignalsStore(':memory:', options);
      const s = store;
      return { ...s, close: async () => undefined };
    },
    dispose: async () => store?.close(),
  };
});

describe('SQLite signals next to the ratings', () => {
  it('share the ratings file: the ratings keep their own sequence, and the snapshot reads only the signals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-signals-'));
    const path = join(dir, 'x.ratings.db');
    const ratings = openSqliteRatingsStore(path);
    const signals = openSqliteSignalsStore(path);
    try {
      const collect = async () => {
        const out = [];
        for await (const s of readSqliteSignalsSnapshot(path)) out.push(s);
        return out;
      };
      expect(await collect()).toEqual([]);
      await ratings.put([{ userId: 1, movieId: 1, rating: 4 }]);
      await signals.put({ userId: 1, movieId: 2, kind: 'seen' });
      expect(await ratings.version()).toEqual({ count: 1, newestId: 1 });
      expect((await collect()).map((s) => s.movieId)).toEqual([2]);
    } finally {
      await signals.close();
      await ratings.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
