import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRatingFields, parseRatingsFile } from './parse-ratings.js';
import { RatingsBuffer } from './ratings-buffer.js';
import { readPlainRatings } from './ratings-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-bytes-'));
let files = 0;
function write(text: string, name = 'ratings.csv'): string {
  const sub = join(dir, String((files += 1)));
  mkdirSync(sub);
  const path = join(sub, name);
  writeFileSync(path, text);
  return path;
}

/** What the rule says each data line means (parseRatingFields), for lines split by hand. */
function expected(text: string, delimiter = ','): number[][] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  return lines
    .slice(delimiter === ',' ? 1 : 0)
    .filter((line) => line !== '')
    .map((line) => parseRatingFields(line.split(delimiter))!)
    .filter(Boolean);
}

function rowsOf(buffer: RatingsBuffer): number[][] {
  return buffer.toRows().map((r) => [r.userId, r.movieId, r.rating, r.timestamp]);
}

describe('readPlainRatings', () => {
  it('when a file is in the plain form (CRLF, blank lines, BOM, whole and half stars, no final newline), then every row is read as the rule says', async () => {
    const text = '\uFEFFuserId,movieId,rating,timestamp\r\n1,10,4.0,964982703\r\n\r\n1,31,2.5,0\n2,7,5,2147483647\n3,2147483647,0.5,12';
    const out = new RatingsBuffer(4);
    await expect(readPlainRatings(write(text), ',', true, out)).resolves.toEqual({ rows: 4, canonical: false });
    expect(rowsOf(out)).toEqual(expected(text));
  });

  it('when rows span many read chunks, then none is lost or split at a chunk edge', async () => {
    const lines = ['userId,movieId,rating,timestamp'];
    for (let i = 0; i < 300_000; i += 1)
      lines.push(`${1 + (i >> 7)},${1 + ((i * 7919) % 100_000)},${((1 + (i % 10)) / 2).toFixed(1)},${1_000_000_000 + i * 13}`);
    const text = `${lines.join('\n')}\n`;
    const out = new RatingsBuffer(1);
    const progress: number[] = [];
    await expect(readPlainRatings(write(text), ',', true, out, (_rows, fraction) => progress.push(fraction))).resolves.toEqual({
      rows: 300_000,
      canonical: true,
    });
    expect(rowsOf(out)).toEqual(expected(text));
    expect(progress.length).toBeGreaterThan(1);
  });

  it('when the delimiter is "::" or a tab and there is no header, then those files read alike', async () => {
    const dat = '1::1193::5::978300760\n1::661::3::978302109\n';
    const out = new RatingsBuffer(1);
    await expect(readPlainRatings(write(dat, 'ratings.dat'), '::', false, out)).resolves.toEqual({ rows: 2, canonical: false });
    expect(rowsOf(out)).toEqual(expected(dat, '::'));
    const tabs = '196\t242\t3\t881250949\n186\t302\t3\t891717742\n';
    const tabbed = new RatingsBuffer(1);
    await expect(readPlainRatings(write(tabs, 'u.data'), '\t', false, tabbed)).resolves.toEqual({ rows: 2, canonical: false });
    expect(rowsOf(tabbed)).toEqual(expected(tabs, '\t'));
  });

  it.each([
    ['CRLF endings', 'userId,movieId,rating,timestamp\r\n1,2,3.0,4\r\n'],
    ['a byte order mark', '\uFEFFuserId,movieId,rating,timestamp\n1,2,3.0,4\n'],
    ['a rating without its decimal', 'userId,movieId,rating,timestamp\n1,2,3,4\n'],
    ['a leading zero in an id', 'userId,movieId,rating,timestamp\n1,02,3.0,4\n'],
    ['a leading zero in a timestamp', 'userId,movieId,rating,timestamp\n1,2,3.0,04\n'],
    ['a blank line', 'userId,movieId,rating,timestamp\n1,2,3.0,4\n\n5,6,1.0,7\n'],
    ['no final newline', 'userId,movieId,rating,timestamp\n1,2,3.0,4'],
    ['a header in other letter case', 'userid,movieid,rating,timestamp\n1,2,3.0,4\n'],
  ])('when a plain file has %s, then it is read but not canonical', async (_what, text) => {
    const out = new RatingsBuffer(1);
    const read = await readPlainRatings(write(text), ',', true, out);
    expect(read).toEqual({ rows: out.length, canonical: false });
    expect(rowsOf(out)).toEqual(expected(text));
  });

  it('when a file is written in the canonical form, then it says so', async () => {
    const text = 'userId,movieId,rating,timestamp\n1,2,3.0,0\n1,10,4.5,964982703\n';
    await expect(readPlainRatings(write(text), ',', true, new RatingsBuffer(1))).resolves.toEqual({ rows: 2, canonical: true });
  });

  it.each([
    ['a quoted field', 'userId,movieId,rating,timestamp\n"1",2,3.0,4\n'],
    ['a space', 'userId,movieId,rating,timestamp\n1, 2,3.0,4\n'],
    ['another column order', 'movieId,userId,rating,timestamp\n1,2,3.0,4\n'],
    ['no header', '1,2,3.0,4\n'],
    ['two decimals', 'userId,movieId,rating,timestamp\n1,2,3.25,4\n'],
    ['an id of 0', 'userId,movieId,rating,timestamp\n0,2,3.0,4\n'],
    ['a negative timestamp', 'userId,movieId,rating,timestamp\n1,2,3.0,-4\n'],
    ['a timestamp beyond Int32', 'userId,movieId,rating,timestamp\n1,2,3.0,2147483648\n'],
    ['a fifth column', 'userId,movieId,rating,timestamp\n1,2,3.0,4,5\n'],
    ['a missing column', 'userId,movieId,rating,timestamp\n1,2,3.0\n'],
  ])('when a file holds %s, then it declines (null) for the general reader', async (_what, text) => {
    await expect(readPlainRatings(write(text), ',', true, new RatingsBuffer(1))).resolves.toBeNull();
  });
});

describe('parseRatingsFile over both readers', () => {
  it('when the file is plain, then the byte reader answers', async () => {
    const parsed = await parseRatingsFile(write('userId,movieId,rating,timestamp\n1,2,3.5,4\n'));
    expect(parsed.reader).toBe('bytes');
    expect(rowsOf(parsed.ratings)).toEqual([[1, 2, 3.5, 4]]);
  });

  it('when the file is not plain, then the general reader answers and counts the malformed rows as before', async () => {
    const parsed = await parseRatingsFile(write('userId,movieId,rating,timestamp\n1,2,3.5,4\n"5",6,1.0,7\n0,2,3.0,4\n8,9,2.0,-1\n'));
    expect(parsed.reader).toBe('rows');
    expect(parsed.read).toBe(4);
    expect(parsed.malformed).toBe(1);
    expect(rowsOf(parsed.ratings)).toEqual([
      [1, 2, 3.5, 4],
      [5, 6, 1, 7],
      [8, 9, 2, -1],
    ]);
  });
});
