import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { groupWriter, readVersion, type WriteJob, type WriteOutcome } from './group-writer.js';
import { threadWriter, type Writer, type WriterExitListener } from './thread-writer.js';
import { openMigratedRatingsFile } from './sqlite-migrations.js';
import { userVersions } from './user-versions.js';
import {
  asQuotaError,
  checkMaxPerUser,
  checkPostedSince,
  checkPurge,
  normalizeBatch,
  type NewRating,
  type PostedRating,
  type PutOptions,
  type RatingSource,
  type RatingsStore,
  type StoredRating,
} from './ratings-store.js';

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
 * A writer thread that dies is restarted after a back-off; the writes it held fail (thread-writer.ts).
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
  /** Told when the writer thread dies (it is restarted after a back-off: thread-writer.ts). */
  onWriterExit?: WriterExitListener;
  /** The first back-off before a dead writer thread is replaced, in ms, doubling while deaths repeat (default 100). */
  writerRestartMs?: number;
}

/** The store's writer thread, for tests that kill it (`writerThreadOf` in @reelrank/feedback/testing). */
export const WRITER_THREAD = Symbol('reelrank.ratingsWriterThread');

export interface SqliteRatingsStore extends RatingsStore {
  readonly path: string;
  /** The writer thread now running (undefined for ':memory:' and while one is restarted). */
  readonly [WRITER_THREAD]: () => Worker | undefined;
}

const COLUMNS = 'id, user_id AS userId, movie_id AS movieId, rating, timestamp, source, source_address AS sourceAddress, posted_at AS postedAt';

export function openSqliteRatingsStore(path: string, options: SqliteRatingsStoreOptions = {}): SqliteRatingsStore {
  const memory = path === ':memory:';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const pageSize = options.pageSize ?? 10_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  // This connection migrates the file (before the writer thread opens it; reads work at once) and serves every read.
  const db = openMigratedRatingsFile(path, busyTimeoutMs);
  const writer = memory
    ? inlineWriter(db)
    : threadWriter(path, busyTimeoutMs, { onExit: options.onWriterExit, firstDelayMs: options.writerRestartMs });

  const byUser = db.prepare(`SELECT ${COLUMNS} FROM ratings WHERE user_id = ? ORDER BY movie_id`);
  const newestOfUser = db.prepare('SELECT coalesce(max(id), 0) FROM ratings WHERE user_id = ?').pluck();
  const countsOfUsers = db.prepare(
    'SELECT user_id AS userId, count(*) AS n FROM ratings WHERE user_id IN (SELECT value FROM json_each(?)) GROUP BY user_id',
  );
  // Users' versions kept in memory while no connection (this process's writer thread, another
  // process's) has committed since: each request then pays a 48-byte read instead of a query.
  const versions = userVersions(path, (userId) => newestOfUser.get(userId) as number);
  const versionNow = (userId: number): number => versions.now(userId);
  const newerThan = db.prepare('SELECT count(*) FROM ratings WHERE id > ?').pluck();
  const sincePage = db.prepare(
    'SELECT id, user_id AS userId, movie_id AS movieId, rating, posted_at AS postedAt FROM ratings WHERE posted_at >= ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  let closed = false;

  return {
    path,
    [WRITER_THREAD]: () => writer.thread?.(),
    async put(ratings: readonly NewRating[], source?: RatingSource, options?: PutOptions) {
      const maxPerUser = checkMaxPerUser(options);
      const rows = normalizeBatch(ratings, now(), source);
      if (rows.length === 0) return [];
      try {
        return (await writer.submit({ kind: 'put', rows, maxPerUser })) as StoredRating[];
      } catch (error) {
        throw asQuotaError(error);
      }
    },
    async forgetUser(userId) {
      return (await writer.submit({ kind: 'forget', userId })) as number;
    },
    async forget(userId, movieId) {
      return ((await writer.submit({ kind: 'forget-one', userId, movieId })) as number) > 0;
    },
    async purge(selector) {
      return (await writer.submit({ kind: 'purge', ...checkPurge(selector) })) as number;
    },
    async forUser(userId) {
      return byUser.all(userId) as StoredRating[];
    },
    async userVersion(userId) {
      return versionNow(userId);
    },
    userVersionNow: versionNow,
    async countsForUsers(userIds) {
      const rows = countsOfUsers.all(JSON.stringify(userIds)) as { userId: number; n: number }[];
      return new Map(rows.map((r) => [r.userId, r.n]));
    },
    async version() {
      // The store is not whole while no writer thread runs: /ready then says why (reads still work).
      const down = writer.down?.();
      if (down) throw down;
      return readVersion(db);
    },
    async countNewerThan(id) {
      return newerThan.get(id) as number;
    },
    async postedSince(sinceSeconds, limit) {
      checkPostedSince(sinceSeconds, limit);
      // In pages down the ids, other work running between them: this connection reads on the event loop.
      const rows: PostedRating[] = [];
      let below = Number.MAX_SAFE_INTEGER;
      while (rows.length < limit) {
        const want = Math.min(pageSize, limit - rows.length);
        const page = sincePage.all(sinceSeconds, below, want) as (PostedRating & { id: number })[];
        for (const { id: _id, ...rating } of page) rows.push(rating);
        if (page.length < want) break;
        below = page[page.length - 1].id;
        await new Promise((next) => setImmediate(next));
      }
      return rows;
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
      versions.close();
      db.close();
    },
  };
}

/** In-thread group commit: the writes of one event-loop turn form a group (':memory:' stores). */
export function inlineWriter(db: Database.Database): Writer {
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
