import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteWriter } from './byte-writer.js';
import { cleanRatings, movieIdTable } from './clean.js';
import { kthSmallest } from './sample.js';
import { SeededRandom } from '@reelrank/random';
import { parseRatingFields, parseRatingsFile, type ParsedRatings, RatingsBuffer } from '@reelrank/csv';

function parsedOf(rows: number[][]): ParsedRatings {
  const ratings = new RatingsBuffer(1);
  for (const [u, m, r, t] of rows) ratings.push(u, m, r, t);
  return { file: 'ratings.csv', format: 'csv', ratings, read: rows.length, malformed: 0, malformedExamples: [], reader: 'rows', canonical: false };
}

/** The cleaning rules written the obvious way, to compare the O(n) version against. */
function reference(rows: number[][], known: Set<number>): number[][] {
  const latest = new Map<string, { row: number[]; index: number }>();
  rows.forEach((row, index) => {
    if (!(row[2] >= 0.5 && row[2] <= 5) || !known.has(row[1])) return;
    const key = `${row[0]}:${row[1]}`;
    const seen = latest.get(key);
    if (!seen || row[3] >= seen.row[3]) latest.set(key, { row, index });
  });
  return [...latest.values()].map((v) => v.row).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

describe('cleanRatings fast paths', () => {
  const known = movieIdTable(Array.from({ length: 30 }, (_, i) => ({ movieId: i + 1 })));

  it('when every row is valid and already ordered, then the parsed buffer is returned as is', () => {
    const parsed = parsedOf([
      [1, 1, 4, 1],
      [1, 2, 3, 1],
      [2, 1, 5, 1],
    ]);
    const { ratings, counts } = cleanRatings(parsed, known);
    expect(ratings).toBe(parsed.ratings);
    expect(counts.kept).toBe(3);
  });

  it('when ordered rows include invalid ones, then only those are dropped', () => {
    const { ratings, counts } = cleanRatings(
      parsedOf([
        [1, 1, 4, 1],
        [1, 2, 9, 1],
        [1, 99, 3, 1],
        [2, 1, 5, 1],
      ]),
      known,
    );
    expect(ratings.toRows().map((r) => [r.userId, r.movieId])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(counts.dropped).toMatchObject({ outOfRange: 1, unknownMovie: 1 });
  });

  it('when rows are shuffled with repeats, then the result matches the plain rules', () => {
    const random = new SeededRandom(9);
    const rows: number[][] = [];
    for (let i = 0; i < 5000; i += 1) {
      rows.push([1 + random.below(40), 1 + random.below(35), random.below(12) / 2, random.below(50)]);
    }
    const { ratings, counts } = cleanRatings(parsedOf(rows), known);
    const expected = reference(rows, new Set(Array.from({ length: 30 }, (_, i) => i + 1)));
    expect(ratings.toRows().map((r) => [r.userId, r.movieId, r.rating, r.timestamp])).toEqual(expected);
    expect(counts.kept + counts.dropped.duplicate + counts.dropped.outOfRange + counts.dropped.unknownMovie).toBe(rows.length);
  });
});

describe('parsing fast paths', () => {
  it('when fields have spaces, leading zeros or other spellings, then the slow rules still apply', () => {
    expect(parseRatingFields([' 1', '031 ', ' 4.5 ', ' 964982703'])).toEqual([1, 31, 4.5, 964982703]);
    expect(parseRatingFields(['00000000001', '2', '4.', '-5'])).toEqual([1, 2, 4, -5]);
    expect(parseRatingFields(['0', '2', '4', '1'])).toBeNull();
    expect(parseRatingFields(['2147483648', '2', '4', '1'])).toBeNull();
    expect(parseRatingFields(['1', '2', '4', '2147483648'])).toBeNull();
    expect(parseRatingFields(['1', '2', '4', '1.5'])).toBeNull();
  });

  it('when a file has whitespace-only lines, then they are skipped like empty ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fast-'));
    writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,5\n   \n,,,\n\n2,3,3.5,6\n');
    const parsed = await parseRatingsFile(join(dir, 'ratings.csv'));
    expect(parsed.read).toBe(2);
    expect(parsed.malformed).toBe(0);
  });
});

describe('kthSmallest / ByteWriter', () => {
  it('when compared with a full sort, then the k-th smallest agrees', () => {
    const random = new SeededRandom(4);
    const values = Uint32Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? 7 : random.uint32()));
    const sorted = values.slice().sort();
    for (const k of [1, 2, 500, 6667, 6668, 19_999, 20_000]) expect(kthSmallest(values, k)).toBe(sorted[k - 1]);
  });

  it('when integers and text are appended across flushes, then the file holds them in order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bw-')), 'out.txt');
    const out = await ByteWriter.open(path, { size: 64 });
    const expected: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      const value = i * 7919 * 104729;
      out.int(i % 2 ? value : -value);
      out.text(',é\n');
      expected.push(`${i % 2 ? value : -value},é`);
      if (out.full) await out.flush();
    }
    out.uint(2 ** 40);
    await out.close();
    expect(readFileSync(path, 'utf8')).toBe(`${expected.join('\n')}\n${2 ** 40}`);
  });
});
