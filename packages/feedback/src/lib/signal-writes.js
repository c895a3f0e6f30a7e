// The taste-signal jobs of the ratings file's writer (group-writer.js runs them inside its group
// transaction, each in a savepoint of its own). Plain CommonJS for the writer thread. Types: signal-writes.d.ts.
'use strict';

/**
 * {kind: 'signal-put', row, maxPerUser?} -> the stored signal (a repeat of (user, movie, kind) replaces
 * it under a new id); {kind: 'signal-forget', userId, movieId, signal} -> 1 or 0. After a delete the
 * user's newest remaining signal is written again under a new id, so their newest id (their version)
 * moves whichever signal went.
 */
function signalWrites(db) {
  const insert = db.prepare(
    `INSERT OR REPLACE INTO taste_signals (user_id, movie_id, kind, created_at, source, source_address) VALUES (?, ?, ?, ?, ?, ?)
     RETURNING id, user_id AS userId, movie_id AS movieId, kind, created_at AS createdAt, source, source_address AS sourceAddress`,
  );
  const countOfUser = db.prepare('SELECT count(*) FROM taste_signals WHERE user_id = ?').pluck();
  const forgetOne = db.prepare('DELETE FROM taste_signals WHERE user_id = ? AND movie_id = ? AND kind = ?');
  const restampNewest = db.prepare(
    `INSERT OR REPLACE INTO taste_signals (user_id, movie_id, kind, created_at, source, source_address)
     SELECT user_id, movie_id, kind, created_at, source, source_address FROM taste_signals WHERE user_id = ? ORDER BY id DESC LIMIT 1`,
  );
  return (job) => {
    if (job.kind === 'signal-forget') {
      const changes = forgetOne.run(job.userId, job.movieId, job.signal).changes;
      if (changes) restampNewest.run(job.userId);
      return changes;
    }
    const r = job.row;
    const stored = insert.get(r.userId, r.movieId, r.kind, r.createdAt, r.source, r.sourceAddress);
    if (job.maxPerUser !== undefined && countOfUser.get(r.userId) > job.maxPerUser)
      throw Object.assign(new Error(`user ${r.userId} would hold more than ${job.maxPerUser} signals`), {
        code: 'SIGNALS_QUOTA_EXCEEDED',
        quota: { userId: r.userId, maxPerUser: job.maxPerUser },
      });
    return stored;
  };
}

module.exports = { signalWrites };
