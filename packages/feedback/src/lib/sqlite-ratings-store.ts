import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { groupWriter, openForWriting, readVersion, type WriteJob, type WriteOutcome } from './group-writer.js';
import { migrateSqliteRatings } from './sqlite-migrations.js';
import { normalizeBatch, type NewRating, type RatingsStore, type StoredRating } from './ratings-store.js';

/**
 * The embedded RatingsStore: one SQLite file of its own (data/<dataset>.ratings.db by default, see
 * @reelrank/config), never touched by a stage, so rebuilding the catalogue database loses nothing.
 *
 * Schema: schema-sqlite.ts, applied by drizzle's migrator when the store opens (sqlite-migrations.ts).
 *
 * Durability: WAL journal with `synchronous = FULL` (group-writer.js), so a commit has been written
 * to the WAL file and fsynced before `put` resolves. (A SIGKILL alone would be survived with NORMAL
 * too, as the bytes are in the OS already; FULL also survives a power loss or a kernel crash.)
 *
 * Throughput: writes are group-committed. A file store writes on a thread of its own
 * (writer-thread.js): every `put`/`forget`/`forgetUser` is a message to it, the messages that arrive while a
 * group commits form the next group, one BEGIN IMMEDIATE transaction writes a group (each job in a
 * SAVEPOINT of its own, so a failing batch rolls back alone) and pays one fsync, and the fsync never
 * blocks the caller's event loop. A ':memory:' store (tests) writes in-thread, grouping the writes
 * of one event-loop turn. Reads use the caller's own connection and see every commit before them.
 *
 * Several processes (the API's cluster workers) may open the same file: SQLite's locks serialise the
 * writers (a writer waits up to `busyTimeoutMs` for another's lock), and every read sees every
 * commit made before it, whichever process made it.
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

const COLUMNS = 'id, user_id AS userId, movie_id AS movieId, rating, timestamp';

/** Sends write jobs somewhere and settles each caller's promise with its outcome. */
interface Writer {
  submit(job: WriteJob): Promise<StoredRating[] | number>;
  close(): Promise<void>;
}

export function openSqliteRatingsStore(path: string, options: SqliteRatingsStoreOptions = {}): SqliteRatingsStore {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const pageSize = options.pageSize ?? 10_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  // This connection migrates the file (before the writer thread opens it; reads work at once) and serves every read.
  const db = openForWriting(Database, path, busyTimeoutMs);
  try {
    migrateSqliteRatings(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  const writer = memory ? inlineWriter(db) : threadWriter(path, busyTimeoutMs);

  const byUser = db.prepare(`SELECT ${COLUMNS} FROM ratings WHERE user_id = ? ORDER BY movie_id`);
  const newestOfUser = db.prepare('SELECT coalesce(max(id), 0) FROM ratings WHERE user_id = ?').pluck();
  const countsOfUsers = db.prepare(
    'SELECT user_id AS userId, count(*) AS n FROM ratings WHERE user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id',
  );
  let closed = false;

  return {
    path,
    async put(ratings: readonly NewRating[]) {
      const rows = normalizeBatch(ratings, now());
      if (rows.length === 0) return [];
      return (await writer.submit({ kind: 'put', rows })) as StoredRating[];
    },
    async forgetUser(userId) {
      return (await writer.submit({ kind: 'forget', userId })) as number;
    },
    async forget(userId, movieId) {
      return ((await writer.submit({ kind: 'forget-one', userId, movieId })) as number) > 0;
    },
    async forUser(userId) {
      return byUser.all(userId) as StoredRating[];
    },
    async userVersion(userId) {
      return newestOfUser.get(userId) as number;
    },
    async countsForUsers(userIds) {
      const rows = countsOfUsers.all(JSON.stringify(userIds)) as { userId: number; n: number }[];
      return new Map(rows.map((r) => [r.userId, r.n]));
    },
    async version() {
      return readVersion(db);
    },
    all() {
      if (!memory) return readSqliteRatingsSnapshot(path, { pageSize });
      // ':memory:' (tests): the one connection there is, paged without a snapshot of its own.
      return (async function* () {
        yield* readAll(db, pageSize);
      })();
    },
    async close() {
      if (closed) return;
      closed = true;
      await writer.close();
      db.close();
    },
  };
}

/** In-thread group commit: the writes of one event-loop turn form a group (':memory:' stores). */
function inlineWriter(db: Database.Database): Writer {
  const write = groupWriter(db);
  let queue: { job: WriteJob; settle: (outcome: WriteOutcome) => void }[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let closed = false;
  const flush = () => {
    scheduled = undefined;
    const jobs = queue;
    queue = [];
    if (jobs.length === 0) return;
    let outcomes: WriteOutcome[];
    try {
      outcomes = write(jobs.map((j) => j.job));
    } catch (error) {
      outcomes = jobs.map(() => ({ ok: false, error }));
    }
    jobs.forEach((j, i) => j.settle(outcomes[i]));
  };
  return {
    submit(job) {
      if (closed) return Promise.reject(new Error('the ratings store is closed'));
      return new Promise((resolve, reject) => {
        queue.push({ job, settle: (o) => (o.ok ? resolve(o.value) : reject(o.error)) });
        scheduled ??= setImmediate(flush);
      });
    },
    async close() {
      closed = true;
      if (scheduled) clearImmediate(scheduled);
      flush();
    },
  };
}

/** Group commit on writer-thread.js; the thread keeps the process alive only while writes are pending. */
function threadWriter(path: string, busyTimeoutMs: number): Writer {
  const worker = new Worker(join(__dirname, 'writer-thread.js'), { workerData: { path, busyTimeoutMs } });
  worker.unref();
  const pending = new Map<number, { resolve: (value: StoredRating[] | number) => void; reject: (error: unknown) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (message: { id?: number; ok?: boolean; value?: StoredRating[] | number; error?: { message: string; code?: string } }) => {
    if (message.id === undefined) return; // the ready note
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if (pending.size === 0) worker.unref();
    if (message.ok) p.resolve(message.value!);
    else p.reject(Object.assign(new Error(message.error!.message), { code: message.error!.code }));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the ratings writer thread exited (${code})`)));
  return {
    submit(job) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, ...job });
      });
    },
    async close() {
      if (failure) return;
      const exited = new Promise((done) => worker.once('exit', done));
      worker.ref();
      worker.postMessage({ kind: 'close' });
      await exited;
    },
  };
}

/**
 * Every rating of the store file at `path` by (user, movie), in pages, from one read transaction on a
 * read-only connection of its own: a consistent snapshot that holds up no writer (WAL). What a training
 * run reads (it only reads, so it opens no writer); `all()` of a file store is this.
 */
export async function* readSqliteRatingsSnapshot(path: string, options: { pageSize?: number } = {}): AsyncGenerator<StoredRating> {
  const reader = new Database(path, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
    try {
      yield* readAll(reader, options.pageSize ?? 10_000);
    } finally {
      reader.exec('COMMIT');
    }
  } finally {
    reader.close();
  }
}

/** Pages of every rating by (user, movie) on `db` (keyset pagination; the caller holds the snapshot). */
function* readAll(db: Database.Database, pageSize: number): Generator<StoredRating> {
  const page = db.prepare(`SELECT ${COLUMNS} FROM ratings WHERE (user_id, movie_id) > (?, ?) ORDER BY user_id, movie_id LIMIT ?`);
  let after: [number, number] = [0, 0];
  for (;;) {
    const rows = page.all(after[0], after[1], pageSize) as StoredRating[];
    yield* rows;
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1];
    after = [last.userId, last.movieId];
  }
}
