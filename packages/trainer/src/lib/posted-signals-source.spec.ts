import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteSignalsStore, type StoredSignal } from '@reelrank/feedback';
import { postedSignalsSource } from './read-training-data';

describe('postedSignalsSource', () => {
  it('reads every signal of the configured SQLite ratings file by (user, movie, kind); no file: none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-signals-source-'));
    const ratingsDbPath = join(dir, 'x.ratings.db');
    try {
      expect(postedSignalsSource({ paths: { ratingsDbPath } })).toBeNull();
      const store = openSqliteSignalsStore(ratingsDbPath);
      await store.put({ userId: 2, movieId: 5, kind: 'seen' });
      await store.put({ userId: 1, movieId: 9, kind: 'not_interested' });
      await store.close();
      const read: StoredSignal[] = [];
      for await (const s of postedSignalsSource({ paths: { ratingsDbPath } })!) read.push(s);
      expect(read.map((s) => [s.userId, s.movieId, s.kind])).toEqual([
        [1, 9, 'not_interested'],
        [2, 5, 'seen'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
