import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { watchWalChanges } from './wal-changes';

describe('watchWalChanges', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'reelrank-wal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sees every commit of any connection, and nothing else: not reads, not a look without a commit between', () => {
    const path = join(dir, 'x.db');
    const reader = new Database(path);
    reader.pragma('journal_mode = WAL');
    reader.exec('CREATE TABLE t (x INTEGER)');
    const writer = new Database(path);
    const changes = watchWalChanges(path);
    expect(changes.changed()).toBe(true); // the first look has nothing to compare with
    expect(changes.changed()).toBe(false);
    for (let i = 0; i < 50; i++) {
      writer.prepare('INSERT INTO t VALUES (?)').run(i);
      expect(changes.changed()).toBe(true);
      reader.prepare('SELECT count(*) FROM t').get();
      expect(changes.changed()).toBe(false);
    }
    // A checkpoint that resets the WAL, then one more commit: still seen.
    writer.pragma('wal_checkpoint(TRUNCATE)');
    changes.changed();
    writer.prepare('INSERT INTO t VALUES (?)').run(-1);
    expect(changes.changed()).toBe(true);
    changes.close();
    writer.close();
    reader.close();
  });

  it('without a -shm file (not WAL mode), every look counts as a change', () => {
    const path = join(dir, 'plain.db');
    const db = new Database(path);
    db.exec('CREATE TABLE t (x INTEGER)');
    const changes = watchWalChanges(path);
    expect([changes.changed(), changes.changed()]).toEqual([true, true]);
    changes.close();
    db.close();
  });
});
