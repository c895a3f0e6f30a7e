import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamRows } from './stream-rows.js';

describe('streamRows', () => {
  it('when a row handler throws in the last chunk, then the promise rejects with that error (not resolved with it lost)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stream-rows-')), 'rows.csv');
    writeFileSync(file, 'a,b\n1,2\n3,4\n');
    const seen: string[][] = [];
    await expect(
      streamRows(file, {
        delimiter: ',',
        onRow: (fields) => {
          seen.push(fields);
          if (fields[0] === '3') throw new Error('bad row 3');
        },
      }),
    ).rejects.toThrow('bad row 3');
    expect(seen).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('when a progress callback throws, then the promise rejects with that error', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stream-rows-')), 'rows.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    await expect(
      streamRows(file, {
        delimiter: ',',
        onRow: () => undefined,
        onProgress: () => {
          throw new Error('stop');
        },
      }),
    ).rejects.toThrow('stop');
  });
});
