import Database from 'better-sqlite3';
import { inlineWriter } from './sqlite-ratings-store.js';
import { openMigratedRatingsFile } from './sqlite-migrations.js';
import { threadWriter, type WriterExitListener } from './thread-writer.js';
import { userVersions } from './user-versions.js';
import type { RatingSource } from './ratings-store.js';
import { asSignalsQuotaError, signalToWrite, type SignalsStore, type StoredSignal } from './taste-signals.js';

/**
 * The taste signals in the SQLite ratings file (table taste_signals), written as the ratings are: on a
 * writer thread of the store's own (WAL, synchronous = FULL, group commit: a signal is durable before
 * `put` resolves; ':memory:' writes in-thread). Reads use the caller's connection. A user's version is
 * kept in memory while no connection has committed to the file since (its WAL header unchanged).
 */
const COLUMNS = 'id, user_id AS userId, movie_id AS movieId, kind, created_at AS createdAt, source, source_address AS sourceAddress';

export function openSqliteSignalsStore(
  path: string,
  options: { busyTimeoutMs?: number; now?: () => number; onWriterExit?: WriterExitListener } = {},
): SignalsStore {
  const memory = path === ':memory:';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const db = openMigratedRatingsFile(path, busyTimeoutMs);
  const writer = memory ? inlineWriter(db) : threadWriter(path, busyTimeoutMs, { onExit: options.onWriterExit });
  const byUser = db.prepare(`SELECT ${COLUMNS} FROM taste_signals WHERE user_id = ? ORDER BY id`);
  const newestOfUser = db.prepare('SELECT coalesce(max(id), 0) FROM taste_signals WHERE user_id = ?').pluck();
  const storeVersion = db.prepare('SELECT count(*) AS count, coalesce(max(id), 0) AS newestId FROM taste_signals');
  const versions = userVersions(path, (userId) => newestOfUser.get(userId) as number);
  const versionNow = (userId: number): number => versions.now(userId);
  let closed = false;

  return {
    async put(signal, source?: RatingSource, putOptions = {}) {
      const row = signalToWrite(signal, now(), source, putOptions.maxPerUser);
      try {
        return (await writer.submit({ kind: 'signal-put', row, maxPerUser: putOptions.maxPerUser })) as StoredSignal;
      } catch (error) {
        throw asSignalsQuotaError(error);
      }
    },
    async forget(userId, movieId, kind) {
      return ((await writer.submit({ kind: 'signal-forget', userId, movieId, signal: kind })) as number) > 0;
    },
    async forUser(userId) {
      return byUser.all(userId) as StoredSignal[];
    },
    async userVersion(userId) {
      return versionNow(userId);
    },
    userVersionNow: versionNow,
    async version() {
      return storeVersion.get() as { count: number; newestId: number };
    },
    all() {
      if (!memory) return readSqliteSignalsSnapshot(path);
      return (async function* () {
        yield* db.prepare(`SELECT ${COLUMNS} FROM taste_signals ORDER BY user_id, movie_id, kind`).iterate() as Iterable<StoredSignal>;
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

/**
 * Every signal of the ratings file at `path` by (user, movie, kind), from one read transaction on a
 * read-only connection of its own (what a training run reads). A file without the table yet (made by
 * older code and never opened by a signals store) has none.
 */
export async function* readSqliteSignalsSnapshot(path: string): AsyncGenerator<StoredSignal> {
  const reader = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const present = reader.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'taste_signals'").get();
    if (!present) return;
    reader.exec('BEGIN');
    try {
      yield* reader.prepare(`SELECT ${COLUMNS} FROM taste_signals ORDER BY user_id, movie_id, kind`).iterate() as Iterable<StoredSignal>;
    } finally {
      reader.exec('COMMIT');
    }
  } finally {
    reader.close();
  }
}
