import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { produceAtomically, replaceDirAtomically, writeFileAtomic } from './atomic-write.js';
import { hashFile, sha256 } from './checksum.js';
import { createProgress } from './progress.js';

describe('atomic writes', () => {
  it('when writing a file, then the target holds the data and no temp file remains', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    writeFileAtomic(join(dir, 'a', 'x.json'), '{"a":1}');
    writeFileAtomic(join(dir, 'a', 'x.json'), [Buffer.from('{"a":'), Buffer.from('2}')]);
    expect(readFileSync(join(dir, 'a', 'x.json'), 'utf8')).toBe('{"a":2}');
    expect(readdirSync(join(dir, 'a'))).toEqual(['x.json']);
  });

  it('when the producer throws, then the previous artifact is untouched and the temp is removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const target = join(dir, 'db.sqlite');
    writeFileSync(target, 'old');
    await expect(
      produceAtomically(target, (temp) => {
        writeFileSync(temp, 'half');
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['db.sqlite']);
  });

  it('when replacing a folder, then the new content replaces the old one whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const target = join(dir, 'processed');
    mkdirSync(target);
    writeFileSync(join(target, 'stale.csv'), 'x');
    await replaceDirAtomically(target, (temp) => writeFileSync(join(temp, 'ratings.csv'), 'y'));
    expect(readdirSync(target)).toEqual(['ratings.csv']);
    expect(readdirSync(dir)).toEqual(['processed']);
    await expect(replaceDirAtomically(target, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(join(target, 'ratings.csv'))).toBe(true);
  });
});

describe('checksums and progress', () => {
  it('when hashing a file, then it equals the in-memory sha256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hash-'));
    writeFileSync(join(dir, 'f'), 'hello');
    expect(await hashFile(join(dir, 'f'))).toBe(sha256('hello'));
    expect(sha256('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('when progress is updated faster than the interval, then lines are throttled', () => {
    const lines: string[] = [];
    let t = 0;
    const p = createProgress({ label: 'parse', total: 100, unit: 'rows', intervalMs: 1000, write: (l) => lines.push(l), now: () => t });
    for (t = 0; t < 3000; t += 100) p.update(t / 30);
    p.update(100);
    p.done('100 rows');
    expect(lines.length).toBe(5);
    expect(lines[3]).toContain('100 / 100 (100.0%');
    expect(lines[4]).toMatch(/^\[parse\] 100 rows in \d/);
  });
});
