import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getTableConfig as pgTableConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig } from 'drizzle-orm/sqlite-core';
import {
  apiKeys as pgApiKeys,
  catalogueMovies as pgCatalogueMovies,
  experiments as pgExperiments,
  postedRatings,
  postedSignals,
} from './schema-postgres';
import {
  apiKeys as sqliteApiKeys,
  catalogueMovies as sqliteCatalogueMovies,
  experiments as sqliteExperiments,
  ratings,
  tasteSignals,
} from './schema-sqlite';
import { SQLITE_MIGRATIONS_FOLDER } from './sqlite-migrations';
import { openSqliteRatingsStore } from './sqlite-ratings-store';

const packageDir = join(__dirname, '..', '..');
const workspace = join(packageDir, '..', '..');

/** A dialect-free picture of a table: what both stores' semantics rest on. */
function shape(config: ReturnType<typeof pgTableConfig> | ReturnType<typeof sqliteTableConfig>) {
  const names = (columns: { name: string }[]) => columns.map((c) => c.name).join(',');
  return {
    columns: config.columns.map((c) => ({ name: c.name, notNull: c.notNull, primary: c.primary })),
    unique: config.uniqueConstraints.map((u) => names(u.columns)).sort(),
    indexes: config.indexes.map((i) => ({ columns: names(i.config.columns as { name: string }[]), unique: i.config.unique })).sort(),
  };
}

describe('the posted-ratings schema', () => {
  it('declares the same columns, keys and index for SQLite and PostgreSQL (drift fails here)', () => {
    const sqlite = shape(sqliteTableConfig(ratings));
    const pg = shape(pgTableConfig(postedRatings));
    expect(pg).toEqual(sqlite);
    expect(sqlite.columns.map((c) => c.name)).toEqual(['id', 'user_id', 'movie_id', 'rating', 'timestamp', 'source', 'source_address', 'posted_at']);
    expect(sqlite.unique).toEqual(['user_id,movie_id']);
    expect(sqlite.indexes).toEqual([{ columns: 'user_id,id', unique: false }]);
    // The same JS names too: one StoredRating shape read from either table.
    expect(Object.keys(postedRatings)).toEqual(expect.arrayContaining(Object.keys(ratings)));
  });

  it('declares the same api_keys table for SQLite and PostgreSQL', () => {
    const sqlite = shape(sqliteTableConfig(sqliteApiKeys));
    expect(shape(pgTableConfig(pgApiKeys))).toEqual(sqlite);
    expect(sqlite.columns.map((c) => c.name)).toEqual(['id', 'name', 'role', 'key_hash', 'created_at', 'last_used_at', 'revoked_at']);
    expect(sqlite.unique).toEqual(['key_hash']);
    expect(Object.keys(pgApiKeys)).toEqual(expect.arrayContaining(Object.keys(sqliteApiKeys)));
  });

  it('declares the same taste-signals table for SQLite and PostgreSQL', () => {
    const sqlite = shape(sqliteTableConfig(tasteSignals));
    expect(shape(pgTableConfig(postedSignals))).toEqual(sqlite);
    expect(sqlite.columns.map((c) => c.name)).toEqual(['id', 'user_id', 'movie_id', 'kind', 'created_at', 'source', 'source_address']);
    expect(sqlite.unique).toEqual(['user_id,movie_id,kind']);
    expect(Object.keys(postedSignals)).toEqual(expect.arrayContaining(Object.keys(tasteSignals)));
  });

  it('declares the same catalogue_movies table (the catalogue overlay) for SQLite and PostgreSQL', () => {
    const sqlite = shape(sqliteTableConfig(sqliteCatalogueMovies));
    expect(shape(pgTableConfig(pgCatalogueMovies))).toEqual(sqlite);
    expect(sqlite.columns.map((c) => c.name)).toEqual(['movie_id', 'revision', 'created', 'fields', 'hidden', 'source', 'updated_at']);
    expect(sqlite.unique).toEqual(['revision']);
  });

  it('declares the same experiments table for SQLite and PostgreSQL, one running row at most', () => {
    const sqlite = shape(sqliteTableConfig(sqliteExperiments));
    expect(shape(pgTableConfig(pgExperiments))).toEqual(sqlite);
    expect(sqlite.indexes).toEqual([{ columns: 'status', unique: true }]);
    expect(Object.keys(pgExperiments)).toEqual(expect.arrayContaining(Object.keys(sqliteExperiments)));
  });

  it.each(['sqlite', 'postgres'])(
    'has its %s migrations generated from it (drizzle-kit generate finds nothing to add)',
    (dialect) => {
      // A copy of the committed folder, so a stale schema shows as a new migration here and never lands in the repository.
      const dir = mkdtempSync(join(tmpdir(), 'reelrank-drizzle-'));
      try {
        cpSync(join(packageDir, 'drizzle', dialect), join(dir, dialect), { recursive: true });
        const schema = join(packageDir, 'src', 'lib', `schema-${dialect}.ts`);
        const config = { dialect: dialect === 'postgres' ? 'postgresql' : 'sqlite', schema, out: `./${dialect}` };
        writeFileSync(join(dir, 'drizzle.config.json'), JSON.stringify(config));
        const kit = join(workspace, 'node_modules', 'drizzle-kit', 'bin.cjs');
        const run = spawnSync(process.execPath, [kit, 'generate', '--config', 'drizzle.config.json'], { cwd: dir, encoding: 'utf8' });
        expect(run.stdout + run.stderr).toMatch(/No schema changes, nothing to migrate/);
        expect(readdirSync(join(dir, dialect)).sort()).toEqual(readdirSync(join(packageDir, 'drizzle', dialect)).sort());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

/** The ratings file exactly as the hand-written schema (group-writer.js before drizzle) made it. */
const HAND_WRITTEN_SQLITE = `
  CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    movie_id INTEGER NOT NULL,
    rating REAL NOT NULL,
    timestamp INTEGER NOT NULL,
    UNIQUE (user_id, movie_id)
  );
  CREATE INDEX IF NOT EXISTS ratings_user_newest ON ratings (user_id, id);
`;

describe('the SQLite ratings file under drizzle migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reelrank-feedback-schema-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when a file made by the hand-written schema is opened, then its ratings, ids and version survive and writes go on', async () => {
    const path = join(dir, 'old.ratings.db');
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(HAND_WRITTEN_SQLITE);
    old.pragma('user_version = 1');
    const insert = old.prepare('INSERT OR REPLACE INTO ratings (user_id, movie_id, rating, timestamp) VALUES (?, ?, ?, ?)');
    insert.run(1, 10, 4, 100);
    insert.run(1, 11, 3, 101);
    insert.run(2, 10, 5, 102);
    insert.run(1, 10, 2.5, 103); // replaces (1, 10): id 4
    old.prepare('DELETE FROM ratings WHERE user_id = 2').run(); // id 3 gone, never reused
    old.close();

    const store = openSqliteRatingsStore(path);
    try {
      expect(await store.version()).toEqual({ count: 2, newestId: 4 });
      // Rows from before writers were recorded: an unknown source, posted when they were rated (the best guess).
      const unknown = { source: 'unknown', sourceAddress: 'unknown' };
      expect(await store.forUser(1)).toEqual([
        { id: 4, userId: 1, movieId: 10, rating: 2.5, timestamp: 103, postedAt: 103, ...unknown },
        { id: 2, userId: 1, movieId: 11, rating: 3, timestamp: 101, postedAt: 101, ...unknown },
      ]);
      const [replaced] = await store.put([{ userId: 1, movieId: 11, rating: 5, timestamp: 104 }]);
      expect(replaced.id).toBe(5);
      expect((await store.forUser(1)).map((r) => [r.movieId, r.rating])).toEqual([
        [10, 2.5],
        [11, 5],
      ]);
    } finally {
      await store.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      // Adopted, not re-run: drizzle's log holds migration 0000 and the later ones ran; the durability settings are the store's.
      const migrations = readdirSync(SQLITE_MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).length;
      expect(raw.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({ n: migrations });
      expect(raw.pragma('user_version', { simple: true })).toBe(migrations);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('when a new file is opened, then drizzle makes the columns the hand-written schema did, then who wrote each rating and when', async () => {
    const fresh = join(dir, 'new.ratings.db');
    await openSqliteRatingsStore(fresh).close();
    const old = new Database(':memory:');
    old.exec(HAND_WRITTEN_SQLITE);
    const raw = new Database(fresh, { readonly: true });
    // drizzle writes `id integer PRIMARY KEY AUTOINCREMENT NOT NULL`; on the rowid alias NOT NULL changes nothing (a NULL id is given the next one).
    const columns = (db: Database.Database) =>
      (db.pragma('table_info(ratings)') as { name: string; pk: number; notnull: number; dflt_value: string | null }[]).map((c) => ({
        ...c,
        notnull: c.pk ? 'rowid' : c.notnull,
      }));
    const uniqueColumns = (db: Database.Database) =>
      (db.pragma('index_list(ratings)') as { name: string; unique: number }[])
        .filter((i) => i.unique)
        .map((i) => (db.pragma(`index_info(${i.name})`) as { name: string }[]).map((c) => c.name));
    try {
      const made = columns(raw);
      expect(made.slice(0, 5)).toEqual(columns(old));
      expect(made.slice(5).map((c) => [c.name, c.notnull, c.dflt_value])).toEqual([
        ['source', 1, "'unknown'"],
        ['source_address', 1, "'unknown'"],
        ['posted_at', 1, '0'],
      ]);
      expect(uniqueColumns(raw)).toEqual(uniqueColumns(old));
      expect(raw.pragma('index_info(ratings_user_newest)')).toEqual(old.pragma('index_info(ratings_user_newest)'));
      expect(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_sequence'").get()).toEqual({ n: 1 }); // AUTOINCREMENT
    } finally {
      raw.close();
      old.close();
    }
  });

  it('refuses a file migrated by newer code, and a ratings table it does not know', async () => {
    const newer = join(dir, 'newer.ratings.db');
    await openSqliteRatingsStore(newer).close();
    const db = new Database(newer);
    db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', 8_000_000_000_000);
    db.close();
    expect(() => openSqliteRatingsStore(newer)).toThrow(/migrations newer than this code knows/);

    const stranger = join(dir, 'stranger.ratings.db');
    const other = new Database(stranger);
    other.exec('CREATE TABLE ratings (x TEXT)');
    other.close();
    expect(() => openSqliteRatingsStore(stranger)).toThrow(/unknown schema \(user_version 0\)/);
  });

  it('when several processes open one new file at once, then each one migrates or finds it migrated', async () => {
    const path = join(dir, 'shared.ratings.db');
    // Loaded first, then opened at one agreed moment, so the migrations really run at the same time.
    const startAt = Date.now() + 4_000;
    const code = `
      const { openSqliteRatingsStore } = require(${JSON.stringify(join(__dirname, 'sqlite-ratings-store.ts'))});
      while (Date.now() < ${startAt});
      const s = openSqliteRatingsStore(${JSON.stringify(path)});
      s.put([{ userId: process.pid, movieId: 1, rating: 4 }]).then(() => s.close()).then(() => process.stdout.write('ok'));
    `;
    const runs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<string>((done) => {
            const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: workspace });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d));
            child.stderr.on('data', (d: Buffer) => (out += d));
            child.on('exit', (status) => done(`${status} ${out}`));
          }),
      ),
    );
    expect(runs).toEqual(['0 ok', '0 ok', '0 ok', '0 ok']);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({ n: readdirSync(SQLITE_MIGRATIONS_FOLDER).length - 1 });
      expect(raw.prepare('SELECT count(*) AS n FROM ratings').get()).toEqual({ n: 4 });
    } finally {
      raw.close();
    }
  }, 60_000);
});
