import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@reelrank/artifacts';
import { MALFORMED_FIXTURE, makeTempDir, PROCESSED_FIXTURE, quietLog } from '../__fixtures__/fixtures.js';
import { openDatabase } from './create-db.js';
import { loadDatabase, MissingProcessedDataError } from './load-database.js';
import { getDatasetMeta, getGenomeScores, getMovie } from './queries.js';

describe('loadDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when the fixtures are loaded, then every table has the right row count and the meta records them', async () => {
    const { lines, log } = quietLog();
    const dbPath = join(dir, 'fixture.db');
    const result = await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath, dataset: 'fixture', log, batchSize: 3 });

    expect(result.counts).toEqual({ movies: 8, movieGenres: 19, ratings: 10, users: 4, links: 4, tags: 3, genomeTags: 3, genomeScores: 6 });
    expect(result.dataHash).toBe('fixture-hash-0001');
    expect(result.seconds).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('ratings.csv') && l.includes('10 rows loaded'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\[database\] fixture: 10 ratings \(4 users\), 8 movies/);

    const conn = openDatabase(dbPath, { readonly: true });
    try {
      const meta = getDatasetMeta(conn);
      expect(meta).toMatchObject({ dataset: 'fixture', dataHash: 'fixture-hash-0001', counts: result.counts });
      expect(Number.isNaN(Date.parse(meta.loadedAt))).toBe(false);
      // The file is left in rollback-journal mode (no -wal/-shm files) and analysed.
      expect(conn.sqlite.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(conn.sqlite.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").pluck().get()).toBe(1);
      const tmdb = conn.sqlite.prepare('SELECT imdb_id, tmdb_id FROM links WHERE movie_id = 20').get();
      expect(tmdb).toEqual({ imdb_id: '0000001', tmdb_id: null });
      const tags = conn.sqlite.prepare('SELECT tag FROM tags ORDER BY rowid').pluck().all();
      expect(tags).toEqual(['dystopia, cyberpunk', 'pixar', 'says "to infinity"']);
    } finally {
      conn.close();
    }
    expect(readdirSync(dir)).toEqual(['fixture.db']);
  });

  it('when the data set has a tag genome, then its tags and scores are loaded and read back as columns by movie then tag', async () => {
    const dbPath = join(dir, 'fixture.db');
    await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log });
    const conn = openDatabase(dbPath, { readonly: true });
    try {
      expect(conn.sqlite.prepare('SELECT tag_id, tag FROM genome_tags ORDER BY tag_id').raw().all()).toEqual([
        [1, '007'],
        [2, 'action, packed'],
        [3, 'dystopia'],
      ]);
      const genome = getGenomeScores(conn);
      expect([...genome.movieIds]).toEqual([1, 1, 1, 6, 6, 6]);
      expect([...genome.tagIds]).toEqual([1, 2, 3, 1, 2, 3]);
      expect(genome.relevance[4]).toBeCloseTo(0.91725, 6);
    } finally {
      conn.close();
    }
  });

  it('when a genome relevance is not a number, then the load fails naming the file and row', async () => {
    const processed = join(dir, 'processed');
    mkdirSync(processed);
    for (const name of readdirSync(PROCESSED_FIXTURE)) copyFileSync(join(PROCESSED_FIXTURE, name), join(processed, name));
    writeFileSync(join(processed, 'genome-scores.csv'), 'movieId,tagId,relevance\n1,1,0.5\n1,2,high\n');
    await expect(loadDatabase({ processedDir: processed, dbPath: join(dir, 'bad.db'), dataset: 'fixture', log: quietLog().log })).rejects.toThrow(
      /genome-scores\.csv row 2: relevance must be a number/,
    );
    expect(existsSync(join(dir, 'bad.db'))).toBe(false);
  });

  it('when a title has commas, quotes and accents, then it round-trips unchanged', async () => {
    const dbPath = join(dir, 'fixture.db');
    await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log });
    const conn = openDatabase(dbPath, { readonly: true });
    try {
      expect(getMovie(conn, 10)).toEqual({
        movieId: 10,
        title: 'Spider-Man: "Homecoming", Part 1 (2017)',
        year: 2017,
        genres: ['Action', 'Sci-Fi'],
      });
      expect(getMovie(conn, 11)?.title).toBe("Amélie (Fabuleux destin d'Amélie Poulain) (2001)");
    } finally {
      conn.close();
    }
  });

  it('when a movie has no year and no genres, then year is null and genres is empty', async () => {
    const dbPath = join(dir, 'fixture.db');
    await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log });
    const conn = openDatabase(dbPath, { readonly: true });
    try {
      expect(getMovie(conn, 20)).toEqual({ movieId: 20, title: 'Untitled Project', year: null, genres: [] });
    } finally {
      conn.close();
    }
  });

  it('when links.csv and tags.csv are absent, then the load succeeds with empty tables', async () => {
    const processed = join(dir, 'processed');
    mkdirSync(processed);
    for (const f of ['movies.csv', 'ratings.csv', 'report.json']) copyFileSync(join(PROCESSED_FIXTURE, f), join(processed, f));
    const result = await loadDatabase({ processedDir: processed, dbPath: join(dir, 'x.db'), dataset: 'fixture', log: quietLog().log });
    expect(result.counts).toMatchObject({ movies: 8, ratings: 10, links: 0, tags: 0 });
  });

  it('when a row is malformed mid-way, then the load fails naming file and row and leaves no file at dbPath', async () => {
    const dbPath = join(dir, 'broken.db');
    const load = loadDatabase({ processedDir: MALFORMED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log, batchSize: 2 });
    await expect(load).rejects.toThrow('ratings.csv row 5: rating must be a rating between 0.5 and 5.0, found "not-a-rating"');
    // The fast typed-array parser counted it first; the row-by-row pass named it.
    await expect(load).rejects.toThrow('(1 malformed row in all; the processed file looks corrupt');
    expect(existsSync(dbPath)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('when a load fails, then the previously built database is untouched', async () => {
    const dbPath = join(dir, 'fixture.db');
    await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log });
    const before = sha256(readFileSync(dbPath));

    await expect(loadDatabase({ processedDir: MALFORMED_FIXTURE, dbPath, dataset: 'fixture', log: quietLog().log, batchSize: 2 })).rejects.toThrow(
      /ratings\.csv row 5/,
    );

    expect(sha256(readFileSync(dbPath))).toBe(before);
    expect(readdirSync(dir)).toEqual(['fixture.db']);
    const conn = openDatabase(dbPath, { readonly: true });
    try {
      expect(getDatasetMeta(conn).counts.ratings).toBe(10);
    } finally {
      conn.close();
    }
  });

  it('when report.json is missing, then it fails telling to run the ingest stage', async () => {
    const load = loadDatabase({ processedDir: join(dir, 'nothing'), dbPath: join(dir, 'x.db'), dataset: 'fixture', log: quietLog().log });
    await expect(load).rejects.toBeInstanceOf(MissingProcessedDataError);
    await expect(load).rejects.toThrow(/report\.json does not exist; run the ingest stage first/);
  });

  it('when a rating row repeats a (user, movie) pair, then the load fails and leaves no file', async () => {
    const processed = join(dir, 'processed');
    mkdirSync(processed);
    for (const f of ['movies.csv', 'report.json']) copyFileSync(join(PROCESSED_FIXTURE, f), join(processed, f));
    writeFileSync(join(processed, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,1\n1,1,3.0,2\n');
    const dbPath = join(dir, 'dup.db');
    await expect(loadDatabase({ processedDir: processed, dbPath, dataset: 'fixture', log: quietLog().log })).rejects.toThrow(
      'ratings.csv row 2: UNIQUE constraint failed: ratings.user_id, ratings.movie_id',
    );
    expect(existsSync(dbPath)).toBe(false);
  });

  it('when a killed earlier load left a temp file, then the next load removes it', async () => {
    const stale = join(dir, '.fixture.db.999999999.deadbeef.tmp');
    writeFileSync(stale, 'half a database');
    await loadDatabase({ processedDir: PROCESSED_FIXTURE, dbPath: join(dir, 'fixture.db'), dataset: 'fixture', log: quietLog().log });
    expect(readdirSync(dir)).toEqual(['fixture.db']);
  });
});
