import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, PROCESSED_FIXTURE, quietLog } from '../__fixtures__/fixtures.js';
import { openDatabase } from './create-db.js';
import { loadDatabase } from './load-database.js';
import { readRatingsColumns, readRatingsColumnsSql, type RatingsColumns } from './queries.js';
import { RATING_BLOBS_META_KEY } from './rating-blobs.js';
import { RATINGS_PER_STATEMENT } from './table-loaders.js';

const plain = (c: RatingsColumns) => ({
  userIds: Array.from(c.userIds),
  movieIds: Array.from(c.movieIds),
  ratings: Array.from(c.ratings),
  timestamps: Array.from(c.timestamps),
});

describe('user_rating_blobs and readRatingsColumns', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A processed folder with the fixture movies and the given ratings.csv body. */
  function processedWith(ratingsCsv: string): string {
    const processed = join(dir, 'processed');
    mkdirSync(processed, { recursive: true });
    for (const f of ['movies.csv', 'report.json']) copyFileSync(join(PROCESSED_FIXTURE, f), join(processed, f));
    writeFileSync(join(processed, 'ratings.csv'), `userId,movieId,rating,timestamp\n${ratingsCsv}`);
    return processed;
  }

  async function readBoth(processedDir: string) {
    const dbPath = join(dir, 'x.db');
    const result = await loadDatabase({ processedDir, dbPath, dataset: 'fixture', log: quietLog().log });
    const conn = openDatabase(dbPath, { readonly: true });
    try {
      const meta = conn.sqlite.prepare('SELECT value FROM dataset_meta WHERE key = ?').pluck().get(RATING_BLOBS_META_KEY);
      const blobRows = conn.sqlite.prepare('SELECT COUNT(*) FROM user_rating_blobs').pluck().get();
      return { result, meta, blobRows, blob: plain(readRatingsColumns(conn)), sql: plain(readRatingsColumnsSql(conn)) };
    } finally {
      conn.close();
    }
  }

  it('when the fixtures are loaded, then the blob reader returns exactly what the SQL reader returns', async () => {
    const { meta, blobRows, blob, sql, result } = await readBoth(PROCESSED_FIXTURE);
    expect(meta).toBe('10');
    expect(blobRows).toBe(4); // one row per user
    expect(result.counts.users).toBe(4);
    expect(blob).toEqual(sql);
    expect(blob.userIds).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 3, 10]);
  });

  it('when ratings are not half stars and timestamps do not fit 32 bits, then the wide encodings round-trip exactly', async () => {
    // User 1: Float32 ratings (3.25) and Float64 timestamps (beyond 2106 and negative); user 2: compact.
    const { blob, sql } = await readBoth(processedWith('1,1,3.25,5000000000\n1,2,0.5,-86400\n2,6,4.5,964982703\n2,10,1.0,0\n'));
    expect(blob).toEqual(sql);
    expect(blob.ratings).toEqual([3.25, 0.5, 4.5, 1]);
    expect(blob.timestamps).toEqual([5000000000, -86400, 964982703, 0]);
  });

  it('when ratings.csv is not sorted by user and movie, then the blobs are rebuilt from the table in order', async () => {
    const { blob, sql, meta, result } = await readBoth(processedWith('3,2,2.0,30\n1,6,4.0,10\n1,1,5.0,11\n3,1,1.5,31\n2,12,3.0,20\n'));
    expect(meta).toBe('5');
    expect(result.counts).toMatchObject({ ratings: 5, users: 3 });
    expect(blob).toEqual(sql);
    expect(blob.userIds).toEqual([1, 1, 2, 3, 3]);
    expect(blob.movieIds).toEqual([1, 6, 12, 1, 2]);
  });

  it('when many rows go through the multi-row INSERT, then every row arrives and a duplicate is named by its row', async () => {
    const n = RATINGS_PER_STATEMENT * 3 + 7;
    const lines = Array.from({ length: n }, (_, i) => `${1 + Math.floor(i / 100)},${1 + (i % 100)},${1 + (i % 9) * 0.5},${1_000_000 + i}`);
    const { blob, sql } = await readBoth(processedWith(`${lines.join('\n')}\n`));
    expect(blob.userIds).toHaveLength(n);
    expect(blob).toEqual(sql);

    const dupAt = RATINGS_PER_STATEMENT + 40; // inside the second multi-row statement
    const withDup = [...lines.slice(0, dupAt - 1), lines[dupAt - 2], ...lines.slice(dupAt - 1)];
    rmSync(join(dir, 'processed'), { recursive: true });
    const load = loadDatabase({
      processedDir: processedWith(`${withDup.join('\n')}\n`),
      dbPath: join(dir, 'dup.db'),
      dataset: 'fixture',
      log: quietLog().log,
    });
    await expect(load).rejects.toThrow(`ratings.csv row ${dupAt}: UNIQUE constraint failed: ratings.user_id, ratings.movie_id`);
  });

  it('when a database has no blobs recorded, then readRatingsColumns falls back to the ratings table', async () => {
    const dbPath = join(dir, 'x.db');
    await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log });
    const rw = openDatabase(dbPath);
    rw.sqlite.prepare('DELETE FROM dataset_meta WHERE key = ?').run(RATING_BLOBS_META_KEY);
    rw.sqlite.exec('DELETE FROM user_rating_blobs');
    rw.close();
    const conn = openDatabase(dbPath, { readonly: true });
    try {
      expect(plain(readRatingsColumns(conn)).movieIds).toEqual([1, 6, 12, 2, 10, 1, 6, 11, 21, 20]);
    } finally {
      conn.close();
    }
  });
});
