import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { CATALOGUE_SCHEMA, getGenomeScores, loadDatabase, loadPostgresDatabase, openDatabase, readPostgresCatalogue } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, tempWorkspace } from '@reelrank/ingest/testing';
import { freshDatabase } from './postgres-test-db';

/**
 * The database stage's COPY load into the PostgreSQL catalogue gives the
 * same rows (and the same rating-blob bytes) as the SQLite load of the same processed folder, swaps
 * atomically, skips a load of data it already holds, and runs as the stage process with DATABASE_URL.
 * Every case starts from the one data set ingested and loaded into SQLite in beforeAll.
 */
const quiet = () => undefined;
const run = promisify(execFile);

/** Every row of a table, in a fixed order, as plain JSON-comparable values (bytea/blob as hex). */
const TABLES: Record<string, string> = {
  movies: 'SELECT movie_id, title, year, genres, title_search FROM movies ORDER BY movie_id',
  movie_genres: 'SELECT genre, movie_id FROM movie_genres ORDER BY genre, movie_id',
  ratings: 'SELECT user_id, movie_id, rating, timestamp FROM ratings ORDER BY user_id, movie_id',
  user_rating_blobs: 'SELECT user_id, count, movie_ids, ratings, timestamps FROM user_rating_blobs ORDER BY user_id',
  links: 'SELECT movie_id, imdb_id, tmdb_id FROM links ORDER BY movie_id',
  tags: 'SELECT user_id, movie_id, tag, timestamp FROM tags ORDER BY user_id, movie_id, tag, timestamp',
  genome_tags: 'SELECT tag_id, tag FROM genome_tags ORDER BY tag_id',
  genome_scores: 'SELECT movie_id, tag_id, relevance FROM genome_scores ORDER BY movie_id, tag_id',
  dataset_meta: "SELECT key, value FROM dataset_meta WHERE key <> 'loadedAt' ORDER BY key",
};

const plain = (rows: Record<string, unknown>[]) =>
  rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'value' && k !== 'imdb_id' ? Number(v) : v,
      ]),
    ),
  );

async function pgRows(url: string, table: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${CATALOGUE_SCHEMA}`);
    return plain((await client.query(TABLES[table])).rows);
  } finally {
    await client.end();
  }
}

function sqliteRows(dbPath: string, table: string): Record<string, unknown>[] {
  const conn = openDatabase(dbPath, { readonly: true });
  try {
    return plain(conn.sqlite.prepare(TABLES[table]).all() as Record<string, unknown>[]);
  } finally {
    conn.close();
  }
}

async function schemas(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'reelrank_catalogue%' ORDER BY 1");
    return rows.map((r) => r.nspname);
  } finally {
    await client.end();
  }
}

/** A copy of a processed folder whose report.json names another dataHash (what a new ingest would write). */
function processedVariant(from: string, dataHash: string, edit?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'reelrank-processed-'));
  cpSync(from, dir, { recursive: true });
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ ...report, dataHash }));
  edit?.(dir);
  return dir;
}

describe('loadPostgresDatabase (the database stage on PostgreSQL)', () => {
  let config: AppConfig;
  let db: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    const source = await generatedMovieLensSource({ users: 60, movies: 150, ratings: 3_000, seed: 5, genomeTags: 6 });
    config = loadConfig({ root: tempWorkspace(), env: { MOVIELENS_SOURCE: source } });
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    db = await freshDatabase();
  });
  afterAll(() => db?.drop());

  it('when the processed data is loaded, then every table holds what the SQLite load holds, rating blobs byte for byte', async () => {
    const lines: string[] = [];
    const result = await loadPostgresDatabase({
      processedDir: config.paths.processedDir,
      databaseUrl: db.url,
      dataset: config.dataset.dataset,
      log: (line) => lines.push(line),
    });
    expect(result.skipped).toBe(false);
    expect(result.counts.ratings).toBe(3_000);
    expect(result.counts.users).toBe(60);
    expect(result.counts.tags).toBeGreaterThan(0);
    expect(result.counts.links).toBe(result.counts.movies);
    expect(result.counts).toMatchObject({ genomeTags: 6, genomeScores: 6 * result.counts.movies });
    for (const table of Object.keys(TABLES)) {
      const fromPg = await pgRows(db.url, table);
      expect({ table, rows: fromPg }).toEqual({ table, rows: sqliteRows(config.paths.dbPath, table) });
      expect(fromPg.length).toBeGreaterThan(0);
    }
    expect(await schemas(db.url)).toEqual([CATALOGUE_SCHEMA]);
    expect(lines.some((l) => /ratings\.csv copy/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/3,000 ratings \(60 users\).*-> postgres:\/\/.*\(schema reelrank_catalogue\) in [\d.]+ s$/);
  });

  it('when the catalogue is read back, then the genome scores are the SQLite columns (movie, tag, relevance in the same order)', async () => {
    await loadPostgresDatabase({ processedDir: config.paths.processedDir, databaseUrl: db.url, dataset: config.dataset.dataset, log: quiet });
    const fromPg = await readPostgresCatalogue(db.url, (reader) => reader.genomeScores());
    const conn = openDatabase(config.paths.dbPath, { readonly: true });
    try {
      const fromSqlite = getGenomeScores(conn);
      expect(fromPg.movieIds.length).toBeGreaterThan(0);
      expect(fromPg).toEqual(fromSqlite);
    } finally {
      conn.close();
    }
  });

  it("when ratings need the wide blob encodings (Float32 ratings, Float64 timestamps: the row-by-row reader), then the bytes still equal SQLite's", async () => {
    const wide = processedVariant(config.paths.processedDir, 'wide-hash', (dir) => {
      const [first, second] = readFileSync(join(dir, 'movies.csv'), 'utf8')
        .split('\n')
        .slice(1, 3)
        .map((l) => l.split(',')[0]);
      const body = `1,${first},3.25,5000000000\n1,${second},0.5,-86400\n2,${first},4.5,964982703\n2,${second},1.0,0\n`;
      writeFileSync(join(dir, 'ratings.csv'), `userId,movieId,rating,timestamp\n${body}`);
    });
    const other = await freshDatabase();
    try {
      const dbPath = join(mkdtempSync(join(tmpdir(), 'reelrank-wide-')), 'wide.db');
      await loadDatabase({ processedDir: wide, dbPath, dataset: 'wide', log: quiet });
      const result = await loadPostgresDatabase({ processedDir: wide, databaseUrl: other.url, dataset: 'wide', log: quiet });
      expect(result.counts).toMatchObject({ ratings: 4, users: 2 });
      for (const table of ['ratings', 'user_rating_blobs', 'dataset_meta']) {
        expect({ table, rows: await pgRows(other.url, table) }).toEqual({ table, rows: sqliteRows(dbPath, table) });
      }
      const blobs = await pgRows(other.url, 'user_rating_blobs');
      expect((blobs[0].timestamps as string).length).toBe(2 * 8 * 2); // user 1: two Float64 timestamps
      expect((blobs[1].ratings as string).length).toBe(2 * 2); // user 2: two half-star bytes
    } finally {
      await other.drop();
    }
  });

  it('when ratings.csv has its columns in another order, then the binary COPY of the parsed columns stores the same rows as SQLite', async () => {
    const reordered = processedVariant(config.paths.processedDir, 'reordered-hash', (dir) => {
      const file = join(dir, 'ratings.csv');
      const [, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
      const swapped = rows.map((line) => {
        const [user, movie, rating, timestamp] = line.split(',');
        return `${movie},${timestamp},${user},${rating}`;
      });
      writeFileSync(file, `movieId,timestamp,userId,rating\n${swapped.join('\n')}\n`);
    });
    const other = await freshDatabase();
    try {
      const lines: string[] = [];
      await loadPostgresDatabase({ processedDir: reordered, databaseUrl: other.url, dataset: config.dataset.dataset, log: (l) => lines.push(l) });
      expect(lines.join('\n')).not.toMatch(/copied \(with the parse\)/); // not the CSV pass-through
      for (const table of ['ratings', 'user_rating_blobs']) {
        expect({ table, rows: await pgRows(other.url, table) }).toEqual({ table, rows: sqliteRows(config.paths.dbPath, table) });
      }
    } finally {
      await other.drop();
    }
  });

  it('when a rating is out of range in the processed file, then the load fails naming the row', async () => {
    const outOfRange = processedVariant(config.paths.processedDir, 'range-hash', (dir) => {
      const file = join(dir, 'ratings.csv');
      const lines = readFileSync(file, 'utf8').split('\n');
      lines[1500] = lines[1500].replace(/^(\d+,\d+),[^,]+,/, '$1,7.0,');
      writeFileSync(file, lines.join('\n'));
    });
    await expect(
      loadPostgresDatabase({ processedDir: outOfRange, databaseUrl: db.url, dataset: config.dataset.dataset, log: quiet }),
    ).rejects.toThrow(/ratings\.csv row 1500: rating must be a rating between 0\.5 and 5\.0, found "7"/);
    expect(await pgRows(db.url, 'ratings')).toHaveLength(3_000);
  });

  it('when the same dataset and dataHash are loaded again, then nothing is loaded and the loadedAt stays', async () => {
    const before = await pgRowsOf(db.url, "SELECT value FROM dataset_meta WHERE key = 'loadedAt'");
    const lines: string[] = [];
    const result = await loadPostgresDatabase({
      processedDir: config.paths.processedDir,
      databaseUrl: db.url,
      dataset: config.dataset.dataset,
      log: (line) => lines.push(line),
    });
    expect(result.skipped).toBe(true);
    expect(result.counts.ratings).toBe(3_000);
    expect(lines.join('\n')).toMatch(/already holds this data/);
    expect(await pgRowsOf(db.url, "SELECT value FROM dataset_meta WHERE key = 'loadedAt'")).toEqual(before);
  });

  it('when a load fails mid-way (a corrupt ratings.csv), then the previous catalogue stays readable and no staging schema remains', async () => {
    const corrupt = processedVariant(config.paths.processedDir, 'corrupt-hash', (dir) => {
      const file = join(dir, 'ratings.csv');
      const lines = readFileSync(file, 'utf8').split('\n');
      lines[2000] = '7,abc,4.0,964982703';
      writeFileSync(file, lines.join('\n'));
    });
    await expect(loadPostgresDatabase({ processedDir: corrupt, databaseUrl: db.url, dataset: config.dataset.dataset, log: quiet })).rejects.toThrow(
      /ratings\.csv row 2000: movieId must be an integer/,
    );
    const meta = await pgRows(db.url, 'dataset_meta');
    expect(meta.find((r) => r.key === 'dataHash')?.value).not.toBe('corrupt-hash');
    expect(await pgRows(db.url, 'ratings')).toHaveLength(3_000);
    expect(await schemas(db.url)).toEqual([CATALOGUE_SCHEMA]);
  });

  it('when a duplicate (user, movie) pair reaches the primary key, then the load fails naming the key and the catalogue stays', async () => {
    const duplicated = processedVariant(config.paths.processedDir, 'duplicate-hash', (dir) => {
      const file = join(dir, 'ratings.csv');
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      writeFileSync(file, `${[...lines, lines[1]].join('\n')}\n`);
    });
    await expect(
      loadPostgresDatabase({ processedDir: duplicated, databaseUrl: db.url, dataset: config.dataset.dataset, log: quiet }),
    ).rejects.toThrow(/appears twice|duplicate/);
    expect(await pgRows(db.url, 'ratings')).toHaveLength(3_000);
    expect(await schemas(db.url)).toEqual([CATALOGUE_SCHEMA]);
  });

  it('when other data is loaded while a reader is inside the catalogue, then the reader sees old or new data whole and the old tables go once it is done', async () => {
    const fewer = processedVariant(config.paths.processedDir, 'fewer-hash', (dir) => {
      const file = join(dir, 'ratings.csv');
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      writeFileSync(file, `${lines.slice(0, 1001).join('\n')}\n`);
    });
    const reader = new Client({ connectionString: db.url });
    await reader.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const count = async () => Number((await reader.query(`SELECT count(*) AS n FROM ${CATALOGUE_SCHEMA}.ratings`)).rows[0].n);
      expect(await count()).toBe(3_000);
      let settled = false;
      const loading = loadPostgresDatabase({ processedDir: fewer, databaseUrl: db.url, dataset: config.dataset.dataset, log: quiet }).finally(() => {
        settled = true;
      });
      // Wait for the swap's commit (seen from another session).
      const hashOf = async () => (await pgRows(db.url, 'dataset_meta')).find((r) => r.key === 'dataHash')?.value;
      for (let i = 0; i < 100 && (await hashOf()) !== 'fewer-hash'; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await hashOf()).toBe('fewer-hash');
      // The name now means the new tables, and their rows are visible even to this older snapshot
      // (COPY FREEZE), so the reader sees the new catalogue whole, never an empty or partial one.
      expect(await count()).toBe(1_000);
      // Dropping the replaced tables waits for this reader's lock on them.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      expect(await schemas(db.url)).toEqual([CATALOGUE_SCHEMA, `${CATALOGUE_SCHEMA}_replaced`]);
      await reader.query('COMMIT');
      expect((await loading).counts.ratings).toBe(1_000);
    } finally {
      await reader.end();
    }
    expect(await schemas(db.url)).toEqual([CATALOGUE_SCHEMA]);
  });

  it('when the server cannot be reached, then the error is one line naming the URL without its password', async () => {
    const url = new URL(db.url);
    url.password = 's3cret-pw';
    url.port = '1'; // nothing listens there
    const error = await loadPostgresDatabase({
      processedDir: config.paths.processedDir,
      databaseUrl: url.toString(),
      dataset: 'x',
      log: quiet,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\//);
    expect((error as Error).message).not.toMatch(/s3cret/);
  });

  it('when the stage entry point runs with DATABASE_URL, then it loads PostgreSQL, writes no SQLite file and prints its summary', async () => {
    const target = await freshDatabase();
    try {
      const root = tempWorkspace();
      cpSync(config.paths.processedDir, join(root, 'data', 'processed', config.dataset.dataset), { recursive: true });
      const env = { ...process.env, REELRANK_ROOT: root, REELRANK_DATASET: config.dataset.dataset, DATABASE_URL: target.url };
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'packages/database/src/main.ts'], { env, cwd: join(__dirname, '..', '..') });
      const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
        stage: string;
        target: string;
        skipped: boolean;
        counts: { ratings: number };
      };
      expect(summary).toMatchObject({ stage: 'database', skipped: false, counts: { ratings: 3_000 } });
      expect(summary.target).toMatch(/^postgres:\/\//);
      expect(existsSync(join(root, 'data', `${config.dataset.dataset}.db`))).toBe(false);
      expect(await pgRows(target.url, 'ratings')).toHaveLength(3_000);

      const bad = await run(process.execPath, ['--import', 'tsx', 'packages/database/src/main.ts'], {
        env: { ...env, DATABASE_URL: 'postgres://u:topsecret@127.0.0.1:1/db' },
        cwd: join(__dirname, '..', '..'),
      }).catch((e: { code: number; stderr: string }) => e);
      expect((bad as { code: number }).code).toBe(1);
      const stderr = (bad as { stderr: string }).stderr.trim().split('\n');
      expect(stderr[stderr.length - 1]).toMatch(/^database stage failed: cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: /);
      expect(stderr.join('\n')).not.toMatch(/topsecret/);
    } finally {
      await target.drop();
    }
  });
});

async function pgRowsOf(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${CATALOGUE_SCHEMA}`);
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
