import { migratedPool } from './postgres-pool.js';
import { redactDatabaseUrl } from '@reelrank/config';
import pg from 'pg';
import {
  checkMaxPerUser,
  checkPostedSince,
  checkPurge,
  normalizeBatch,
  RatingsQuotaError,
  type NewRating,
  type PostedRating,
  type PurgeSelector,
  type PutOptions,
  type RatingSource,
  type RatingsStore,
  type RowToWrite,
  type StoredRating,
  type StoreVersion,
} from './ratings-store.js';
import { POSTGRES_VERSION_SQL } from './postgres-schema.js';
import {
  CHANGED_USERS_CHANNEL,
  changedUsersPayload,
  watchUserVersions,
  type UserVersionCacheStats,
  type UserVersions,
} from './postgres-user-versions.js';

/**
 * The RatingsStore on a PostgreSQL server (DATABASE_URL): every API replica opens the
 * same database, so a rating posted to one is seen by all. Same semantics as the SQLite store:
 *
 * - Durable: each write is one transaction committed with `synchronous_commit = on` (set on every
 *   connection, whatever the server's default), so the WAL holds it on disk before `put` resolves.
 * - One sequence, commit order: writers take one transaction-level advisory lock, so ids are handed
 *   out and committed in the same order across every process (a later write has a larger id, and
 *   StoreVersion {count, newestId} never repeats for different contents). This serialises writers
 *   as SQLite's write lock does; within a process, writes are group-committed (groupWriter).
 * - Replace per (user, movie): ON CONFLICT DO UPDATE gives the pair its new id.
 * - all(): one REPEATABLE READ READ ONLY transaction on a connection of its own, paged by keyset.
 * - userVersion() from memory: each write NOTIFYs the users it changed, and every process keeps the
 *   versions it read until a notification drops them (postgres-user-versions.ts), so a recommendation
 *   does not wait for the server; without a listener (lost connection) it asks the server as before.
 *
 * Opening is synchronous and connects lazily: the schema migration runs before the first query
 * (and again after a failure), so a server that is down at start-up fails the operations, not the
 * process.
 */

export interface PostgresRatingsStoreOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Rows per page of `all()` (default 10,000). */
  pageSize?: number;
  /** Unix seconds for ratings posted without a timestamp (default: the clock). */
  now?: () => number;
  /** How long to wait for a connection, in ms (default 5,000; 0 waits forever). */
  connectTimeoutMs?: number;
  /**
   * How long one query may take, in ms (default 10,000; 0: no limit). A client-side limit: it also
   * ends the wait on a server that stopped answering without closing the connection (the connection is
   * then dropped, not reused).
   */
  queryTimeoutMs?: number;
  /** Keep users' versions in memory, dropped by the writes' notifications (default true). */
  cacheUserVersions?: boolean;
}

export interface PostgresRatingsStore extends RatingsStore {
  /** The server and database, without the password (for logs and /ready). */
  readonly location: string;
  /** The in-memory user versions: whether their listener is up, hits and server reads. */
  userVersionStats(): UserVersionCacheStats;
}

/** The key of the advisory lock every writer takes (any constant shared by all processes). */
const WRITE_LOCK = 0x7265656c; // 'reel'
const COLUMNS =
  'id, user_id AS "userId", movie_id AS "movieId", rating, timestamp, source, source_address AS "sourceAddress", posted_at AS "postedAt"';

export function openPostgresRatingsStore(url: string, options: PostgresRatingsStoreOptions = {}): PostgresRatingsStore {
  const pageSize = options.pageSize ?? 10_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const { pool, ready } = migratedPool(url, {
    max: options.poolSize ?? 10,
    connectTimeoutMs: options.connectTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs,
    durable: true,
  });
  // Named: each connection parses and plans a hot query once (userVersion runs on every recommendation).
  const query = async <R extends pg.QueryResultRow>(name: string, text: string, values: unknown[] = []) => {
    await ready();
    return pool.query<R>({ name, text, values });
  };
  const versions: UserVersions | undefined =
    options.cacheUserVersions === false ? undefined : watchUserVersions(url, { connectTimeoutMs: options.connectTimeoutMs });
  const writer = groupWriter(pool, ready, versions);
  let closed: Promise<void> | undefined;

  return {
    location: redactDatabaseUrl(url),
    async put(ratings: readonly NewRating[], source?: RatingSource, options?: PutOptions) {
      const maxPerUser = checkMaxPerUser(options);
      const rows = normalizeBatch(ratings, now(), source);
      if (rows.length === 0) return [];
      return (await writer({ kind: 'put', rows, maxPerUser })) as StoredRating[];
    },
    async forgetUser(userId) {
      return (await writer({ kind: 'forget', userId })) as number;
    },
    async forget(userId, movieId) {
      return ((await writer({ kind: 'forget-one', userId, movieId })) as number) > 0;
    },
    async purge(selector) {
      return (await writer({ kind: 'purge', ...checkPurge(selector) })) as number;
    },
    async forUser(userId) {
      return (
        await query<StoredRating>('posted_ratings_for_user', `SELECT ${COLUMNS} FROM posted_ratings WHERE user_id = $1 ORDER BY movie_id`, [userId])
      ).rows;
    },
    async userVersion(userId) {
      const read = async () =>
        (
          await query<{ v: number }>('posted_ratings_user_version', 'SELECT coalesce(max(id), 0) AS v FROM posted_ratings WHERE user_id = $1', [
            userId,
          ])
        ).rows[0].v;
      return versions ? versions.get(userId, read) : read();
    },
    async countsForUsers(userIds) {
      const { rows } = await query<{ userId: number; n: number }>(
        'posted_ratings_counts_for_users',
        'SELECT user_id AS "userId", count(*)::int AS n FROM posted_ratings WHERE user_id = ANY($1::bigint[]) GROUP BY user_id',
        [userIds],
      );
      return new Map(rows.map((r) => [Number(r.userId), r.n]));
    },
    userVersionStats: () => versions?.stats() ?? { listening: false, hits: 0, reads: 0 },
    async version() {
      return (await query<StoreVersion>('posted_ratings_version', POSTGRES_VERSION_SQL)).rows[0];
    },
    async countNewerThan(id) {
      return (await query<{ n: number }>('posted_ratings_newer_than', 'SELECT count(*)::int AS n FROM posted_ratings WHERE id > $1', [id])).rows[0].n;
    },
    async postedSince(sinceSeconds, limit) {
      checkPostedSince(sinceSeconds, limit);
      const { rows } = await query<PostedRating>(
        'posted_ratings_since',
        'SELECT user_id AS "userId", movie_id AS "movieId", rating, posted_at AS "postedAt" FROM posted_ratings WHERE posted_at >= $1 ORDER BY id DESC LIMIT $2',
        [sinceSeconds, limit],
      );
      return rows;
    },
    all() {
      return readAll(pool, ready, pageSize);
    },
    close() {
      closed ??= Promise.all([pool.end(), versions?.close()]).then(() => undefined);
      return closed;
    },
  };
}

type WriteJob =
  | { kind: 'put'; rows: RowToWrite[]; maxPerUser?: number }
  | { kind: 'forget'; userId: number }
  | { kind: 'forget-one'; userId: number; movieId: number }
  | ({ kind: 'purge' } & PurgeSelector);

/**
 * Group commit, as the SQLite store does: the jobs that arrive while a group commits form the next
 * group, written in one transaction (one WAL flush) under the writers' advisory lock, in arrival
 * order: consecutive puts share one INSERT unless they rate one pair (then the later one replaces the
 * earlier in a statement of its own), a forget is a DELETE between them. The jobs are
 * validated before they get here, so a failing statement means a failing server or connection: the
 * whole group fails and nothing of it is stored. A put with `maxPerUser` is checked under the lock
 * against what its users hold at that point of the group (earlier jobs' rows of those users are
 * written first): over it, that job alone is refused (RatingsQuotaError) and the group goes on.
 */
function groupWriter(pool: pg.Pool, ready: () => Promise<void>, versions?: UserVersions): (job: WriteJob) => Promise<StoredRating[] | number> {
  let queue: { job: WriteJob; resolve: (value: StoredRating[] | number) => void; reject: (error: unknown) => void }[] = [];
  let running = false;

  /** The first user of a capped put who would hold more than its bound (the pairs they hold already count once), or undefined. */
  const overQuota = async (client: pg.PoolClient, rows: readonly RowToWrite[], maxPerUser: number): Promise<RatingsQuotaError | undefined> => {
    const posting = new Map<number, number>();
    for (const r of rows) posting.set(r.userId, (posting.get(r.userId) ?? 0) + 1);
    const { rows: held } = await client.query<{ userId: number; held: number; rerated: number }>({
      name: 'posted_ratings_quota',
      text: `SELECT r.user_id AS "userId", count(*)::int AS held, count(j.movie_id)::int AS rerated
         FROM posted_ratings r
         LEFT JOIN unnest($2::bigint[], $3::bigint[]) AS j(user_id, movie_id) ON j.user_id = r.user_id AND j.movie_id = r.movie_id
         WHERE r.user_id = ANY($1::bigint[]) GROUP BY r.user_id`,
      values: [[...posting.keys()], rows.map((r) => r.userId), rows.map((r) => r.movieId)],
    });
    const before = new Map(held.map((h) => [Number(h.userId), h]));
    for (const [userId, count] of posting) {
      const h = before.get(userId);
      const wouldHold = (h?.held ?? 0) + count - (h?.rerated ?? 0);
      if (wouldHold > maxPerUser) return new RatingsQuotaError(userId, wouldHold, maxPerUser);
    }
    return undefined;
  };

  const writeGroup = async (jobs: WriteJob[]): Promise<(StoredRating[] | number | RatingsQuotaError)[]> => {
    await ready();
    const client = await pool.connect();
    let failed = false;
    try {
      const total = jobs.reduce((sum, job) => sum + (job.kind === 'put' ? job.rows.length : 0), 0);
      // One round trip: begin, take the lock, draw the ids (`total` is a count we computed: safe to inline).
      // Under the lock the ids come out consecutive; sorted, they follow the jobs' and batches' order.
      const opening = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK}); SELECT nextval('posted_ratings_id_seq') AS id FROM generate_series(1, ${total})`,
      )) as unknown as pg.QueryResult<{ id: number }>[];
      const ids = opening[2].rows.map((r) => r.id).sort((a, b) => a - b);
      let next = 0;
      const results: (StoredRating[] | number | RatingsQuotaError)[] = [];
      const purged: number[] = []; // users a purge changed
      // Consecutive puts go into one INSERT until a pair repeats (one statement may not update a row twice).
      let pending: { rows: RowToWrite[]; ids: number[] } = { rows: [], ids: [] };
      const pairs = new Set<string>();
      const pendingUsers = new Set<number>();
      const flush = async () => {
        if (pending.rows.length === 0) return;
        const { rows, ids: own } = pending;
        pending = { rows: [], ids: [] };
        pairs.clear();
        pendingUsers.clear();
        await client.query({
          name: 'posted_ratings_put',
          text: `INSERT INTO posted_ratings (id, user_id, movie_id, rating, timestamp, source, source_address, posted_at)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::double precision[], $5::bigint[], $6::text[], $7::text[], $8::bigint[])
           ON CONFLICT (user_id, movie_id) DO UPDATE SET id = excluded.id, rating = excluded.rating, timestamp = excluded.timestamp,
             source = excluded.source, source_address = excluded.source_address, posted_at = excluded.posted_at`,
          values: [
            own,
            rows.map((r) => r.userId),
            rows.map((r) => r.movieId),
            rows.map((r) => r.rating),
            rows.map((r) => r.timestamp),
            rows.map((r) => r.source),
            rows.map((r) => r.sourceAddress),
            rows.map((r) => r.postedAt),
          ],
        });
      };
      // Each of `users`' newest remaining rating takes a new id, so their versions (newest ids) move.
      const restampNewest = (users: number[]) =>
        client.query({
          name: 'posted_ratings_restamp_newest',
          text: `UPDATE posted_ratings SET id = nextval('posted_ratings_id_seq')
           WHERE id IN (SELECT max(id) FROM posted_ratings WHERE user_id = ANY($1::bigint[]) GROUP BY user_id)`,
          values: [users],
        });
      for (const job of jobs) {
        if (job.kind === 'forget') {
          await flush();
          results.push((await client.query('DELETE FROM posted_ratings WHERE user_id = $1', [job.userId])).rowCount ?? 0);
          continue;
        }
        if (job.kind === 'purge') {
          await flush();
          const [where, value] =
            'source' in job
              ? ['source = $1', job.source]
              : 'address' in job
                ? ['source_address = $1', job.address]
                : ['posted_at >= $1', job.postedSince];
          const { rows: gone } = await client.query<{ user_id: number }>(`DELETE FROM posted_ratings WHERE ${where} RETURNING user_id`, [value]);
          // As forget-one does: every user who keeps ratings has their newest take a new id, so their version moves.
          const users = [...new Set(gone.map((r) => r.user_id))];
          if (users.length) await restampNewest(users);
          purged.push(...users);
          results.push(gone.length);
          continue;
        }
        if (job.kind === 'forget-one') {
          await flush();
          const deleted =
            (await client.query('DELETE FROM posted_ratings WHERE user_id = $1 AND movie_id = $2', [job.userId, job.movieId])).rowCount ?? 0;
          // As the SQLite store does: the user's newest remaining rating takes a new id, so the user's
          // version (their newest id) moves even when the deleted rating was not the newest.
          if (deleted) await restampNewest([job.userId]);
          results.push(deleted);
          continue;
        }
        if (job.rows.some((r) => pairs.has(`${r.userId}:${r.movieId}`))) await flush();
        const own = ids.slice(next, (next += job.rows.length));
        if (job.maxPerUser !== undefined) {
          if (job.rows.some((r) => pendingUsers.has(r.userId))) await flush(); // counted with what the group wrote of them before
          const refused = await overQuota(client, job.rows, job.maxPerUser);
          if (refused) {
            results.push(refused);
            continue;
          }
        }
        job.rows.forEach((r, i) => {
          pairs.add(`${r.userId}:${r.movieId}`);
          pendingUsers.add(r.userId);
          pending.rows.push(r);
          pending.ids.push(own[i]);
        });
        results.push(job.rows.map((r, i) => ({ id: own[i], ...r })));
      }
      await flush();
      // Delivered to every listening process when (and only if) the transaction commits. The payload is
      // digits, commas or '*', so inlining it is safe; one round trip with the COMMIT.
      const changed = changedUsersPayload([
        ...jobs.flatMap((job) => (job.kind === 'put' ? job.rows.map((r) => r.userId) : job.kind === 'purge' ? [] : [job.userId])),
        ...purged,
      ]);
      await client.query(`SELECT pg_notify('${CHANGED_USERS_CHANNEL}', '${changed}'); COMMIT`);
      versions?.invalidate(changed); // this process sees its own write at once, before the notification comes back
      return results;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // A connection that failed mid-transaction (server gone, a timeout) is closed, which rolls the
      // transaction back (no ROLLBACK round trip: on a server that stopped answering, it would wait for the timeout again).
      client.release(failed);
    }
  };

  const drain = async () => {
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      try {
        const results = await writeGroup(group.map((g) => g.job));
        group.forEach((g, i) => {
          const result = results[i];
          if (result instanceof RatingsQuotaError) g.reject(result);
          else g.resolve(result);
        });
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    running = false;
  };

  return (job) =>
    new Promise((resolve, reject) => {
      queue.push({ job, resolve, reject });
      if (running) return;
      running = true;
      // After the current turn's synchronous code: writes submitted together commit together.
      queueMicrotask(() => void drain());
    });
}

/** Every rating by (user, movie), in pages, from one snapshot on a connection of its own. */
async function* readAll(pool: pg.Pool, ready: () => Promise<void>, pageSize: number): AsyncGenerator<StoredRating> {
  await ready();
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let after: [number, number] = [0, 0];
    for (;;) {
      const { rows } = await client.query<StoredRating>(
        `SELECT ${COLUMNS} FROM posted_ratings WHERE (user_id, movie_id) > ($1, $2) ORDER BY user_id, movie_id LIMIT $3`,
        [after[0], after[1], pageSize],
      );
      for (const row of rows) yield row;
      if (rows.length < pageSize) break;
      const last = rows[rows.length - 1];
      after = [last.userId, last.movieId];
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A consumer that stops early ends up here too: the read-only transaction just ends (a failed connection is closed instead).
    if (!failed) await client.query('COMMIT').catch(() => (failed = true));
    client.release(failed);
  }
}
