import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CATALOGUE_SCHEMA,
  loadDatabase,
  loadPostgresDatabase,
  migratePostgresCatalogue,
  openDatabase,
  readPostgresCatalogue,
  readRatingsColumns,
} from '@reelrank/database';
import { seededRandom } from '@reelrank/random';
import { openCatalogSource, openPostgresCatalog, openSqliteCatalog, type MovieCatalog } from '@reelrank/serving';
import pg from 'pg';
import { freshDatabase } from './postgres-test-db';

/**
 * The catalogue read from PostgreSQL answers every MovieCatalog method
 * exactly as the SQLite catalogue built from the same processed files does - title search above all
 * (prefix before substring, code-point order, accents and articles, genre filter, paging) - and the
 * trainer's ratings columns are equal byte for byte.
 */
const GENRES = ['Action', 'Comedy', 'Drama', 'Sci-Fi', 'Film-Noir', 'Children'];
const WORDS = ['matrix', 'star', 'war', 'amélie', 'the', 'love', 'night', 'city', 'über', 'ámbar', 'an', 'day', 'a', 'stars'];
const ODD_TITLES = [
  'Matrix, The (1999)',
  'The Matrix Reloaded (2003)',
  'Amélie (2001)',
  "Avventura, L' (1960)",
  '\u{1F3AC} Reel (2020)', // astral: a surrogate pair in UTF-16
  '\uFB01lm (2010)', // U+FB01 (ﬁ): normalised to "film"
  '\uE000 Private (2011)', // U+E000 sorts above a surrogate pair in UTF-16, below it in code points (SQLite's order)
  'Star Wars (1977)',
  'Star Wars (1977)', // same title, another movie id
  'Stars (1990)',
  'A Day (2000)',
  'Day, A (2001)',
];

function processedFolder(movieCount = 240, dataHash = 'pgread-hash-1'): string {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-pg-read-'));
  const random = seededRandom(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const movies: string[] = ['movieId,title,year,genres'];
  const ids: number[] = [];
  for (let m = 0; m < movieCount; m++) {
    const id = 1 + m * 3;
    ids.push(id);
    const year = 1950 + Math.floor(random() * 70);
    const title =
      m < ODD_TITLES.length ? ODD_TITLES[m] : `${pick(WORDS)} ${pick(WORDS)}${random() < 0.3 ? `, ${pick(['The', 'A', 'Les'])}` : ''} (${year})`;
    const genres = random() < 0.1 ? '' : [...new Set([pick(GENRES), pick(GENRES)])].join('|');
    movies.push(`${id},${quote(title)},${random() < 0.05 ? '' : year},${genres}`);
  }
  const ratings: string[] = ['userId,movieId,rating,timestamp'];
  for (let u = 0; u < 60; u++) {
    const user = 1 + u * 7;
    const rated = ids.filter(() => random() < 0.15);
    for (const movie of rated) {
      const rating = user === 8 && movie === rated[0] ? '3.7' : (1 + Math.floor(random() * 10)) / 2; // one rating that is not a half star
      const timestamp = user === 15 ? 5_000_000_000 + movie : 900_000_000 + Math.floor(random() * 300_000_000); // one user past 2^32
      ratings.push(`${user},${movie},${rating},${timestamp}`);
    }
  }
  writeFileSync(join(dir, 'movies.csv'), `${movies.join('\n')}\n`);
  writeFileSync(join(dir, 'ratings.csv'), `${ratings.join('\n')}\n`);
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ dataset: 'pgread', dataHash }));
  return dir;
}

describe('the catalogue read from PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let dbPath: string;
  let sqlite: MovieCatalog;
  let postgres: MovieCatalog;

  beforeAll(async () => {
    db = await freshDatabase();
    const processedDir = processedFolder();
    dbPath = join(processedDir, 'pgread.db');
    await loadDatabase({ processedDir, dbPath, dataset: 'pgread', log: () => undefined });
    await loadPostgresDatabase({ processedDir, databaseUrl: db.url, dataset: 'pgread', log: () => undefined });
    sqlite = openSqliteCatalog(dbPath);
    postgres = await openPostgresCatalog(db.url);
  });
  afterAll(async () => {
    sqlite?.close();
    await db?.drop();
  });

  it("when both are read, then movies, the rating table, every user's ratings and the data set are equal", () => {
    expect(postgres.allMovies()).toEqual(sqlite.allMovies());
    expect(postgres.allMovies().length).toBe(240);
    expect(postgres.ratingTable()).toEqual(sqlite.ratingTable());
    const users = [...sqlite.ratingTable().userIds, 0, 2, 1_000_000];
    for (const user of users) {
      expect(postgres.ratedMovieIds(user)).toEqual(sqlite.ratedMovieIds(user));
      expect(postgres.userRatings(user)).toEqual(sqlite.userRatings(user));
    }
    expect(postgres.userRatings(8).some((r) => r.rating === 3.7)).toBe(true);
    expect(postgres.userRatings(15)[0].timestamp).toBeGreaterThan(2 ** 32);
    expect(postgres.dataset()).toBe('pgread');
  });

  it("when the trainer reads the ratings columns, then they equal SQLite's byte for byte", async () => {
    const fromPostgres = await readPostgresCatalogue(db.url, (reader) => reader.ratingsColumns());
    const conn = openDatabase(dbPath, { readonly: true });
    const fromSqlite = readRatingsColumns(conn);
    conn.close();
    for (const key of ['userIds', 'movieIds', 'ratings', 'timestamps'] as const) {
      expect(Buffer.from(fromPostgres[key].buffer).equals(Buffer.from(fromSqlite[key].buffer))).toBe(true);
    }
    expect(fromPostgres.userIds.length).toBeGreaterThan(500);
  });

  it('when the catalogue holds another data set, is empty or absent, then opening names why, with the password masked', async () => {
    const config = (url: string, dataset: string) => ({ storage: { databaseUrl: url }, paths: { dbPath }, dataset: { dataset } });
    const withPassword = new URL(db.url);
    withPassword.password = 's3cret';
    await expect(openCatalogSource(config(withPassword.toString(), 'ml-latest-small'))).rejects.toThrow(
      /holds data set "pgread", not the configured "ml-latest-small"/,
    );
    await expect(openCatalogSource(config(withPassword.toString(), 'ml-latest-small'))).rejects.toThrow(/:\*\*\*@/);
    await expect(openCatalogSource(config(withPassword.toString(), 'ml-latest-small'))).rejects.not.toThrow(/s3cret/);
    const empty = await freshDatabase();
    try {
      await expect(openCatalogSource(config(empty.url, 'pgread'))).rejects.toThrow(/no catalogue in PostgreSQL at .*run the database stage/);
      const client = new pg.Client({ connectionString: empty.url });
      await client.connect();
      await migratePostgresCatalogue(client); // the tables exist, nothing loaded
      await client.end();
      await expect(openCatalogSource(config(empty.url, 'pgread'))).rejects.toThrow(/no catalogue in PostgreSQL at .*run the database stage/);
    } finally {
      await empty.drop();
    }
  });

  it('when the database stage loaded anew (another dataHash), then refresh() reads it again; else it keeps the copy', async () => {
    const source = await openCatalogSource({ storage: { databaseUrl: db.url }, paths: { dbPath }, dataset: { dataset: 'pgread' } });
    expect(source.kind).toBe('postgres');
    const first = source.open();
    expect(await source.refresh()).toBe('unchanged');
    expect(source.open()).toBe(first);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`UPDATE ${CATALOGUE_SCHEMA}.dataset_meta SET value = 'pgread-hash-2' WHERE key = 'dataHash'`);
    await client.query(`UPDATE ${CATALOGUE_SCHEMA}.movies SET title = 'Renamed (1999)' WHERE movie_id = 1`);
    await client.end();
    expect(await source.refresh()).toBe('reread');
    expect(source.open()).not.toBe(first);
    expect(source.open().allMovies()[0].title).toBe('Renamed (1999)');
    expect(first.allMovies()[0].title).toBe('Matrix, The (1999)'); // a Recommender holding the old copy keeps it
  });

  it('when a load swaps a new catalogue in during a read, then the read starts again and returns the new catalogue whole', async () => {
    const other = await freshDatabase();
    const watcher = new pg.Client({ connectionString: other.url });
    try {
      await loadPostgresDatabase({ processedDir: processedFolder(), databaseUrl: other.url, dataset: 'pgread', log: () => undefined });
      await watcher.connect();
      const hash = async () =>
        (await watcher.query<{ value: string }>(`SELECT value FROM ${CATALOGUE_SCHEMA}.dataset_meta WHERE key = 'dataHash'`)).rows[0]?.value;
      let attempts = 0;
      let loading: Promise<unknown> | undefined;
      const read = await readPostgresCatalogue(other.url, async (reader) => {
        attempts++;
        if (attempts === 1) {
          // dataset_meta is read; now a load of other data commits its swap before the movies are read.
          loading = loadPostgresDatabase({
            processedDir: processedFolder(150, 'pgread-hash-2'),
            databaseUrl: other.url,
            dataset: 'pgread',
            log: () => undefined,
          });
          while ((await hash()) !== 'pgread-hash-2') await new Promise((r) => setTimeout(r, 50));
        }
        return { meta: reader.meta, movies: await reader.movies(), ratings: await reader.ratingsColumns() };
      });
      await loading;
      expect(attempts).toBe(2);
      expect(read.meta.dataHash).toBe('pgread-hash-2');
      expect(read.movies).toHaveLength(150);
      expect(read.ratings.userIds.length).toBe(Number(read.meta.counts.ratings));
    } finally {
      await watcher.end().catch(() => undefined);
      await other.drop();
    }
  });
});
