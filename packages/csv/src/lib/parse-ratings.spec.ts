import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatOfFile, parseRatingFields, parseRatingsFile, ratingColumnsFromHeader } from './parse-ratings.js';

const fixtures = join(__dirname, '..', '__fixtures__');

describe('parseRatingFields', () => {
  it('when a row is well formed, then it returns the four numbers', () => {
    expect(parseRatingFields(['1', '31', '2.5', '1260759144'])).toEqual([1, 31, 2.5, 1260759144]);
  });

  it('when a row has a non-numeric id, a NaN rating or the wrong column count, then it is malformed', () => {
    expect(parseRatingFields(['x', '31', '2.5', '1'])).toBeNull();
    expect(parseRatingFields(['1', '31', 'NaN', '1'])).toBeNull();
    expect(parseRatingFields(['1', '31', '', '1'])).toBeNull();
    expect(parseRatingFields(['1', '31', '2.5'])).toBeNull();
    expect(parseRatingFields(['1', '31', '2.5', '1', 'extra'])).toBeNull();
  });

  it('when a rating is numeric but out of range, then parsing keeps it for cleaning to count', () => {
    expect(parseRatingFields(['1', '31', '7', '1'])).toEqual([1, 31, 7, 1]);
  });
});

describe('ratingColumnsFromHeader / formatOfFile', () => {
  it('when the header has the columns in another order, then positions follow the header', () => {
    expect(ratingColumnsFromHeader(['\uFEFFtimestamp', 'rating', 'movieId', 'userId'], 'r.csv')).toEqual({
      timestamp: 0,
      rating: 1,
      movie: 2,
      user: 3,
      count: 4,
    });
  });

  it('when a header lacks a column, then the error names it', () => {
    expect(() => ratingColumnsFromHeader(['userId', 'movieId', 'stars'], 'r.csv')).toThrow(/lacks rating, timestamp/);
  });

  it('when given MovieLens file names, then it recognises each format', () => {
    expect(formatOfFile('/x/ratings.csv')).toBe('csv');
    expect(formatOfFile('ratings.dat')).toBe('dat');
    expect(formatOfFile('u.data')).toBe('100k');
    expect(() => formatOfFile('u.genre')).toThrow(/Unrecognised/);
  });
});

describe('parseRatingsFile', () => {
  it('when ratings.csv has CRLF endings and bad rows, then valid rows are kept and bad ones counted', async () => {
    const parsed = await parseRatingsFile(join(fixtures, 'csv', 'ratings.csv'));
    expect(parsed.format).toBe('csv');
    expect(parsed.read).toBe(12);
    expect(parsed.malformed).toBe(3);
    expect(parsed.malformedExamples[0]).toContain('abc,1,4.0');
    expect(parsed.ratings.length).toBe(9);
    expect(parsed.ratings.toRows()[0]).toEqual({ userId: 1, movieId: 11, rating: 4, timestamp: 964982703 });
    // No stray "\r" survives in the last column.
    expect(parsed.ratings.toRows().every((r) => Number.isInteger(r.timestamp))).toBe(true);
  });

  it('when ratings.dat uses "::", then each field is split on it', async () => {
    const parsed = await parseRatingsFile(join(fixtures, 'dat', 'ratings.dat'));
    expect(parsed.read).toBe(5);
    expect(parsed.malformed).toBe(1);
    expect(parsed.ratings.toRows().slice(0, 2)).toEqual([
      { userId: 1, movieId: 1193, rating: 5, timestamp: 978300760 },
      { userId: 1, movieId: 661, rating: 3, timestamp: 978302109 },
    ]);
  });

  it('when u.data is tab separated without a header, then every line is a rating', async () => {
    const parsed = await parseRatingsFile(join(fixtures, '100k', 'u.data'));
    expect(parsed.format).toBe('100k');
    expect(parsed.read).toBe(6);
    expect(parsed.malformed).toBe(1);
    expect(parsed.ratings.toRows()[0]).toEqual({ userId: 196, movieId: 242, rating: 3, timestamp: 881250949 });
  });

  it('when no row is valid, then it throws naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-'));
    writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\nx,y,z,w\n');
    await expect(parseRatingsFile(join(dir, 'ratings.csv'))).rejects.toThrow(/no valid ratings among 1 rows \(1 malformed/);
  });

  it('when the file does not exist, then it rejects with the path', async () => {
    await expect(parseRatingsFile(join(fixtures, 'nope', 'ratings.csv'))).rejects.toThrow(/nope/);
  });
});
