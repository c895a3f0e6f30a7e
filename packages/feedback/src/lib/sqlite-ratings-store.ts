import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { normalizeBatch, type NewRating, type RatingsStore, type StoredRating, type StoreVersion } from './ratings-store.js';

/**
 * The embedded RatingsStore: one SQLite file of its own (data/<dataset>.ratings.db by default, see
 * @reelrank/config), never touched by a stage, so rebuilding the catalogue database loses nothing.
 *
 * Durability: WAL journal with `synchronous = FULL`, so a commit has been written to the WAL file and
 * fsynced before `put` resolves. (A SIGKILL alone would be survived with NORMAL too, since the bytes are
 * in the OS already; FULL also survives a power loss or kernel crash.)
 *
 * Throughput: writes are group-committed. Every `put`/`forgetUser` of one event-loop turn joins a
 * queue, and one BEGIN IMMEDIATE transaction writes them all (each in a SAVEPOINT of its own, so one
 * failing batch rolls back alone) and pays one fsync; each caller's promise settles after that COMMIT.
 *
 * Several processes (the API's cluster workers) may open the same file: SQLite's locks serialise the
 * writers (a writer waits up to `busyTimeoutMs` for another's lock), and every read sees every
 * commit made before it, whichever process made it.
 *
 * The schema is three statements, versioned with PRAGMA user_version; drizzle (which the catalogue
 * uses) would add a migrations folder for what one CREATE TABLE says.
 */

export interface SqliteRatingsStoreOptions {
  /** How long a write waits for another process's write lock, in ms (default 5,000). */
  busyTimeoutMs?: number;
  /** Rows per page of `all()` (default 10,000). */
  pageSize?: number;
  /** Unix seconds for ratings posted without a timestamp (default: the clock). */
  now?: () => number;
}

export interface SqliteRatingsStore extends RatingsStore {
  readonly path: string;
}

const SCHEMA_VERSION = 1;

// AUTOINCREMENT: ids are never reused, also after deletes (StoreVersion relies on it). INSERT OR
// REPLACE deletes the old row of a (user, movie) pair and inserts a new one with a new, larger id.
const SCHEMA = `
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

const COLUMNS = 'id, user_id AS userId, movie_id AS movieId, rating, timestamp';

type Job =
  | { kind: 'put'; rows: Required<NewRating>[]; resolve: (value: StoredRating[]) => void; reject: (error: unknown) => void }
  | { kind: 'forget'; userId: number; resolve: (value: number) => void; reject: (error: unknown) => void };

type Outcome = { ok: true; value: StoredRating[] | number } | { ok: false; error: unknown };

export function openSqliteRatingsStore(path: string, options: SqliteRatingsStoreOptions = {}): SqliteRatingsStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const pageSize = options.pageSize ?? 10_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`${path} has ratings schema version ${version}; this code knows up to ${SCHEMA_VERSION}`);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();

  const insert = db.prepare('INSERT OR REPLACE INTO ratings (user_id, movie_id, rating, timestamp) VALUES (?, ?, ?, ?)');
  const byUser = db.prepare(`SELECT ${COLUMNS} FROM ratings WHERE user_id = ? ORDER BY movie_id`);
  const newestOfUser = db.prepare('SELECT coalesce(max(id), 0) FROM ratings WHERE user_id = ?').pluck();
  const forget = db.prepare('DELETE FROM ratings WHERE user_id = ?');
  const summary = db.prepare('SELECT count(*) AS count, coalesce(max(id), 0) AS newestId FROM ratings');

  const writeJob = db.transaction((job: Job): StoredRating[] | number => {
    if (job.kind === 'forget') return forget.run(job.userId).changes;
    return job.rows.map((r) => ({ id: Number(insert.run(r.userId, r.movieId, r.rating, r.timestamp).lastInsertRowid), ...r }));
  });
  // Nested db.transaction calls become SAVEPOINTs: a failing job rolls back alone and the others commit.
  const writeGroup = db.transaction((jobs: Job[]): Outcome[] =>
    jobs.map((job) => {
      try {
        return { ok: true, value: writeJob(job) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  let queue: Job[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let closed = false;
  const flush = () => {
    scheduled = undefined;
    const jobs = queue;
    queue = [];
    if (jobs.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = writeGroup.immediate(jobs); // returns after COMMIT, i.e. after the fsync
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (!outcome.ok) job.reject(outcome.error);
      else if (job.kind === 'put') job.resolve(outcome.value as StoredRating[]);
      else job.resolve(outcome.value as number);
    });
  };
  const enqueue = (job: Job) => {
    if (closed) {
      job.reject(new Error('the ratings store is closed'));
      return;
    }
    queue.push(job);
    scheduled ??= setImmediate(flush);
  };

  return {
    path,
    put(ratings) {
      let rows: Required<NewRating>[];
      try {
        rows = normalizeBatch(ratings, now());
      } catch (error) {
        return Promise.reject(error);
      }
      if (rows.length === 0) return Promise.resolve([]);
      return new Promise((resolve, reject) => enqueue({ kind: 'put', rows, resolve, reject }));
    },
    forgetUser(userId) {
      return new Promise((resolve, reject) => enqueue({ kind: 'forget', userId, resolve, reject }));
    },
    async forUser(userId) {
      return byUser.all(userId) as StoredRating[];
    },
    async userVersion(userId) {
      return newestOfUser.get(userId) as number;
    },
    async version() {
      return summary.get() as StoreVersion;
    },
    all() {
      return readAll(path, db, pageSize);
    },
    async close() {
      if (closed) return;
      if (scheduled) clearImmediate(scheduled);
      flush();
      closed = true;
      db.close();
    },
  };
}

/**
 * Every rating by (user, movie), in pages, from one read transaction on a connection of its own:
 * a consistent snapshot, and the store's own connection stays free for writes meanwhile.
 */
async function* readAll(path: string, db: Database.Database, pageSize: number): AsyncGenerator<StoredRating> {
  const reader = path === ':memory:' ? db : new Database(path, { readonly: true, fileMustExist: true });
  const page = reader.prepare(`SELECT ${COLUMNS} FROM ratings WHERE (user_id, movie_id) > (?, ?) ORDER BY user_id, movie_id LIMIT ?`);
  const ownSnapshot = reader !== db;
  if (ownSnapshot) reader.exec('BEGIN');
  try {
    let after: [number, number] = [0, 0];
    for (;;) {
      const rows = page.all(after[0], after[1], pageSize) as StoredRating[];
      for (const row of rows) yield row;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      after = [last.userId, last.movieId];
    }
  } finally {
    if (ownSnapshot) {
      reader.exec('COMMIT');
      reader.close();
    }
  }
}
