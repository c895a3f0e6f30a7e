// The ratings file's connection settings, its group-committing writer and its version query. Plain CommonJS so the writer thread
// (writer-thread.js) requires it without a TypeScript loader; sqlite-ratings-store.ts uses the same
// code in-thread for ':memory:' stores. Types: group-writer.d.ts.
'use strict';

const { signalWrites } = require('./signal-writes.js');

/**
 * Opens `path` for writing: WAL journal, `synchronous = FULL` (a COMMIT returns after the WAL is
 * fsynced, so it survives a process kill and a power loss). The schema is not made here: the drizzle
 * migrations (sqlite-migrations.ts) have run on the file before any writer opens it.
 */
function openForWriting(Database, path, busyTimeoutMs) {
  const db = new Database(path, { timeout: busyTimeoutMs });
  switchToWal(db, busyTimeoutMs);
  db.pragma('synchronous = FULL');
  return db;
}

/**
 * Switching a file to WAL needs it to itself, and SQLite answers SQLITE_BUSY at once instead of
 * waiting: processes opening one new file together retry (for up to the busy timeout) until one of
 * them has switched it, which the others then read.
 */
function switchToWal(db, busyTimeoutMs) {
  const deadline = Date.now() + busyTimeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (error.code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/**
 * Writes a group of jobs ({kind: 'put', rows, maxPerUser?} | {kind: 'forget', userId} | {kind: 'forget-one', userId, movieId} |
 * {kind: 'purge', source} | {kind: 'purge', address} | {kind: 'purge', postedSince}) in one BEGIN IMMEDIATE
 * transaction, so the group pays one fsync; each job runs in a SAVEPOINT of its own (nested
 * db.transaction), so one failing job rolls back alone. Returns one outcome per job once COMMIT has
 * returned: {ok: true, value} (the stored rows, or the count forgotten or purged: 0 or 1 for forget-one) or {ok: false, error};
 * throws when the transaction as a whole fails (then nothing of the group is stored).
 */
function groupWriter(db) {
  // Prepared on first use: a file whose writer never sees a signal job needs no statement on that table.
  let signals;
  const insert = db.prepare(
    'INSERT OR REPLACE INTO ratings (user_id, movie_id, rating, timestamp, source, source_address, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const forget = db.prepare('DELETE FROM ratings WHERE user_id = ?');
  const countOfUser = db.prepare('SELECT count(*) FROM ratings WHERE user_id = ?').pluck();
  // Counted after the batch's rows are in, inside its savepoint: a user over the bound rolls the batch back alone.
  const checkQuota = (job) => {
    for (const userId of new Set(job.rows.map((r) => r.userId))) {
      const wouldHold = countOfUser.get(userId);
      if (wouldHold > job.maxPerUser)
        throw Object.assign(new Error(`user ${userId} would hold ${wouldHold} posted ratings, more than ${job.maxPerUser}`), {
          code: 'RATINGS_QUOTA_EXCEEDED',
          quota: { userId, wouldHold, maxPerUser: job.maxPerUser },
        });
    }
  };
  const forgetOne = db.prepare('DELETE FROM ratings WHERE user_id = ? AND movie_id = ?');
  // After deleting some of a user's ratings, the user's newest remaining one is written again under a
  // new id, so the user's version (their newest id) moves even when the deleted ones were not the newest.
  const restampNewest = db.prepare(
    `INSERT OR REPLACE INTO ratings (user_id, movie_id, rating, timestamp, source, source_address, posted_at)
     SELECT user_id, movie_id, rating, timestamp, source, source_address, posted_at FROM ratings WHERE user_id = ? ORDER BY id DESC LIMIT 1`,
  );
  // One statement per selector: the deleted rows' users come back with the delete (no second scan).
  const purgeBy = {
    source: db.prepare('DELETE FROM ratings WHERE source = ? RETURNING user_id').pluck(),
    address: db.prepare('DELETE FROM ratings WHERE source_address = ? RETURNING user_id').pluck(),
    postedSince: db.prepare('DELETE FROM ratings WHERE posted_at >= ? RETURNING user_id').pluck(),
  };
  const purge = (job) => {
    const by = job.source !== undefined ? 'source' : job.address !== undefined ? 'address' : 'postedSince';
    const gone = purgeBy[by].all(job[by]);
    for (const user of new Set(gone)) restampNewest.run(user);
    return gone.length;
  };
  const writeJob = db.transaction((job) => {
    if (job.kind === 'signal-put' || job.kind === 'signal-forget') return (signals ??= signalWrites(db))(job);
    if (job.kind === 'forget') return forget.run(job.userId).changes;
    if (job.kind === 'forget-one') {
      const changes = forgetOne.run(job.userId, job.movieId).changes;
      if (changes) restampNewest.run(job.userId);
      return changes;
    }
    if (job.kind === 'purge') return purge(job);
    const stored = job.rows.map((r) => ({
      id: Number(insert.run(r.userId, r.movieId, r.rating, r.timestamp, r.source, r.sourceAddress, r.postedAt).lastInsertRowid),
      ...r,
    }));
    if (job.maxPerUser !== undefined) checkQuota(job);
    return stored;
  });
  const writeGroup = db.transaction((jobs) =>
    jobs.map((job) => {
      try {
        return { ok: true, value: writeJob(job) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  return (jobs) => writeGroup.immediate(jobs);
}

/**
 * The store's version ({count, newestId}, see StoreVersion in ratings-store.ts) on any connection:
 * the store's own, or the read-only one of tools/fingerprint-ratings.mjs (the train stage's Nx input).
 */
function readVersion(db) {
  return db.prepare('SELECT count(*) AS count, coalesce(max(id), 0) AS newestId FROM ratings').get();
}

module.exports = { openForWriting, groupWriter, readVersion };
